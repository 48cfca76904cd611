import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MetricInput } from "../../src/metrics/input.js";
import { type AucRocOptions, type RocCurveOptions, auc, aucRoc, rocCurve } from "../../src/metrics/roc.js";
import { assertClose, fixtureCases } from "./helpers.js";

describe("metrics/roc", () => {
  test("rocCurve matches scikit-learn 1.2.1, including tied scores and dropIntermediate", () => {
    for (const c of fixtureCases("rocCurve")) {
      const [yTrue, scores] = c.args as [MetricInput, MetricInput];
      assertClose(rocCurve(yTrue, scores, c.options as RocCurveOptions), c.expected, 1e-12, c.name);
    }
  });

  test("aucRoc matches scikit-learn (binary and one-vs-rest)", () => {
    for (const c of fixtureCases("aucRoc")) {
      const [yTrue, scores] = c.args as [MetricInput, MetricInput];
      assertClose(aucRoc(yTrue, scores, c.options as AucRocOptions), c.expected, 1e-12, c.name);
    }
  });

  test("auc matches scikit-learn", () => {
    for (const c of fixtureCases("auc")) {
      const [x, y] = c.args as [MetricInput, MetricInput];
      assertClose(auc(x, y), c.expected, 1e-12, c.name);
    }
  });

  test("hand-computed curve", () => {
    // Scores in decreasing order: 0.8 (pos), 0.4 (neg), 0.35 (pos), 0.1 (neg).
    assert.deepEqual(rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), {
      fpr: [0, 0, 0.5, 0.5, 1],
      tpr: [0, 0.5, 0.5, 1, 1],
      thresholds: [1.8, 0.8, 0.4, 0.35, 0.1],
    });
    // Area of that staircase: 0.5·0.5 + 0.5·1 = 0.75.
    assert.equal(aucRoc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
    // Scores 0.9 (pos), 0.5 (pos and neg, tied), 0.1 (neg): the tie is one threshold, one diagonal step.
    const tied = rocCurve([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1], { dropIntermediate: false });
    assert.deepEqual(tied.thresholds, [1.9, 0.9, 0.5, 0.1]);
    assert.deepEqual(tied.tpr, [0, 0.5, 1, 1]);
    assert.deepEqual(tied.fpr, [0, 0, 0.5, 1]);
    // A tie between a positive and a negative counts as half a correct ordering: (1 + 1 + 0.5 + 1) / 4.
    assert.equal(aucRoc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1]), 3.5 / 4);
    // Collinear points are dropped: three positives then three negatives leave only the corner.
    assert.deepEqual(rocCurve([1, 1, 1, 0, 0, 0], [6, 5, 4, 3, 2, 1]).tpr, [0, 1 / 3, 1, 1]);
  });

  test("one-vs-rest by hand", () => {
    // Column c scores class c. Class 0: perfect (1); class 1: perfect; class 2: one of two pairs inverted.
    const scores = [
      [0.9, 0.05, 0.05],
      [0.1, 0.8, 0.1],
      [0.1, 0.3, 0.6],
      [0.5, 0.1, 0.4],
    ];
    const yTrue = [0, 1, 2, 2];
    // Class 2 positives score 0.6, 0.4; negatives 0.05, 0.1 -> AUC 1. Class 0 positives 0.9 vs 0.1, 0.1, 0.5 -> 1.
    // Class 1 positive 0.8 vs 0.05, 0.3, 0.1 -> 1.
    assert.equal(aucRoc(yTrue, scores), 1);
    scores[3] = [0.5, 0.1, 0.04]; // class 2 positive 0.04 now below both negatives: AUC 0.5 for class 2
    assert.equal(aucRoc(yTrue, scores), (1 + 1 + 0.5) / 3);
    assert.equal(aucRoc(yTrue, scores, { average: "weighted" }), (1 + 1 + 2 * 0.5) / 4);
  });

  test("auc by hand, in either direction", () => {
    assert.equal(auc([0, 1, 2], [0, 1, 1]), 1.5);
    assert.equal(auc([2, 1, 0], [1, 1, 0]), 1.5);
  });

  test("errors", () => {
    assert.throws(() => rocCurve([1, 2, 2], [0.1, 0.2, 0.3]), /pass posLabel/);
    assert.throws(() => rocCurve([0, 1, 2], [0.1, 0.2, 0.3]), /holds 3 labels/);
    assert.throws(() => aucRoc([1, 1, 1], [0.1, 0.2, 0.3]), /only one class/);
    assert.throws(() => aucRoc([0, 0], [[0.5, 0.5], [0.4, 0.6]]), /class 1 never occurs in yTrue/);
    assert.throws(() => aucRoc([0, 1], [0.5, Number.NaN]), /scores\[1\] is NaN/);
    assert.throws(() => auc([0, 2, 1], [1, 1, 1]), /neither increasing nor decreasing/);
    assert.throws(() => auc([0], [1]), /at least 2 points/);
    // NaN used to give an area of NaN (issue 17.9's class of bug).
    assert.throws(() => auc([0, 1], [Number.NaN, 1]), { name: "ValueError", message: "auc: y[0] is NaN; values must be finite" });
    assert.throws(() => auc([0, Number.NaN], [1, 1]), /auc: x\[1\] is NaN/);
  });
});
