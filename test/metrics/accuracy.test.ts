import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError, ValueError } from "../../src/errors.js";
import { accuracy, type AccuracyOptions } from "../../src/metrics/accuracy.js";
import type { MetricInput } from "../../src/metrics/input.js";
import { assertClose, fixtureCases } from "./helpers.js";

describe("metrics/accuracy", () => {
  test("matches scikit-learn (accuracy_score, top_k_accuracy_score)", () => {
    for (const c of fixtureCases("accuracy")) {
      const [yTrue, yPred] = c.args as [MetricInput, MetricInput];
      assertClose(accuracy(yTrue, yPred, c.options as AccuracyOptions), c.expected, 1e-12, c.name);
    }
  });

  test("hand-computed labels", () => {
    assert.equal(accuracy([0, 1, 2, 2], [0, 2, 2, 1]), 0.5);
    assert.equal(accuracy([0, 1, 2, 2], [0, 2, 2, 1], { normalize: false }), 2);
    assert.ok(Number.isNaN(accuracy([], [])));
  });

  test("hand-computed top-k, ties going to the higher column", () => {
    const scores = [
      [0.1, 0.5, 0.4], // true 2: second best -> top-2 hit, top-1 miss
      [0.3, 0.3, 0.4], // true 0: ties column 1, which outranks it -> third
      [0.6, 0.2, 0.2], // true 1: ties column 2, which outranks it -> third
    ];
    const yTrue = [2, 0, 1];
    assert.equal(accuracy(yTrue, scores, { topK: 1 }), 0);
    assert.equal(accuracy(yTrue, scores, { topK: 2 }), 1 / 3);
    assert.equal(accuracy(yTrue, scores, { topK: 3 }), 1);
    // Column 2 of row 3 ties column 1 but ranks above it, so class 2 is the top-1 pick there.
    assert.equal(accuracy([1, 2, 2], scores), 2 / 3);
  });

  test("errors", () => {
    assert.throws(() => accuracy([0, 1], [0]), ShapeError);
    assert.throws(() => accuracy([0, 1], [0, 1], { topK: 2 }), /needs scores of shape \[n, classes\]/);
    assert.throws(() => accuracy([0, 3], [[1, 0], [0, 1]]), /yTrue\[1\] = 3 is not a class index in \[0, 2\)/);
    assert.throws(() => accuracy([0], [[1, 0]], { topK: 0 }), ValueError);
  });

  test("NaN or infinite labels are errors, not misses (issue 17.9)", () => {
    assert.throws(() => accuracy([0, 1], [Number.NaN, 1]), { name: "ValueError", message: "accuracy: yPred[0] is NaN; values must be finite" });
    assert.throws(() => accuracy([Number.NaN, 1], [0, 1]), { name: "ValueError", message: /yTrue\[0\] is NaN/ });
    assert.throws(() => accuracy([0, 1], [0, Number.POSITIVE_INFINITY]), /yPred\[1\] is Infinity/);
  });
});
