import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ConfusionMatrixOptions, confusionMatrix } from "../../src/metrics/confusion-matrix.js";
import type { MetricInput } from "../../src/metrics/input.js";
import { assertClose, fixtureCases } from "./helpers.js";

describe("metrics/confusion-matrix", () => {
  test("matches scikit-learn", () => {
    for (const c of fixtureCases("confusionMatrix")) {
      const [yTrue, yPred] = c.args as [MetricInput, MetricInput];
      assertClose(confusionMatrix(yTrue, yPred, c.options as ConfusionMatrixOptions), c.expected, 1e-12, c.name);
    }
  });

  test("hand-computed", () => {
    // Pairs (t,p): (0,0) (1,1) (1,0) (2,2) (2,2) (2,1)
    const t = [0, 1, 1, 2, 2, 2];
    const p = [0, 1, 0, 2, 2, 1];
    assert.deepEqual(confusionMatrix(t, p), [
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 2],
    ]);
    assert.deepEqual(confusionMatrix(t, p, { normalize: "true" })[2], [0, 1 / 3, 2 / 3]);
    assert.deepEqual(confusionMatrix(t, p, { normalize: "pred" }).map((r) => r[0]), [1 / 2, 1 / 2, 0]);
    assert.equal(confusionMatrix(t, p, { normalize: "all" })[2][2], 2 / 6);
    // Label 9 never occurs: its row and column are 0, and normalizing by a zero total gives 0.
    assert.deepEqual(confusionMatrix(t, p, { labels: [2, 9], normalize: "true" }), [
      [1, 0],
      [0, 0],
    ]);
  });

  test("errors", () => {
    assert.throws(() => confusionMatrix([0, 1], [0, 1], { labels: [5] }), /none of labels \[5\] occurs in yTrue/);
    assert.throws(() => confusionMatrix([0, 1], [0, 1], { normalize: "rows" as "true" }), /normalize must be/);
    assert.throws(() => confusionMatrix([0, Number.NaN], [0, 1]), /yTrue\[1\] is NaN/);
  });
});
