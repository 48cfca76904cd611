import { test } from "node:test";
import assert from "node:assert/strict";
import { allocate, checkDType, dtypeOf, isFloating, isFloatingPoint, promoteTypes } from "../../src/tensor/dtype.js";

test("storage types per dtype and back", () => {
  assert.ok(allocate("float32", 2) instanceof Float32Array);
  assert.ok(allocate("float64", 2) instanceof Float64Array);
  assert.ok(allocate("int32", 2) instanceof Int32Array);
  assert.ok(allocate("bool", 2) instanceof Uint8Array);
  assert.ok(allocate("float16", 2) instanceof Uint16Array);
  assert.ok(allocate("bfloat16", 2) instanceof Uint16Array);
  for (const d of ["float32", "float64", "int32", "bool", "float16", "bfloat16"] as const) assert.equal(dtypeOf(allocate(d, 1)), d);
  for (const d of ["float16", "bfloat16"] as const) assert.equal(dtypeOf(allocate(d, 8).subarray(2, 4)), d);
  assert.throws(() => dtypeOf(new Uint16Array(2) as never), { name: "DTypeError" });
  assert.equal(isFloating("bfloat16"), false); // kernels never see half storage
  assert.equal(isFloatingPoint("bfloat16"), true);
  assert.equal(isFloating("float64"), true);
  assert.equal(isFloating("int32"), false);
  assert.throws(() => checkDType("half", "zeros"), { name: "DTypeError", message: 'zeros: unknown dtype "half" (expected one of float32, float64, int32, bool, float16, bfloat16)' });
});

test("half promotion as PyTorch: half < float32, float16 with bfloat16 gives float32", () => {
  assert.equal(promoteTypes("bfloat16", "float32"), "float32");
  assert.equal(promoteTypes("float16", "int32"), "float16");
  assert.equal(promoteTypes("float16", "bfloat16"), "float32");
  assert.equal(promoteTypes("bfloat16", "bfloat16"), "bfloat16");
  assert.equal(promoteTypes("float64", "float16"), "float64");
});

test("promotion lattice bool < int32 < float32 < float64, symmetric", () => {
  const order = ["bool", "int32", "float32", "float64"] as const;
  for (let i = 0; i < order.length; i++) {
    for (let j = 0; j < order.length; j++) {
      const expected = order[Math.max(i, j)];
      assert.equal(promoteTypes(order[i] as never, order[j] as never), expected);
    }
  }
});
