import { test } from "node:test";
import assert from "node:assert/strict";
import { broadcastShapes, broadcastStrides, contiguousStrides, normalizeDim, normalizeDims, numel, stridedOffsets } from "../../src/tensor/shape.js";

test("numel and contiguous strides", () => {
  assert.equal(numel([]), 1);
  assert.equal(numel([2, 0, 3]), 0);
  assert.deepEqual(contiguousStrides([2, 3, 4]), [12, 4, 1]);
  assert.deepEqual(contiguousStrides([]), []);
});

test("broadcasting: align right, sizes equal or 1", () => {
  assert.deepEqual(broadcastShapes([2, 1], [3], "op"), [2, 3]);
  assert.deepEqual(broadcastShapes([], [4, 1], "op"), [4, 1]);
  assert.deepEqual(broadcastShapes([5, 1, 4], [3, 1], "op"), [5, 3, 4]);
  assert.deepEqual(broadcastShapes([0], [1], "op"), [0]);
  assert.throws(() => broadcastShapes([2, 3], [4], "mul"), { name: "ShapeError", message: "mul: shapes [2,3] and [4] cannot be broadcast together" });
  assert.deepEqual(broadcastStrides([3, 1], [1, 1], [2, 3, 4]), [0, 1, 0]);
});

test("normalizeDim(s): negative dims, range errors, duplicates", () => {
  assert.equal(normalizeDim(-1, 3, "op"), 2);
  assert.equal(normalizeDim(0, 0, "op"), 0, "a 0-d tensor accepts dim 0 and -1 as PyTorch");
  assert.throws(() => normalizeDim(3, 3, "sum"), { name: "IndexError", message: "sum: dimension 3 out of range for a tensor with 3 dimensions" });
  assert.throws(() => normalizeDim(0.5, 3, "sum"), /sum: dimension 0.5 out of range/);
  assert.deepEqual(normalizeDims([-1, 0], 3, "op"), [0, 2]);
  assert.deepEqual(normalizeDims(undefined, 2, "op"), [0, 1]);
  assert.throws(() => normalizeDims([1, -1], 2, "op"), /repeated dimension/);
});

test("stridedOffsets walks row-major order through arbitrary strides", () => {
  assert.deepEqual(Array.from(stridedOffsets([2, 3], [3, 1], 0)), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(stridedOffsets([3, 2], [1, 3], 0)), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(Array.from(stridedOffsets([2, 2], [0, 1], 5)), [5, 6, 5, 6]);
  assert.deepEqual(Array.from(stridedOffsets([], [], 7)), [7]);
  assert.deepEqual(Array.from(stridedOffsets([2, 0], [1, 1], 0)), []);
  assert.deepEqual(Array.from(stridedOffsets([3], [-1], 2)), [2, 1, 0]);
});
