import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createAttentionMaps } from "../../src/analysis/attention-maps.js";
import { attentionGridSvg, attentionHeatmapSvg, escapeXml, headViewSvg, weightColour } from "../../src/analysis/render.js";
import { checkXml, diagonal, previousToken, randomAttention, seededRandom, uniform } from "./helpers.js";

// Tokens that would break XML if written raw, plus a control character from a byte-level vocabulary.
const NASTY = ["<b>", "a&b", `say "hi"`, "it's", "\u0001x", "Ġ."];

describe("analysis/render", () => {
  const n = NASTY.length;
  const maps = createAttentionMaps({ weights: [[previousToken(n), uniform(n, true)], [diagonal(n), uniform(n, true)]], keyTokens: NASTY, causal: true });

  test("escapeXml", () => {
    assert.equal(escapeXml(`<a href="x">&'</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    assert.equal(escapeXml("a\u0000b\u0007c\td"), "a\ufffdb\ufffdc\td");
    assert.equal(escapeXml("\ud83d\ude00 \ud800"), "\ud83d\ude00 \ufffd"); // a pair is kept, a lone surrogate is not
  });

  test("heatmap: one rect per weight, tokens escaped and readable back", () => {
    const svg = attentionHeatmapSvg(maps, 0, 0);
    const { counts, texts } = checkXml(svg);
    assert.equal(counts.get("svg"), 1);
    assert.equal(counts.get("rect"), n * n);
    assert.equal(counts.get("title"), n * n);
    assert.equal(counts.get("text"), 1 + 2 * n); // title, key labels, query labels
    for (const token of ["<b>", "a&b", `say "hi"`, "it's", "\ufffdx"]) assert.equal(texts.filter((t) => t === token).length, 2, token);
    assert.ok(!svg.includes("\u0001"));
    assert.ok(texts.includes("layer 0, head 0"));
    // Hover text names the pair and weight: query 1 ("a&b") → key 0 ("<b>") with weight 1.
    assert.ok(texts.includes("a&b → <b>: 1.000"));
    // Colours: a cell of weight 1 is the darkest colour, of weight 0 white.
    assert.ok(svg.includes(`fill="${weightColour(1)}"`));
    assert.equal(weightColour(0), "rgb(255,255,255)");
    assert.equal(weightColour(1), "rgb(8,48,107)");
  });

  test("grid: layer × head thumbnails of Q × K cells, block means for long inputs", () => {
    const { counts, texts } = checkXml(attentionGridSvg(maps));
    assert.equal(counts.get("g"), 4);
    assert.equal(counts.get("rect"), 4 * n * n);
    assert.deepEqual(texts.filter((t) => /^[LH]\d$/.test(t)).sort(), ["H0", "H1", "L0", "L1"]);
    const random = seededRandom(5);
    const long = createAttentionMaps({ weights: [[randomAttention(40, random)]], keyTokens: Array.from({ length: 40 }, (_, i) => `t${i}`) });
    assert.equal(checkXml(attentionGridSvg(long, { maxCells: 8 })).counts.get("rect"), 64);
    // Block means of a uniform map are uniform: every thumbnail cell gets the same colour.
    const flat = createAttentionMaps({ weights: [[uniform(10, false)]], keyTokens: Array.from({ length: 10 }, (_, i) => `t${i}`) });
    const fills = new Set([...attentionGridSvg(flat, { maxCells: 3 }).matchAll(/fill="([^"]+)"/g)].map((m) => m[1]));
    assert.deepEqual([...fills], [weightColour(0.1)]);
  });

  test("head view: one line per weight above the minimum, opacity = weight", () => {
    // Layer 0: head 0 previous-token (n one-hot weights), head 1 causal uniform (n(n+1)/2 weights).
    const svg = headViewSvg(maps, 0);
    const { counts, attributes } = checkXml(svg);
    assert.equal(counts.get("line"), n + (n * (n + 1)) / 2);
    assert.equal(counts.get("text"), 1 + 2 * n);
    assert.equal(checkXml(headViewSvg(maps, 0, { heads: [0] })).counts.get("line"), n);
    // Uniform weights 1/6 and up pass 0.17 only in the rows with at most 5 visible keys.
    assert.equal(checkXml(headViewSvg(maps, 0, { heads: [1], minWeight: 0.17 })).counts.get("line"), (n * (n + 1)) / 2 - n);
    assert.ok(attributes.includes("1.000") && attributes.includes("0.500"));
  });

  test("bad options are named", () => {
    assert.throws(() => attentionHeatmapSvg(maps, 0, 0, { cellSize: 0 }), /attentionHeatmapSvg: cellSize must be a finite number > 0, got 0/);
    assert.throws(() => attentionGridSvg(maps, { maxCells: 0 }), /maxCells must be an integer >= 1/);
    assert.throws(() => headViewSvg(maps, 0, { minWeight: 2 }), /minWeight must be in \[0, 1\]/);
    assert.throws(() => headViewSvg(maps, 0, { heads: [5] }), /head 5 is not in \[0, 2\)/);
  });
});
