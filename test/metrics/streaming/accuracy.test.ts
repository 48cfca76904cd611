import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { accuracy, type AccuracyOptions } from "../../../src/metrics/accuracy.js";
import { Accuracy } from "../../../src/metrics/streaming/accuracy.js";
import { fixtureCases, randomChunks } from "../helpers.js";

describe("metrics/streaming/accuracy", () => {
  test("streaming in chunks equals the one-shot result (labels and top-k scores)", () => {
    fixtureCases("accuracy").forEach((c, seed) => {
      const [yTrue, yPred] = c.args as [number[], number[] | number[][]];
      const options = c.options as AccuracyOptions;
      const metric = new Accuracy(options);
      for (const [start, end] of randomChunks(yTrue.length, seed + 1)) {
        metric.update(yTrue.slice(start, end), yPred.slice(start, end));
      }
      assert.equal(metric.compute(), accuracy(yTrue, yPred, options), c.name);
    });
  });

  test("reset forgets; nothing added gives NaN", () => {
    const metric = new Accuracy();
    assert.ok(Number.isNaN(metric.compute()));
    metric.update([1, 1], [0, 0]);
    metric.reset();
    metric.update([1, 2, 3], [1, 2, 0]);
    assert.equal(metric.compute(), 2 / 3);
  });

  test("a NaN label in a batch is an error, not a miss", () => {
    const metric = new Accuracy();
    assert.throws(() => metric.update([0, 1], [Number.NaN, 1]), { name: "ValueError", message: /Accuracy: yPred\[0\] is NaN/ });
  });
});
