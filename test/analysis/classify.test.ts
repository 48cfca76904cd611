import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { classifyHead } from "../../src/analysis/classify.js";
import { headStatistics } from "../../src/analysis/statistics.js";
import { diagonal, previousToken, single, sink, uniform } from "./helpers.js";

const words = (n: number): string[] => Array.from({ length: n }, (_, i) => `w${i}`);
const classOf = (matrix: number[][], tokens: string[], causal: boolean, thresholds = {}): string =>
  classifyHead(headStatistics(single(matrix, tokens, causal), 0, 0), thresholds);

describe("analysis/classify", () => {
  test("the hand-made heads get their classes", () => {
    assert.equal(classOf(previousToken(6), words(6), true), "previous-token");
    assert.equal(classOf(diagonal(6), words(6), false), "positional");
    assert.equal(classOf(sink(6), ["<|endoftext|>", ...words(5)], true), "delimiter/sink");
    assert.equal(classOf(uniform(6, false), words(6), false), "broad");
    assert.equal(classOf(uniform(6, true), words(6), true), "broad");
  });

  test("next-token heads are positional (offset +1)", () => {
    // The last row has no next token and sits on itself: 10 of 11 rows (91%) at +1.
    const next = Array.from({ length: 11 }, (_, q) => Array.from({ length: 11 }, (_, k) => (k === Math.min(10, q + 1) ? 1 : 0)));
    assert.equal(classOf(next, words(11), false), "positional");
    assert.equal(headStatistics(single(next, words(11)), 0, 0).dominantOffset, 1);
    // With 5 tokens it is 4 of 5 (80%), under the 90% of Voita et al.
    const short = Array.from({ length: 5 }, (_, q) => Array.from({ length: 5 }, (_, k) => (k === Math.min(4, q + 1) ? 1 : 0)));
    assert.equal(classOf(short, words(5), false), "other");
  });

  test("[SEP]-and-period heads are delimiter heads; thresholds move the boundaries", () => {
    const tokens = ["[CLS]", "a", "b", ".", "[SEP]", "c"];
    // Each row: 0.3 on [SEP], 0.3 on ".", rest spread over a, b, c — no single offset dominates.
    const matrix = Array.from({ length: 6 }, () => [0, 0.4 / 3, 0.4 / 3, 0.3, 0.3, 0.4 / 3]);
    assert.equal(classOf(matrix, tokens, false), "delimiter/sink");
    assert.equal(classOf(matrix, tokens, false, { delimiterShare: 0.7 }), "broad"); // entropy ≈ 0.88 of log 6
    assert.equal(classOf(matrix, tokens, false, { delimiterShare: 0.7, broadEntropy: 0.95 }), "other");
  });

  test("a head mixing previous-token and content below 90% is not previous-token", () => {
    // Previous token wins rows 1..4 but row 5 puts its mass on key 2: 4 of 5 rows = 80%.
    const m = previousToken(6);
    m[5] = [0, 0, 1, 0, 0, 0];
    assert.equal(classOf(m, words(6), true), "other");
    assert.equal(classOf(m, words(6), true, { positionalShare: 0.8 }), "previous-token");
  });

  test("bad thresholds are named", () => {
    const s = headStatistics(single(diagonal(2), words(2), false), 0, 0);
    assert.throws(() => classifyHead(s, { broadEntropy: 1.5 }), /threshold broadEntropy must be in \[0, 1\], got 1.5/);
  });
});
