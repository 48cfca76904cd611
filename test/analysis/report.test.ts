import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAttentionMaps } from "../../src/analysis/attention-maps.js";
import { writeAttentionReport } from "../../src/analysis/report-file.js";
import { analyzeAttentionPatterns, attentionReportToJson } from "../../src/analysis/report.js";
import { headStatistics } from "../../src/analysis/statistics.js";
import { assertClose, diagonal, previousToken, sink, uniform } from "./helpers.js";

// A 2-layer, 2-head causal "model": layer 0 = previous-token + broad, layer 1 = sink + positional (self).
function sample(n: number): ReturnType<typeof createAttentionMaps> {
  const tokens = ["<|endoftext|>", ...Array.from({ length: n - 1 }, (_, i) => (i % 3 === 2 ? "," : `w${i}`))];
  return createAttentionMaps({ weights: [[previousToken(n), uniform(n, true)], [sink(n), diagonal(n)]], keyTokens: tokens, causal: true });
}

describe("analysis/report", () => {
  const inputs = [sample(6), sample(9)];
  const report = analyzeAttentionPatterns(inputs, { topK: 3, similarity: true });

  test("shape, settings and per-head classes", () => {
    assert.equal(report.layers, 2);
    assert.equal(report.heads, 2);
    assert.equal(report.inputs, 2);
    assert.equal(report.rows, 5 + 8);
    assert.deepEqual(report.perHead.map((l) => l.map((h) => h.class)), [["previous-token", "broad"], ["delimiter/sink", "positional"]]);
    assert.deepEqual(report.perLayer[0]!.classCounts, { "previous-token": 1, positional: 0, "delimiter/sink": 0, broad: 1, other: 0 });
    assert.deepEqual(report.settings, { window: 2, topK: 3, entropySmoothing: 1e-4, thresholds: { positionalShare: 0.9, delimiterShare: 0.5, broadEntropy: 0.8 } });
  });

  test("per-head statistics are the pooled statistics; per-layer the mean over heads", () => {
    const s = headStatistics(inputs, 0, 1);
    assert.deepEqual(report.perHead[0]![1]!.statistics, s);
    const layer1 = report.perLayer[1]!.statistics;
    const sinkHead = headStatistics(inputs, 1, 0);
    const selfHead = headStatistics(inputs, 1, 1);
    assertClose(layer1.meanDistance, (sinkHead.meanDistance + selfHead.meanDistance) / 2, 1e-12, "layer mean distance");
    assertClose(layer1.entropy, (sinkHead.entropy + selfHead.entropy) / 2, 1e-12, "layer entropy");
    // Depth trend in this toy model: layer 1 attends further back than layer 0 on average.
    assert.ok(report.perLayer[1]!.statistics.meanDistance > report.perLayer[0]!.statistics.meanDistance);
  });

  test("top connections: strongest over all inputs, with input index and tokens", () => {
    const top = report.perHead[1]![1]!.topConnections; // self head: all weights 1
    assert.equal(top.length, 3);
    assert.deepEqual(top.map((c) => [c.input, c.query, c.key, c.weight]), [[0, 1, 1, 1], [0, 2, 2, 1], [0, 3, 3, 1]]);
    assert.equal(top[0]!.keyToken, "w0");
    // Layer mean of sink + self: row q puts ½ on key 0 and ½ on itself.
    assert.ok(report.perLayer[1]!.topConnections.every((c) => Math.abs(c.weight - 0.5) < 1e-6));
  });

  test("similarity matrix is symmetric with a zero diagonal; can be left out", () => {
    const sim = report.similarity!;
    assert.equal(sim.length, 4);
    for (let a = 0; a < 4; a++) {
      assert.equal(sim[a]![a], 0);
      for (let b = 0; b < 4; b++) assert.equal(sim[a]![b], sim[b]![a]);
    }
    assert.equal(analyzeAttentionPatterns(inputs).similarity, null, "off by default");
  });

  test("JSON: NaN written as null, round trip keeps the numbers, writer writes the same text", () => {
    const json = attentionReportToJson(report);
    const parsed = JSON.parse(json) as { perHead: { statistics: { next: number | null; previous: number } }[][] };
    assert.equal(parsed.perHead[0]![0]!.statistics.next, null); // causal: no next token
    assert.equal(parsed.perHead[0]![0]!.statistics.previous, 1);
    assert.ok(json.endsWith("}\n"));
    const dir = mkdtempSync(join(tmpdir(), "loom-analysis-"));
    try {
      const file = join(dir, "report.json");
      writeAttentionReport(file, report);
      assert.equal(readFileSync(file, "utf8"), json);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bad options and mismatched inputs are named errors", () => {
    assert.throws(() => analyzeAttentionPatterns(inputs, { topK: 1.5 }), /topK must be an integer >= 0, got 1.5/);
    assert.throws(() => analyzeAttentionPatterns([]), /analyzeAttentionPatterns: no inputs given/);
    const other = createAttentionMaps({ weights: [[diagonal(2)]], keyTokens: ["a", "b"] });
    assert.throws(() => analyzeAttentionPatterns([inputs[0]!, other]), /input 1 has 1 layers × 1 heads/);
  });
});
