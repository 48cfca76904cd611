import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, ShapeError, ops, tensor, where } from "../../src/index.js";
import { check, leaf, randn64 } from "./helpers.js";

describe("where", () => {
  test("selects elementwise (hand-computed)", () => {
    const c = tensor([true, false, true]);
    assert.deepEqual(where(c, tensor([1, 2, 3]), tensor([10, 20, 30])).toArray(), [1, 20, 3]);
  });

  test("broadcasts condition and operands; numbers allowed on either side", () => {
    const c = tensor([[true], [false]]);
    assert.deepEqual(where(c, tensor([1, 2, 3]), 0).toArray(), [[1, 2, 3], [0, 0, 0]]);
    assert.deepEqual(where(c, -1, tensor([1, 2])).toArray(), [[-1, -1], [1, 2]]);
    const both = where(tensor([true, false]), 1.5, 2);
    assert.equal(both.dtype, "float32");
    assert.deepEqual(both.toArray(), [1.5, 2]);
    assert.deepEqual(tensor([5, 6]).where(tensor([false, true]), 0).toArray(), [0, 6]);
  });

  test("dtypes: a number takes the tensor's dtype; tensors promote", () => {
    assert.equal(where(tensor([true]), tensor([1], { dtype: "float64" }), 0).dtype, "float64");
    assert.equal(where(tensor([true]), tensor([1], { dtype: "int32" }), 0.5).dtype, "float32");
    assert.equal(where(tensor([true]), tensor([1], { dtype: "int32" }), tensor([1], { dtype: "float64" })).dtype, "float64");
  });

  test("a non-bool condition or incompatible shapes throw", () => {
    assert.throws(() => where(tensor([1, 0]), 1, 0), { name: "DTypeError", message: "where: condition must be a bool tensor, got float32" });
    assert.throws(() => where(tensor([true, false]), tensor([1, 2, 3]), 0), ShapeError);
  });

  test("gradcheck with broadcasting on both operands and a transposed operand", () => {
    const c = randn64([3, 4], 9).gt(0);
    check((a, b) => where(c, a, b), [leaf([4], 1), randn64([4, 3], 2).T.requiresGrad_()]);
    check((a, b) => where(c, a, b), [leaf([3, 1], 3), leaf([1, 4], 4)]);
    check((a) => where(c, 0, a), [leaf([3, 4], 5)]);
  });
});

describe("maskedFill", () => {
  test("fills where the mask holds, with a broadcast mask, out of place", () => {
    const x = tensor([[1, 2], [3, 4]]);
    assert.deepEqual(x.maskedFill(tensor([true, false]), -9).toArray(), [[-9, 2], [-9, 4]]);
    assert.deepEqual(ops.maskedFill(x, tensor([[false], [true]]), -Infinity).toArray(), [[1, 2], [-Infinity, -Infinity]]);
    assert.deepEqual(x.toArray(), [[1, 2], [3, 4]]);
    assert.equal(tensor([1, 2], { dtype: "int32" }).maskedFill(tensor([true, false]), 7).dtype, "int32");
  });

  test("a mask that would grow x or is not bool throws", () => {
    assert.throws(() => tensor([1, 2]).maskedFill(tensor([[true, false], [true, true]]), 0), /maskedFill: mask of shape \[2,2\] cannot be broadcast to input shape \[2\]/);
    assert.throws(() => tensor([1, 2]).maskedFill(tensor([1, 0]), 0), DTypeError);
  });

  test("gradcheck: zero gradient at filled positions (causal mask pattern)", () => {
    const mask = tensor([[false, true, true], [false, false, true], [false, false, false]]);
    check((x) => x.maskedFill(mask, -1e9).softmax(-1), [leaf([2, 3, 3], 1)]);
    check((x) => x.maskedFill(mask, 0), [randn64([3, 3], 2).T.requiresGrad_()]);
  });
});
