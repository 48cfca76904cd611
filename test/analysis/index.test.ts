import { test } from "node:test";
import assert from "node:assert/strict";
import { analysis } from "../../src/index.js";

test("the analysis namespace is exported from the package root", () => {
  const maps = analysis.createAttentionMaps({ weights: [[[[1, 0], [0.5, 0.5]]]], keyTokens: ["a", "b"], causal: true });
  assert.equal(analysis.analyzeAttentionPatterns(maps).perHead[0]![0]!.statistics.previous, 0.5);
  assert.equal(typeof analysis.attentionHeatmapSvg, "function");
  assert.equal(typeof analysis.attentionFlow, "function");
});
