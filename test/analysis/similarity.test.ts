import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createAttentionMaps } from "../../src/analysis/attention-maps.js";
import { headSimilarityMatrix, jensenShannonDivergence } from "../../src/analysis/similarity.js";
import { ShapeError } from "../../src/errors.js";
import { assertClose, diagonal, previousToken, randomAttention, seededRandom, uniform } from "./helpers.js";

describe("analysis/similarity", () => {
  test("Jensen–Shannon divergence by hand", () => {
    assert.equal(jensenShannonDivergence([0.2, 0.8], [0.2, 0.8]), 0);
    assertClose(jensenShannonDivergence([1, 0], [0, 1]), Math.log(2), 1e-15, "disjoint");
    // P = (½, ½), Q = (1, 0), M = (¾, ¼).
    const kl = (p: number[], m: number[]): number => p.reduce((s, x, i) => (x > 0 ? s + x * Math.log(x / m[i]!) : s), 0);
    const expected = 0.5 * kl([0.5, 0.5], [0.75, 0.25]) + 0.5 * kl([1, 0], [0.75, 0.25]);
    assertClose(jensenShannonDivergence([0.5, 0.5], [1, 0]), expected, 1e-15, "half/one-hot");
    assert.equal(jensenShannonDivergence([0.5, 0.5], [1, 0]), jensenShannonDivergence([1, 0], [0.5, 0.5]));
    assert.throws(() => jensenShannonDivergence([1], [0.5, 0.5]), ShapeError);
  });

  test("head matrix: identical heads 0, previous-token vs diagonal log 2 on every row", () => {
    const n = 4;
    const maps = createAttentionMaps({ weights: [[diagonal(n), diagonal(n)], [previousToken(n), uniform(n, false)]], keyTokens: ["a", "b", "c", "d"] });
    const m = headSimilarityMatrix(maps);
    const at = (a: number, b: number): number => m[a * 4 + b]!;
    for (let a = 0; a < 4; a++) assert.equal(at(a, a), 0);
    assert.equal(at(0, 1), 0);
    // Row 0 of the previous-token head sits on itself like the diagonal; rows 1..3 are disjoint.
    assertClose(at(0, 2), (3 * Math.log(2)) / 4, 1e-12, "diag vs previous");
    assert.equal(at(2, 0), at(0, 2));
    // One-hot vs uniform over 4: ½·log(1/(5/8)) + ½·(¼·log((¼)/(1/8)))·… — written out:
    const oneHotVsUniform = 0.5 * Math.log(1 / 0.625) + 0.5 * (0.25 * Math.log(0.25 / 0.625) + 3 * 0.25 * Math.log(0.25 / 0.125));
    assertClose(at(0, 3), oneHotVsUniform, 1e-7, "diag vs uniform");
  });

  test("head matrix equals the row mean of the two-logarithm JS formula, on random causal inputs", () => {
    const random = seededRandom(9);
    const tokens = ["a", "b", "c", "d", "e"];
    const inputs = [0, 1].map(() => createAttentionMaps({ weights: [[randomAttention(5, random, true), randomAttention(5, random, true)], [randomAttention(5, random, true), previousToken(5)]], keyTokens: tokens, causal: true }));
    const m = headSimilarityMatrix(inputs);
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        let sum = 0;
        let rows = 0;
        for (const maps of inputs) {
          const wa = maps.weights[a >> 1]![a & 1]!;
          const wb = maps.weights[b >> 1]![b & 1]!;
          for (let q = 1; q < 5; q++) {
            sum += jensenShannonDivergence(wa.subarray(q * 5, q * 5 + q + 1), wb.subarray(q * 5, q * 5 + q + 1));
            rows++;
          }
        }
        assertClose(m[a * 4 + b]!, sum / rows, 1e-12, `heads ${a}, ${b}`);
      }
    }
  });

  test("inputs of different architectures are refused", () => {
    const a = createAttentionMaps({ weights: [[diagonal(2)]], keyTokens: ["a", "b"] });
    const b = createAttentionMaps({ weights: [[diagonal(2), diagonal(2)]], keyTokens: ["a", "b"] });
    assert.throws(() => headSimilarityMatrix([a, b]), /input 1 has 1 layers × 2 heads, input 0 has 1 × 1/);
  });
});
