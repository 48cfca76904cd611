import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { accuracy } from "../../../src/metrics/accuracy.js";
import { type ConfusionMatrixOptions, confusionMatrix } from "../../../src/metrics/confusion-matrix.js";
import { type SetWiseOptions, fbeta, precision, recall } from "../../../src/metrics/precision-recall.js";
import { ConfusionMatrixAccumulator } from "../../../src/metrics/streaming/confusion-matrix.js";
import { fixtureCases, randomChunks } from "../helpers.js";

function streamed(yTrue: number[], yPred: number[], seed: number): ConfusionMatrixAccumulator {
  const acc = new ConfusionMatrixAccumulator();
  for (const [start, end] of randomChunks(yTrue.length, seed)) {
    // Alternate plain arrays and tensor-like chunks.
    if (start % 2 === 0) acc.update(yTrue.slice(start, end), yPred.slice(start, end));
    else {
      const tensor = (a: number[]) => ({ shape: [end - start], toTypedArray: () => Int32Array.from(a.slice(start, end)) });
      acc.update(tensor(yTrue), tensor(yPred));
    }
  }
  return acc;
}

describe("metrics/streaming/confusion-matrix", () => {
  test("precision, recall and F-beta of every average equal the one-shot results", () => {
    fixtureCases("fbeta").forEach((c, seed) => {
      const [yTrue, yPred, beta] = c.args as [number[], number[], number];
      const options = c.options as SetWiseOptions;
      const acc = streamed(yTrue, yPred, seed + 1);
      assert.deepEqual(acc.precision(options as never), precision(yTrue, yPred, options as never), c.name);
      assert.deepEqual(acc.recall(options as never), recall(yTrue, yPred, options as never), c.name);
      assert.deepEqual(acc.fbeta(beta, options as never), fbeta(yTrue, yPred, beta, options as never), c.name);
      assert.equal(acc.accuracy(), accuracy(yTrue, yPred), c.name);
    });
  });

  test("the matrix equals the one-shot confusion matrix", () => {
    fixtureCases("confusionMatrix").forEach((c, seed) => {
      const [yTrue, yPred] = c.args as [number[], number[]];
      const options = c.options as ConfusionMatrixOptions;
      const acc = streamed(yTrue, yPred, seed + 100);
      assert.deepEqual(acc.compute(options), confusionMatrix(yTrue, yPred, options), c.name);
    });
  });

  test("hand-computed, and reset", () => {
    const acc = new ConfusionMatrixAccumulator();
    acc.update([0, 1], [0, 0]);
    acc.update([2, 1], [2, 1]);
    assert.deepEqual(acc.labels(), [0, 1, 2]);
    assert.deepEqual(acc.compute(), [
      [1, 0, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    assert.equal(acc.f1({ average: "micro" }), 3 / 4);
    assert.deepEqual(acc.recall({ average: null }), [1, 1 / 2, 1]);
    acc.reset();
    assert.deepEqual(acc.compute(), []);
    assert.ok(Number.isNaN(acc.accuracy()));
  });
});
