import { test } from "node:test";
import assert from "node:assert/strict";
import { allocate, checkDType, dtypeOf, isFloating, promoteTypes } from "../../src/tensor/dtype.js";

test("storage types per dtype and back", () => {
  assert.ok(allocate("float32", 2) instanceof Float32Array);
  assert.ok(allocate("float64", 2) instanceof Float64Array);
  assert.ok(allocate("int32", 2) instanceof Int32Array);
  assert.ok(allocate("bool", 2) instanceof Uint8Array);
  for (const d of ["float32", "float64", "int32", "bool"] as const) assert.equal(dtypeOf(allocate(d, 1)), d);
  assert.equal(isFloating("float64"), true);
  assert.equal(isFloating("int32"), false);
  assert.throws(() => checkDType("half", "zeros"), { name: "DTypeError", message: 'zeros: unknown dtype "half" (expected one of float32, float64, int32, bool)' });
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
