import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createAttentionMaps } from "../../src/analysis/attention-maps.js";
import { attentionReportMarkdown, depthChartSvg, DEPTH_SERIES } from "../../src/analysis/depth-plot.js";
import { analyzeAttentionPatterns } from "../../src/analysis/report.js";
import { evenlySpacedWindows } from "../../src/analysis/sample.js";
import { checkXml, previousToken, uniform } from "./helpers.js";

describe("analysis/depth-plot and sample", () => {
  // Layer 0: a previous-token head and a broad one; layer 1: two broad heads.
  const maps = createAttentionMaps({ weights: [[previousToken(6), uniform(6, true)], [uniform(6, true), uniform(6, true)]], keyTokens: ["a", "b", "c", "d", "e", "f"], causal: true });
  const report = analyzeAttentionPatterns(maps);

  test("depth chart: a line and a point per layer for each finite series", () => {
    const { counts, texts } = checkXml(depthChartSvg(report));
    // "next" is not drawn; every drawn statistic is finite on a causal map with rows of ≥ 2 keys.
    assert.equal(counts.get("path"), DEPTH_SERIES.length);
    assert.equal(counts.get("circle"), DEPTH_SERIES.length * 2);
    for (const s of DEPTH_SERIES) assert.ok(texts.includes(s.label));
  });

  test("markdown: a row per layer and the non-other heads by class", () => {
    const md = attentionReportMarkdown(report, "T");
    assert.match(md, /^# T\n/);
    assert.equal(md.split("\n").filter((l) => /^\| \d+ \|/.test(l)).length, 2);
    assert.match(md, /- L0 H0: \*\*previous-token\*\*/);
    assert.match(md, /- L1 H1: \*\*broad\*\*/);
  });

  test("evenlySpacedWindows: first and last windows at the ends, short streams, errors", () => {
    const tokens = Int32Array.from({ length: 20 }, (_, i) => i);
    assert.deepEqual(evenlySpacedWindows(tokens, 3, 4), [[0, 1, 2, 3], [8, 9, 10, 11], [16, 17, 18, 19]]);
    assert.deepEqual(evenlySpacedWindows(tokens, 1, 4), [[0, 1, 2, 3]]);
    assert.deepEqual(evenlySpacedWindows([5, 6], 4, 8), [[5, 6]]);
    assert.equal(evenlySpacedWindows(tokens, 50, 19).length, 2); // only two distinct starts
    assert.throws(() => evenlySpacedWindows([], 1, 1), /empty/);
    assert.throws(() => evenlySpacedWindows(tokens, 0, 1), /count must be an integer >= 1/);
  });
});
