import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ValueError } from "../../src/errors.js";
import type { MetricInput } from "../../src/metrics/input.js";
import { type SetWiseOptions, f1, fbeta, precision, recall } from "../../src/metrics/precision-recall.js";
import { assertClose, fixtureCases } from "./helpers.js";

type Scorer = (yTrue: MetricInput, yPred: MetricInput, options?: SetWiseOptions) => number | number[];
const scorers: Record<string, Scorer> = {
  precision: precision as Scorer,
  recall: recall as Scorer,
  f1: f1 as Scorer,
};

describe("metrics/precision-recall", () => {
  for (const fn of ["precision", "recall", "f1", "fbeta"]) {
    test(`${fn} matches scikit-learn`, () => {
      for (const c of fixtureCases(fn)) {
        const options = c.options as SetWiseOptions;
        const [yTrue, yPred, beta] = c.args as [MetricInput, MetricInput, number];
        const actual =
          fn === "fbeta"
            ? (fbeta as (t: MetricInput, p: MetricInput, b: number, o?: SetWiseOptions) => number | number[])(
                yTrue,
                yPred,
                beta,
                options,
              )
            : scorers[fn](yTrue, yPred, options);
        assertClose(actual, c.expected, 1e-12, `${fn} ${c.name} beta=${beta}`);
      }
    });
  }

  // yTrue 0 1 1 1 0 2, yPred 0 1 0 1 1 2
  // class 0: tp 1, pred 2, true 2 -> P 1/2, R 1/2; class 1: tp 2, pred 3, true 3 -> P 2/3, R 2/3;
  // class 2: tp 1, pred 1, true 1 -> P 1, R 1. micro: tp 4 of 6.
  const yTrue = [0, 1, 1, 1, 0, 2];
  const yPred = [0, 1, 0, 1, 1, 2];

  test("hand-computed averages", () => {
    assert.deepEqual(precision(yTrue, yPred, { average: null }), [1 / 2, 2 / 3, 1]);
    assert.equal(precision(yTrue, yPred, { average: "micro" }), 4 / 6);
    assert.equal(recall(yTrue, yPred, { average: "macro" }), (1 / 2 + 2 / 3 + 1) / 3);
    assert.equal(f1(yTrue, yPred, { average: "weighted" }), (2 * (1 / 2) + 3 * (2 / 3) + 1 * 1) / 6);
    // Binary, posLabel 1: tp 2, fp 1, fn 1. F2 = 5·2 / (5·2 + 4·1 + 1) = 10/15.
    assert.equal(fbeta([0, 1, 1, 1, 0], [0, 1, 0, 1, 1], 2), 10 / 15);
    // beta = Infinity gives recall; beta = 0 gives precision.
    assert.equal(fbeta([1, 1, 1, 0], [1, 0, 0, 1], Infinity), 1 / 3);
    assert.equal(fbeta([1, 1, 1, 0], [1, 0, 0, 1], 0), 1 / 2);
  });

  test('zeroDivision "nan" gives NaN per label and is skipped by averages (sklearn >= 1.3)', () => {
    // labels [0,1,2,3]: class 3 is absent from both -> P, R, F all NaN; class 2 never predicted -> P NaN.
    const t = [0, 1, 2, 0];
    const p = [0, 1, 1, 0];
    const per = precision(t, p, { average: null, labels: [0, 1, 2, 3], zeroDivision: "nan" });
    assert.deepEqual(per, [1, 1 / 2, Number.NaN, Number.NaN]);
    assert.equal(precision(t, p, { average: "macro", labels: [0, 1, 2, 3], zeroDivision: "nan" }), 3 / 4);
    // Recall: class 2 has a true sample and no hit -> 0, which is defined.
    assert.equal(recall(t, p, { average: "macro", labels: [0, 1, 2, 3], zeroDivision: "nan" }), (1 + 1 + 0) / 3);
    // F: class 2 has tp 0, fn 1 -> 0; class 3 has nothing -> NaN, skipped.
    assert.deepEqual(f1(t, p, { average: null, labels: [0, 1, 2, 3], zeroDivision: "nan" }), [1, 2 / 3, 0, Number.NaN]);
    assert.ok(Number.isNaN(precision([0, 0], [0, 0], { zeroDivision: "nan" })));
  });

  test("errors", () => {
    assert.throws(() => precision([0, 1, 2], [0, 1, 2]), /average "binary" needs at most 2 labels/);
    assert.throws(() => recall([0, 2], [2, 0], { posLabel: 1 }), /posLabel 1 is not one of the labels \[0,2\]/);
    assert.throws(() => f1([0, 1], [0, 1], { zeroDivision: 2 as 0 }), ValueError);
    assert.throws(() => f1([0, 1], [0, 1], { average: "samples" as "micro" }), ValueError);
    assert.throws(() => fbeta([0, 1], [0, 1], -1), /beta must be >= 0/);
    assert.throws(() => f1([0, 1], [0, 1], { average: "macro", labels: [1, 1] }), /duplicates/);
    assert.throws(() => precision([0, 1], [0, 1, 1]), { name: "ShapeError", message: "precision: yTrue has 2 values but yPred has 3" });
  });
});
