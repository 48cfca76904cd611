import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError } from "../../src/errors.js";
import { checkSameLength, readInput, readMatrix, readPair, readVector } from "../../src/metrics/input.js";

/** A stand-in for a loom Tensor: only shape and toTypedArray() are used. */
function tensorLike(shape: number[], values: number[]) {
  return { shape, toTypedArray: () => Float32Array.from(values) };
}

describe("metrics/input", () => {
  test("reads plain, typed, nested and tensor-like inputs", () => {
    assert.deepEqual(readInput("m", "x", [1, 2, 3]), { data: [1, 2, 3], shape: [3] });
    assert.deepEqual(readInput("m", "x", Int32Array.of(4, 5)).shape, [2]);
    const nested = readInput("m", "x", [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    assert.deepEqual(nested.shape, [3, 2]);
    assert.deepEqual([...Array.from(nested.data)], [1, 2, 3, 4, 5, 6]);
    const t = readMatrix("m", "x", tensorLike([2, 3], [1, 2, 3, 4, 5, 6]));
    assert.deepEqual([t.rows, t.cols], [2, 3]);
    assert.equal(t.data[4], 5);
  });

  test("a vector may be [n] or [n,1]; other shapes are refused", () => {
    assert.deepEqual(Array.from(readVector("m", "yTrue", tensorLike([3, 1], [7, 8, 9]))), [7, 8, 9]);
    assert.deepEqual(Array.from(readVector("m", "yTrue", [[1], [2]])), [1, 2]);
    assert.throws(() => readVector("mse", "yTrue", tensorLike([2, 2], [1, 2, 3, 4])), {
      name: "ShapeError",
      message: "mse: yTrue must be a vector of shape [n] or [n,1], got [2,2]",
    });
    assert.throws(() => readMatrix("aucRoc", "scores", [1, 2]), ShapeError);
  });

  test("errors name the metric and both lengths", () => {
    assert.throws(() => readPair("precision", [0, 1, 1], [0, 1]), {
      name: "ShapeError",
      message: "precision: yTrue has 3 values but yPred has 2",
    });
    assert.throws(() => checkSameLength("aucRoc", 4, 5, "scores"), /aucRoc: yTrue has 4 values but scores has 5/);
  });

  test("ragged rows and tensors whose data does not fill their shape are refused", () => {
    assert.throws(() => readInput("m", "x", [[1, 2], [3]]), /row 0 has 2 values, row 1 has 1/);
    assert.throws(() => readInput("m", "x", tensorLike([2, 2], [1, 2, 3])), ShapeError);
  });
});
