import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MetricInput } from "../../src/metrics/input.js";
import { perplexity, perplexityFromLogProbs } from "../../src/metrics/perplexity.js";
import { assertClose, fixtureCases } from "./helpers.js";

describe("metrics/perplexity", () => {
  test("perplexityFromLogProbs matches numpy", () => {
    for (const c of fixtureCases("perplexityFromLogProbs")) {
      assertClose(perplexityFromLogProbs(c.args[0] as MetricInput), c.expected, 1e-12, c.name);
    }
  });

  test("hand-computed", () => {
    // A uniform guess over V tokens has perplexity V.
    assert.ok(Math.abs(perplexity(Math.log(50257)) - 50257) < 1e-9);
    assert.ok(Math.abs(perplexityFromLogProbs([Math.log(0.5), Math.log(0.125)]) - 4) < 1e-12);
    // Any shape; a tensor-like [2, 2] of log(1/3) gives 3.
    const third = Math.log(1 / 3);
    const t = { shape: [2, 2], toTypedArray: () => Float64Array.of(third, third, third, third) };
    assert.ok(Math.abs(perplexityFromLogProbs(t) - 3) < 1e-12);
    assert.equal(perplexityFromLogProbs([0, -Infinity]), Infinity);
  });

  test("errors", () => {
    assert.throws(() => perplexityFromLogProbs([-1, 0.5]), /logProbs\[1\] = 0.5 is not a log-probability/);
    assert.throws(() => perplexityFromLogProbs([]), /empty/);
    assert.throws(() => perplexity(Number.NaN), /NaN/);
  });
});
