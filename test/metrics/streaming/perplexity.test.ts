import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { perplexityFromLogProbs } from "../../../src/metrics/perplexity.js";
import { Perplexity } from "../../../src/metrics/streaming/perplexity.js";
import { assertClose, fixtureCases, randomChunks } from "../helpers.js";

describe("metrics/streaming/perplexity", () => {
  test("token-weighted batches equal the perplexity of all tokens", () => {
    const [c] = fixtureCases("perplexityFromLogProbs");
    const logProbs = c.args[0] as number[];
    const byMean = new Perplexity();
    const byLogProbs = new Perplexity();
    for (const [start, end] of randomChunks(logProbs.length, 11)) {
      const batch = logProbs.slice(start, end);
      byMean.update(-batch.reduce((a, b) => a + b, 0) / batch.length, batch.length);
      byLogProbs.updateLogProbs(batch);
    }
    assert.equal(byLogProbs.compute(), perplexityFromLogProbs(logProbs));
    assertClose(byMean.compute(), c.expected, 1e-12, "by mean NLL");
    assertClose(byLogProbs.compute(), c.expected, 1e-12, "by log-probs");
  });

  test("hand-computed weighting, and reset", () => {
    const metric = new Perplexity();
    // 3 tokens at NLL 1 and 1 token at NLL 5: mean NLL 2, not the unweighted (1 + 5) / 2 = 3.
    metric.update(1, 3);
    metric.update(5, 1);
    metric.update(100, 0);
    assert.equal(metric.meanNll(), 2);
    assert.equal(metric.compute(), Math.exp(2));
    metric.reset();
    assert.ok(Number.isNaN(metric.compute()));
    assert.throws(() => metric.update(1, 1.5), /tokenCount must be a non-negative integer/);
  });
});
