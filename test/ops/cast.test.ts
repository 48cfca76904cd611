import { test } from "node:test";
import assert from "node:assert/strict";
import { ops, tensor } from "../../src/index.js";
import { check, gradOf, leaf } from "./helpers.js";

test("casts: float ↔ float, to int truncates toward zero, to bool is ≠ 0", () => {
  const x = tensor([-1.7, 0, 2.5]);
  assert.equal(x.to("float64").dtype, "float64");
  assert.deepEqual(x.int().toArray(), [-1, 0, 2]);
  assert.deepEqual(x.to("bool").toArray(), [true, false, true]);
  assert.deepEqual(tensor([true, false]).float().toArray(), [1, 0]);
  assert.equal(x.to("float32"), x, "same dtype returns the tensor itself");
  assert.equal(tensor([1], { dtype: "float64" }).float().storage instanceof Float32Array, true);
});

test("float casts are differentiable, and the gradient comes back in the input's dtype", () => {
  const x = leaf([3], 1);
  const y = x.float();
  assert.equal(y.dtype, "float32");
  y.mul(2).sum().backward();
  assert.equal(gradOf(x).dtype, "float64");
  assert.deepEqual(gradOf(x).toArray(), [2, 2, 2]);
  assert.equal(x.int().requiresGrad, false);
  check((a) => ops.to(a.T, "float64").mul(a.T), [leaf([2, 3], 2)]);
});
