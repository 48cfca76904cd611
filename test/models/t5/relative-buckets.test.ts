/**
 * T5's relative-position buckets at the edges of each range, hand-derived from the formula for
 * t5-small's settings (32 buckets, max distance 128), r = key − query:
 *   encoder (bidirectional): 16 buckets a side, exact for n = |r| < 8; log-spaced after:
 *     8 + ⌊ln(n/8) / ln(16) · 8⌋ → n = 11: 8 (0.92), n = 12: 9 (1.17), n = 127: 15 (7.98), n ≥ 128: 15 (capped);
 *     r > 0 adds 16 (r = 1 → 17, r = 128 → 31);
 *   decoder (causal): 32 buckets for n = max(−r, 0), exact below 16; 16 + ⌊ln(n/16) / ln(8) · 16⌋ →
 *     n = 127: 31 (15.94), n = 128: 31 (capped); every future key (r > 0) is bucket 0.
 * The full-table comparison over r ∈ [−300, 300] lives in test/nn/attention (fixture from T5's formula);
 * here the same edges go through T5Attention.positionBias, and the decoder's bias for a cached step
 * (offset) equals the matching rows of the uncached bias.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, noGrad } from "../../../src/index.js";
import { relativePositionBucket } from "../../../src/nn/attention/relative-position.js";
import { T5ForConditionalGeneration } from "../../../src/models/t5/index.js";

const small = { numBuckets: 32, maxDistance: 128 };

test("T5 relative buckets at the range edges, both directions (t5-small settings)", () => {
  const encoder: [number, number][] = [[0, 0], [-1, 1], [-7, 7], [-8, 8], [-11, 8], [-12, 9], [-127, 15], [-128, 15], [-300, 15], [1, 17], [7, 23], [8, 24], [127, 31], [128, 31]];
  for (const [r, b] of encoder) assert.equal(relativePositionBucket(r, { bidirectional: true, ...small }), b, `encoder r=${r}`);
  const decoder: [number, number][] = [[5, 0], [1, 0], [0, 0], [-1, 1], [-15, 15], [-16, 16], [-127, 31], [-128, 31], [-1000, 31]];
  for (const [r, b] of decoder) assert.equal(relativePositionBucket(r, { bidirectional: false, ...small }), b, `decoder r=${r}`);
});

test("T5Attention.positionBias: bias = relative_attention_bias[bucket] per head; a cached step's rows equal the full table's", () => {
  manualSeed(0);
  const m = new T5ForConditionalGeneration({
    vocab_size: 13, d_model: 8, d_kv: 3, d_ff: 10, num_layers: 1, num_heads: 2, relative_attention_num_buckets: 32, relative_attention_max_distance: 128, n_positions: 200,
  });
  const enc = m.encoder.block.at(0).selfAttention;
  const dec = m.decoder.block.at(0).selfAttention;
  noGrad(() => {
    const W = enc.relative_attention_bias?.weight.toArray() as number[][];
    const bias = enc.positionBias(1, 140, 0).toArray() as number[][][][]; // query 0 over keys 0 … 139: r = 0 … 139
    for (const [key, bucket] of [[1, 17], [7, 23], [8, 24], [139, 31]] as const) {
      for (let h = 0; h < 2; h++) assert.equal(bias[0]?.[h]?.[0]?.[key], W[bucket]?.[h]);
    }
    const full = dec.positionBias(6, 6, 0).toArray() as number[][][][];
    const step = dec.positionBias(1, 6, 5).toArray() as number[][][][]; // the 6th position after 5 cached
    for (let h = 0; h < 2; h++) assert.deepEqual(step[0]?.[h]?.[0], full[0]?.[h]?.[5]);
  });
});
