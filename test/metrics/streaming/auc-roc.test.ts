import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type AucRocOptions, aucRoc } from "../../../src/metrics/roc.js";
import { AucRoc } from "../../../src/metrics/streaming/auc-roc.js";
import { fixtureCases, randomChunks } from "../helpers.js";

describe("metrics/streaming/auc-roc", () => {
  test("streaming in chunks equals the one-shot result (binary and one-vs-rest)", () => {
    fixtureCases("aucRoc").forEach((c, seed) => {
      const [yTrue, scores] = c.args as [number[], number[] | number[][]];
      const options = c.options as AucRocOptions;
      const metric = new AucRoc(options);
      for (const [start, end] of randomChunks(yTrue.length, seed + 3, 30)) {
        metric.update(yTrue.slice(start, end), scores.slice(start, end));
      }
      assert.equal(metric.compute(), aucRoc(yTrue, scores, options), c.name);
    });
  });

  test("hand-computed, reset, and a change of score shape is refused", () => {
    const metric = new AucRoc();
    metric.update([0, 0], [0.1, 0.4]);
    metric.update([1, 1], [0.35, 0.8]);
    assert.equal(metric.compute(), 0.75);
    assert.throws(() => metric.update([0], [[0.2, 0.8]]), /scores had 1 column\(s\) before, now 2/);
    metric.reset();
    metric.update([0], [[0.8, 0.2]]);
    metric.update([1], [[0.3, 0.7]]);
    // Class 0: positive 0.8 vs negative 0.3 -> 1; class 1: positive 0.7 vs negative 0.2 -> 1.
    assert.equal(metric.compute(), 1);
    metric.update([1], [[0.9, 0.1]]);
    // Class 0 (column 0): positive 0.8 vs negatives 0.3, 0.9 -> 1/2.
    // Class 1 (column 1): positives 0.7, 0.1 vs negative 0.2 -> 1/2.
    assert.equal(metric.compute(), 0.5);
  });
});
