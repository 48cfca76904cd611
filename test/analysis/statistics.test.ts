import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createAttentionMaps } from "../../src/analysis/attention-maps.js";
import {
  attentionEntropy, attentionLocality, attentionToPositions, attentionToPunctuation, headStatistics,
  relativePositionAttention, topKeyConnections,
} from "../../src/analysis/statistics.js";
import { isPunctuationToken, punctuationPositions, specialTokenPositions } from "../../src/analysis/token-classes.js";
import { ValueError } from "../../src/errors.js";
import { assertClose, diagonal, previousToken, randomAttention, seededRandom, single, sink, uniform } from "./helpers.js";

const words = (n: number): string[] => Array.from({ length: n }, (_, i) => `w${i}`);
const EPS = 1e-4; // Clark et al.'s smoothing, the default

// Entropy of a smoothed one-hot row over n keys: one weight (1−ε) + ε/n, n − 1 weights ε/n.
function smoothedOneHotEntropy(n: number): number {
  const a = 1 - EPS + EPS / n;
  const b = EPS / n;
  return -a * Math.log(a) - (n - 1) * b * Math.log(b);
}

describe("analysis/statistics on hand-computed matrices", () => {
  test("uniform, no mask: entropy log n, E|i−j| and the ±1 share by hand", () => {
    const s = headStatistics(single(uniform(4, false), words(4)), 0, 0, { window: 1 });
    assert.equal(s.rows, 4);
    assertClose(s.entropy, Math.log(4), 1e-6, "entropy"); // smoothing leaves a uniform row unchanged
    assertClose(s.uniformEntropy, Math.log(4), 1e-12, "uniform entropy");
    assertClose(s.normalizedEntropy, 1, 1e-6, "normalised");
    // Row distances: (0+1+2+3)/4, (1+0+1+2)/4, (2+1+0+1)/4, (3+2+1+0)/4 = 1.5, 1, 1, 1.5.
    assertClose(s.meanDistance, 1.25, 1e-6, "mean distance");
    // Keys within ±1: 2, 3, 3, 2 of 4.
    assertClose(s.withinWindow, 10 / 16, 1e-6, "within ±1");
    assertClose(s.self, 0.25, 1e-6, "self");
    assertClose(s.previous, 0.25, 1e-6, "previous");
    assertClose(s.next, 0.25, 1e-6, "next");
    assertClose(s.first, 0.25, 1e-6, "first");
  });

  test("uniform, causal: compared against log n(q) of the visible keys, first row left out", () => {
    const s = headStatistics(single(uniform(4, true), words(4), true), 0, 0);
    assert.equal(s.rows, 3); // row 0 sees one key
    const expected = (Math.log(2) + Math.log(3) + Math.log(4)) / 3;
    assertClose(s.entropy, expected, 1e-6, "entropy");
    assertClose(s.uniformEntropy, expected, 1e-12, "uniform");
    assertClose(s.previous, (1 / 2 + 1 / 3 + 1 / 4) / 3, 1e-6, "previous");
    assertClose(s.self, (1 / 2 + 1 / 3 + 1 / 4) / 3, 1e-6, "self");
    assert.ok(Number.isNaN(s.next), "no row sees its next token under a causal mask");
    // Distances: (1+0)/2, (2+1+0)/3, (3+2+1+0)/4 = 0.5, 1, 1.5.
    assertClose(s.meanDistance, 1, 1e-6, "mean distance");
  });

  test("one-hot previous token", () => {
    const maps = single(previousToken(5), words(5), true);
    const s = headStatistics(maps, 0, 0);
    assert.equal(s.rows, 4);
    const h = (smoothedOneHotEntropy(2) + smoothedOneHotEntropy(3) + smoothedOneHotEntropy(4) + smoothedOneHotEntropy(5)) / 4;
    assertClose(s.entropy, h, 1e-9, "smoothed entropy");
    assertClose(headStatistics(maps, 0, 0, { entropySmoothing: 0 }).entropy, 0, 0, "unsmoothed entropy");
    assert.equal(s.previous, 1);
    assert.equal(s.self, 0);
    assert.equal(s.meanDistance, 1);
    assert.equal(s.withinWindow, 1);
    assert.equal(s.previousArgmaxShare, 1);
    assert.equal(s.dominantOffset, -1);
    assert.deepEqual(relativePositionAttention(maps, 0, 0), { self: 0, previous: 1, next: Number.NaN });
  });

  test("diagonal", () => {
    const maps = single(diagonal(4), words(4));
    const s = headStatistics(maps, 0, 0);
    assert.equal(s.self, 1);
    assert.equal(s.previous, 0);
    assert.equal(s.next, 0);
    assert.equal(s.meanDistance, 0);
    assert.equal(s.dominantOffset, 0);
    assert.equal(s.dominantOffsetShare, 1);
    assertClose(s.entropy, smoothedOneHotEntropy(4), 1e-9, "entropy");
    assert.deepEqual(attentionLocality(maps, 0, 0, { window: 0 }), { meanDistance: 0, withinWindow: 1, window: 0 });
  });

  test("sink on position 0: first/special attention 1, distance = mean query position", () => {
    const tokens = ["<|endoftext|>", "a", "b", ",", "c"];
    const maps = single(sink(5), tokens, true);
    const s = headStatistics(maps, 0, 0);
    assert.equal(s.first, 1);
    assert.equal(s.special, 1);
    assert.equal(s.punctuation, 0);
    assert.equal(s.delimiterOrSink, 1);
    assertClose(s.meanDistance, (1 + 2 + 3 + 4) / 4, 1e-12, "distance");
    assert.equal(attentionToPositions(maps, 0, 0, [0]), 1);
    assert.equal(attentionToPositions(maps, 0, 0, [3]), 0);
  });

  test("BERT-style [SEP] and punctuation shares", () => {
    // Every row: 0.5 on [SEP] (4), 0.3 on "." (3), 0.2 on [CLS] (0).
    const tokens = ["[CLS]", "the", "cat", ".", "[SEP]"];
    const row = [0.2, 0, 0, 0.3, 0.5];
    const maps = single(Array.from({ length: 5 }, () => [...row]), tokens);
    const s = headStatistics(maps, 0, 0);
    assertClose(s.special, 0.7, 1e-6, "special ([CLS] + [SEP])");
    assertClose(s.punctuation, 0.3, 1e-6, "punctuation");
    assertClose(s.delimiterOrSink, 1, 1e-6, "union");
    assertClose(attentionToPositions(maps, 0, 0, specialTokenPositions(tokens, ["[SEP]"])), 0.5, 1e-6, "[SEP] only");
    assertClose(attentionToPunctuation(maps, 0, 0), 0.3, 1e-6, "punctuation helper");
    assertClose(attentionToPositions(maps, 0, 0, [4, 4]), 0.5, 1e-6, "a repeated position counts once");
  });

  test("rows pool across inputs: the corpus mean weighs each row once", () => {
    const a = single(diagonal(2), words(2)); // 2 rows of self 1
    const b = single(uniform(4, false), words(4)); // 4 rows of self 0.25
    const s = headStatistics([a, b], 0, 0);
    assert.equal(s.rows, 6);
    assertClose(s.self, (2 * 1 + 4 * 0.25) / 6, 1e-6, "pooled self");
  });

  test("entropy helper returns the head's entropy and its uniform baseline", () => {
    const e = attentionEntropy(single(uniform(3, false), words(3)), 0, 0);
    assertClose(e.entropy, Math.log(3), 1e-6, "entropy");
    assertClose(e.uniformEntropy, Math.log(3), 1e-12, "uniform");
  });

  test("a KV-cache map (Q < K, causal): positions measured on the key axis", () => {
    // 2 queries at positions 2 and 3 of 4 keys, each one-hot on its previous token.
    const maps = createAttentionMaps({ weights: [[[[0, 1, 0, 0], [0, 0, 1, 0]]]], keyTokens: words(4), queryTokens: ["w2", "w3"], causal: true });
    const s = headStatistics(maps, 0, 0);
    assert.equal(s.previous, 1);
    assert.equal(s.meanDistance, 1);
    assertClose(s.uniformEntropy, (Math.log(3) + Math.log(4)) / 2, 1e-12, "uniform over 3 and 4 visible keys");
  });

  test("top-k key connections, largest first with stable ties", () => {
    const tokens = ["a", "b", "c"];
    const maps = single([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]], tokens);
    const top = topKeyConnections(maps, 0, 0, 4);
    assert.deepEqual(top.map((c) => [c.query, c.key]), [[1, 1], [0, 0], [2, 2], [2, 0]]);
    assert.equal(top[0]!.queryToken, "b");
    assert.equal(top[3]!.keyToken, "a");
    assertClose(top[3]!.weight, 0.3, 1e-6, "weight");
    assert.deepEqual(topKeyConnections(maps, 0, 0, 0), []);
    assert.throws(() => topKeyConnections(maps, 0, 0, -1), ValueError);
  });

  test("top-k equals a full sort of every visible pair, on random causal maps with ties", () => {
    const random = seededRandom(21);
    // Weights rounded to tenths so ties happen; rows renormalised in float32.
    const matrix = randomAttention(9, random, true).map((row) => {
      const r = row.map((x) => Math.round(x * 10) / 10 + (x > 0 ? 0.1 : 0));
      const sum = r.reduce((a, b) => a + b, 0);
      return r.map((x) => x / sum);
    });
    const maps = single(matrix, words(9), true);
    const all = maps.weights[0]![0]!;
    const pairs: [number, number, number][] = [];
    for (let q = 1; q < 9; q++) for (let k = 0; k <= q; k++) pairs.push([all[q * 9 + k]!, q, k]);
    pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
    for (const k of [1, 5, 17, pairs.length, pairs.length + 3]) {
      assert.deepEqual(topKeyConnections(maps, 0, 0, k).map((c) => [c.weight, c.query, c.key]), pairs.slice(0, k), `k=${k}`);
    }
  });

  test("bad options are named errors", () => {
    const maps = single(diagonal(2), words(2));
    assert.throws(() => headStatistics(maps, 0, 0, { window: -1 }), /window must be an integer >= 0, got -1/);
    assert.throws(() => headStatistics(maps, 0, 0, { entropySmoothing: 1 }), /entropySmoothing must be in \[0, 1\)/);
    assert.throws(() => attentionToPositions(maps, 0, 0, [2]), /position 2 is not in \[0, 2\)/);
  });
});

describe("analysis/token-classes", () => {
  test("punctuation after tokenizer markers", () => {
    for (const t of [",", ".", "Ġ.", "##!", "\u2581?", "...", "\u00bf", "\u3002"]) assert.ok(isPunctuationToken(t), t);
    for (const t of ["a", "Ġ", "##", "[SEP]", "<s>", "a.", "1", "+", ""]) assert.ok(!isPunctuationToken(t), t);
    assert.deepEqual(punctuationPositions(["Hi", ",", "you", "Ġ!"]), [1, 3]);
  });

  test("special tokens by default and by list", () => {
    assert.deepEqual(specialTokenPositions(["[CLS]", "x", "[SEP]", "y", "[SEP]"]), [0, 2, 4]);
    assert.deepEqual(specialTokenPositions(["<|endoftext|>", "x"]), [0]);
    assert.deepEqual(specialTokenPositions(["<s>", "x", "</s>"], ["</s>"]), [2]);
  });
});
