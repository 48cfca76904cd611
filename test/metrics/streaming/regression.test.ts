import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MetricInput } from "../../../src/metrics/input.js";
import { type R2Options, mae, mse, r2, rmse } from "../../../src/metrics/regression.js";
import {
  MeanAbsoluteError,
  MeanSquaredError,
  R2Score,
  RootMeanSquaredError,
} from "../../../src/metrics/streaming/regression.js";
import type { StreamingMetric } from "../../../src/metrics/streaming/metric.js";
import { assertClose, fixtureCases, randomChunks } from "../helpers.js";

type OneShot = (t: MetricInput, p: MetricInput, o?: R2Options) => number;
const pairs: Array<[string, OneShot, (o: R2Options) => StreamingMetric<number>]> = [
  ["mse", mse, () => new MeanSquaredError()],
  ["rmse", rmse, () => new RootMeanSquaredError()],
  ["mae", mae, () => new MeanAbsoluteError()],
  ["r2", r2, (o) => new R2Score(o)],
];

describe("metrics/streaming/regression", () => {
  for (const [name, oneShot, make] of pairs) {
    test(`${name}: streaming in chunks equals the one-shot result and scikit-learn`, () => {
      fixtureCases(name).forEach((c, seed) => {
        const [yTrue, yPred] = c.args as [number[], number[]];
        const options = c.options as R2Options;
        const metric = make(options);
        metric.update([99], [0]); // forgotten by reset
        metric.reset();
        for (const [start, end] of randomChunks(yTrue.length, seed + 7)) {
          // [n, 1] column chunks, as a model's output would be.
          metric.update(
            yTrue.slice(start, end).map((v) => [v]),
            yPred.slice(start, end),
          );
        }
        assert.equal(metric.compute(), oneShot(yTrue, yPred, options), c.name);
        assertClose(metric.compute(), c.expected, 1e-12, c.name);
      });
    });
  }

  test("R² by hand over two chunks", () => {
    const metric = new R2Score();
    metric.update([1, 2], [1, 2]);
    metric.update([3], [4]);
    assert.equal(metric.compute(), 0.5);
    metric.reset();
    assert.ok(Number.isNaN(metric.compute()));
  });
});
