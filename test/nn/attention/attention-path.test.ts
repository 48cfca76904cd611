/**
 * The one attention path (nn/attention/attention.ts) and T5's relative positions: buckets against
 * values written out from T5's formula (fixture: scripts/fixtures/t5_relative_position.py); the path
 * against an explicit computation with key padding, a differentiable position bias and a scale; the
 * bias's gradient into RelativePositionBias; the cross-attention cache filled once; the self cache under
 * autograd. Shapes: B batch, T queries, S keys, H heads, D head dim, C = H·D.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type Tensor, manualSeed, nn, noGrad, ops, tensor } from "../../../src/index.js";
import { check, flat, randn64 } from "../../ops/helpers.js";

interface BucketCase {
  bidirectional: boolean;
  num_buckets: number;
  max_distance: number;
  buckets: number[];
}
const fixture = JSON.parse(readFileSync(new URL("../../fixtures/t5/relative-position.json", import.meta.url), "utf8")) as { positions: number[]; cases: BucketCase[] };

function close(a: Tensor, b: Tensor, tol: number, what: string): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const [x, y] = [flat(a), flat(b)];
  x.forEach((v, i) => assert.ok(Math.abs(v - (y[i] as number)) <= tol * (1 + Math.abs(y[i] as number)), `${what}[${i}]: ${v} vs ${y[i]}`));
}

/** softmax(q kᵀ · scale + bias, masked) v per head, heads split from [B, L, C] by hand. */
function explicit(q: Tensor, k: Tensor, v: Tensor, H: number, scale: number, bias: Tensor, padded: Tensor): Tensor {
  const [B, T, C] = q.shape as [number, number, number];
  const S = k.shape[1] as number;
  const D = C / H;
  const heads = (x: Tensor, L: number) => ops.transpose(ops.reshape(x, [B, L, H, D]), 1, 2);
  const scores = ops.add(ops.mul(ops.matmul(heads(q, T), ops.transpose(heads(k, S), 2, 3)), scale), bias); // [B, H, T, S]
  const masked = ops.maskedFill(scores, ops.reshape(padded, [B, 1, 1, S]), -Infinity);
  const out = ops.matmul(ops.softmax(masked, -1), heads(v, S)); // [B, H, T, D]
  return ops.reshape(ops.transpose(out, 1, 2), [B, T, C]);
}

describe("attention path", () => {
  test("T5 relative-position buckets equal T5's formula (bidirectional and causal, three sizes)", () => {
    for (const c of fixture.cases) {
      const options = { bidirectional: c.bidirectional, numBuckets: c.num_buckets, maxDistance: c.max_distance };
      const ours = fixture.positions.map((r) => nn.relativePositionBucket(r, options));
      assert.deepEqual(ours, c.buckets, JSON.stringify(options));
    }
    // [T, S] table: query i, key j → bucket(j − i), queries offset to the last T of S.
    const table = nn.relativePositionBuckets(2, 4, { bidirectional: false, offset: 2 });
    assert.deepEqual(table.toArray(), [[2, 1, 0, 0], [3, 2, 1, 0]]);
  });

  test("key padding + differentiable position bias + scale equal the explicit computation; gradcheck", () => {
    const [q, k, v] = [randn64([2, 3, 4], 1), randn64([2, 5, 4], 2), randn64([2, 5, 4], 3)].map((t) => t.requiresGrad_());
    const bias = randn64([1, 2, 3, 5], 4).requiresGrad_();
    const keep = tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], { dtype: "bool" });
    const run = (a: Tensor, b: Tensor, c: Tensor, p: Tensor) =>
      nn.multiHeadAttention(a, { k: b, v: c }, { numHeads: 2, keyPaddingMask: keep, positionBias: p, scale: 1 }).output;
    const padded = tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], { dtype: "bool" });
    close(run(q as Tensor, k as Tensor, v as Tensor, bias), explicit(q as Tensor, k as Tensor, v as Tensor, 2, 1, bias, padded), 1e-12, "output");
    check(run, [q as Tensor, k as Tensor, v as Tensor, bias]);
  });

  test("RelativePositionBias: [1, H, T, S] from its relative_attention_bias embedding, with a gradient through attention", () => {
    manualSeed(2);
    const rpb = new nn.RelativePositionBias(2, { bidirectional: true, numBuckets: 8, maxDistance: 16, dtype: "float64" });
    assert.deepEqual(rpb.namedParameters().map(([n, p]) => [n, p.shape]), [["relative_attention_bias.weight", [8, 2]]]);
    const bias = rpb.forward(3, 4, 0);
    assert.deepEqual(bias.shape, [1, 2, 3, 4]);
    const w = rpb.relative_attention_bias.weight.toArray() as number[][];
    const buckets = nn.relativePositionBuckets(3, 4, { bidirectional: true, numBuckets: 8, maxDistance: 16 }).toArray() as number[][];
    (bias.toArray() as number[][][][])[0]!.forEach((head, h) => head.forEach((row, i) => row.forEach((x, j) => assert.equal(x, w[buckets[i]![j]!]![h]))));
    const q = randn64([1, 3, 4], 5);
    const kv = randn64([1, 4, 4], 6);
    check((weight) => {
      void weight;
      return nn.multiHeadAttention(q, { k: kv, v: kv }, { numHeads: 2, positionBias: rpb.forward(3, 4, 0) }).output;
    }, [rpb.relative_attention_bias.weight]);
  });

  test("cross-attention keys/values are computed once per source, then read from the cache", () => {
    const q = randn64([2, 1, 4], 7);
    const ctx = randn64([2, 6, 4], 8);
    const cache = new nn.LayerKVCache();
    let computed = 0;
    const source = () => {
      computed++;
      return { k: ctx, v: ctx };
    };
    const first = noGrad(() => nn.multiHeadAttention(q, source, { numHeads: 2, cross: true, cache }).output);
    const second = noGrad(() => nn.multiHeadAttention(q, source, { numHeads: 2, cross: true, cache }).output);
    assert.equal(computed, 1);
    assert.equal(cache.length, 6);
    close(second, first, 0, "same result from the cache");
    close(first, nn.multiHeadAttention(q, { k: ctx, v: ctx }, { numHeads: 2 }).output, 1e-12, "equals uncached");
    // Reordering rows (beam search) selects the cached rows.
    cache.reorder(tensor([1, 1, 0], { dtype: "int32" }));
    assert.deepEqual(cache.get()?.keys.shape, [3, 2, 6, 2]);
  });
});
