import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { metrics, tensor } from "../../src/index.js";

describe("metrics/index", () => {
  test("the metrics namespace accepts loom Tensors, including non-contiguous views", () => {
    const yTrue = tensor([0, 1, 2, 1]);
    // Stored as [classes, n] and transposed to a [n, classes] view: column c scores class c.
    const scoresT = tensor([
      [0.7, 0.1, 0.3, 0.2],
      [0.2, 0.8, 0.3, 0.5],
      [0.1, 0.1, 0.4, 0.3],
    ]).transpose(0, 1);
    assert.deepEqual(scoresT.shape, [4, 3]);
    // Row-wise best: 0, 1, 2, 1 -> all correct.
    assert.equal(metrics.accuracy(yTrue, scoresT), 1);
    assert.equal(metrics.aucRoc(yTrue, scoresT), 1);
    const yPred = tensor([[0], [1], [1], [1]]); // [n, 1]
    assert.deepEqual(metrics.confusionMatrix(yTrue, yPred), [
      [1, 0, 0],
      [0, 2, 0],
      [0, 1, 0],
    ]);
    assert.equal(metrics.mse(tensor([1, 2, 3]), tensor([[1], [2], [5]])), 4 / 3);
  });

  test("float32 tensors are read exactly and computed in float64", () => {
    const t = tensor([0.1, 0.2, 0.3], { dtype: "float32" });
    const p = tensor([0.2, 0.2, 0.3], { dtype: "float32" });
    const f32 = Float32Array.of(0.1, 0.2, 0.3);
    assert.equal(metrics.mae(t, p), Math.abs(f32[0] - Math.fround(0.2)) / 3);
  });
});
