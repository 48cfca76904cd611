import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MetricInput } from "../../src/metrics/input.js";
import { type R2Options, mae, mape, mse, r2, rmse } from "../../src/metrics/regression.js";
import { assertClose, fixtureCases } from "./helpers.js";

const functions: Record<string, (t: MetricInput, p: MetricInput, o?: R2Options) => number> = { mse, rmse, mae, mape, r2 };

describe("metrics/regression", () => {
  for (const [name, fn] of Object.entries(functions)) {
    test(`${name} matches scikit-learn`, () => {
      for (const c of fixtureCases(name)) {
        const [yTrue, yPred] = c.args as [MetricInput, MetricInput];
        assertClose(fn(yTrue, yPred, c.options as R2Options), c.expected, 1e-12, c.name);
      }
    });
  }

  test("hand-computed", () => {
    assert.equal(mse([1, 2, 3], [1, 2, 5]), 4 / 3);
    assert.equal(rmse([0, 0], [3, 4]), Math.sqrt(12.5));
    assert.equal(mae([1, 2, 3], [2, 2, 1]), 1);
    assert.equal(mape([100, 200], [110, 180]), 0.1);
    // A zero target divides by float64 epsilon instead of 0.
    assert.equal(mape([0], [1]), 1 / 2.220446049250313e-16);
    // ȳ = 2, SS_tot = 2, SS_res = 1.
    assert.equal(r2([1, 2, 3], [1, 2, 4]), 0.5);
  });

  test("R² of a constant yTrue, and of fewer than two samples", () => {
    // 0.1 is not exact in binary; a two-pass mean would leave a tiny nonzero SS_tot here.
    assert.equal(r2([0.1, 0.1, 0.1], [0.1, 0.1, 0.1]), 1);
    assert.equal(r2([0.1, 0.1, 0.1], [0.1, 0.2, 0.1]), 0);
    assert.equal(r2([0.1, 0.1, 0.1], [0.1, 0.2, 0.1], { forceFinite: false }), -Infinity);
    assert.ok(Number.isNaN(r2([5], [4])));
  });

  test("errors", () => {
    assert.throws(() => mse([1, 2], [1]), { name: "ShapeError", message: "mse: yTrue has 2 values but yPred has 1" });
    assert.throws(() => mae([1, Infinity], [1, 2]), /yTrue\[1\] is Infinity/);
    assert.throws(() => r2([[1, 2]], [[1, 2]]), /must be a vector/);
  });
});
