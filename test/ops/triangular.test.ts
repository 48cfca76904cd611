import { test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError, ops, tensor } from "../../src/index.js";
import { check, leaf, randn64 } from "./helpers.js";

const m = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);

test("triu and tril with diagonal offsets (hand-computed)", () => {
  assert.deepEqual(m.triu().toArray(), [[1, 2, 3], [0, 5, 6], [0, 0, 9]]);
  assert.deepEqual(m.triu(1).toArray(), [[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
  assert.deepEqual(m.triu(-1).toArray(), [[1, 2, 3], [4, 5, 6], [0, 8, 9]]);
  assert.deepEqual(m.tril().toArray(), [[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
  assert.deepEqual(ops.tril(m, -1).toArray(), [[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
  assert.deepEqual(tensor([[1, 2, 3]]).tril(1).toArray(), [[1, 2, 0]]);
});

test("batched over leading dims, reads transposed input, keeps dtype", () => {
  const b = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
  assert.deepEqual(b.tril().toArray(), [[[1, 0], [3, 4]], [[5, 0], [7, 8]]]);
  assert.deepEqual(m.T.triu().toArray(), [[1, 4, 7], [0, 5, 8], [0, 0, 9]]);
  assert.equal(tensor([[true, true], [true, true]]).tril().dtype, "bool");
  assert.deepEqual(tensor([[true, true], [true, true]]).tril().toArray(), [[true, false], [true, true]]);
});

test("needs 2 dims", () => {
  assert.throws(() => tensor([1, 2]).triu(), { name: "ShapeError", message: "triu: expected a tensor with at least 2 dimensions, got shape [2]" });
  assert.throws(() => tensor(1).tril(), ShapeError);
});

test("gradcheck", () => {
  check((x) => x.triu(1), [leaf([2, 3, 4], 1)]);
  check((x) => x.tril(-1), [randn64([4, 3], 2).T.requiresGrad_()]);
});
