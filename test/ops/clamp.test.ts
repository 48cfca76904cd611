import { test } from "node:test";
import assert from "node:assert/strict";
import { ValueError, ops, tensor } from "../../src/index.js";
import { check, randn64 } from "./helpers.js";

test("clamps to [min, max], either bound optional (hand-computed)", () => {
  const x = tensor([-2, -0.5, 0, 0.5, 2]);
  assert.deepEqual(x.clamp(-1, 1).toArray(), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(x.clamp(0).toArray(), [0, 0, 0, 0.5, 2]);
  assert.deepEqual(ops.clamp(x, undefined, 0).toArray(), [-2, -0.5, 0, 0, 0]);
  assert.deepEqual(x.clamp(1, -1).toArray(), [-1, -1, -1, -1, -1], "min > max gives max everywhere, as PyTorch");
  assert.ok(Number.isNaN(tensor([NaN]).clamp(0, 1).item()));
});

test("dtypes: integer stays integer unless a bound is fractional", () => {
  const i = tensor([-3, 0, 3], { dtype: "int32" });
  assert.equal(i.clamp(-1, 1).dtype, "int32");
  assert.deepEqual(i.clamp(-1, 1).toArray(), [-1, 0, 1]);
  assert.equal(i.clamp(-0.5, 0.5).dtype, "float32");
  assert.deepEqual(i.clamp(-0.5, 0.5).toArray(), [-0.5, 0, 0.5]);
});

test("no bounds throws", () => {
  assert.throws(() => tensor([1]).clamp(), ValueError);
});

test("gradient is 1 inside (bounds included) and 0 outside, as PyTorch", () => {
  const x = tensor([-2, -1, 0, 1, 2], { dtype: "float64", requiresGrad: true });
  x.clamp(-1, 1).sum().backward();
  assert.deepEqual(x.grad?.toArray(), [0, 1, 1, 1, 0]);
});

test("gradcheck away from the bounds, on a transposed input", () => {
  const x = randn64([3, 4], 1);
  // keep every element at least 1e-3 away from ±0.5 so finite differences do not straddle a bound
  const s = x.storage;
  for (let i = 0; i < s.length; i++) if (Math.abs(Math.abs(s[i] as number) - 0.5) < 1e-3) s[i] = 0;
  check((t) => t.clamp(-0.5, 0.5), [x.T.requiresGrad_()]);
  check((t) => t.clamp(undefined, 0.5), [x.T.requiresGrad_()]);
});
