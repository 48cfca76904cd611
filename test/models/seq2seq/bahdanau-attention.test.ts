import { test } from "node:test";
import assert from "node:assert/strict";
import { autograd, manualSeed, randn, ShapeError, tensor } from "../../../src/index.js";
import { BahdanauAttention } from "../../../src/models/seq2seq/bahdanau-attention.js";
import { sourceMaskFromLengths } from "../../../src/models/seq2seq/masking.js";
import { assertClose, dotProduct, maskedSoftmaxRef, matVec, matrix } from "./attention-helpers.js";

const lengths = [4, 2, 3];

test("Bahdanau: shapes, weights against a loop reference, zero weight on padding", () => {
  manualSeed(0);
  const att = new BahdanauAttention(5, 6, { attentionDim: 7, dtype: "float64" });
  const q = randn([3, 5], { dtype: "float64" });
  const k = randn([3, 4, 6], { dtype: "float64" });
  const mask = sourceMaskFromLengths(lengths, 4);
  const { context, weights } = att.forward(q, k, mask);
  assert.deepEqual(context.shape, [3, 6]);
  assert.deepEqual(weights.shape, [3, 4]);
  const wq = matrix(att.query_proj.weight);
  const wk = matrix(att.key_proj.weight);
  const bk = att.key_proj.bias!.toArray() as number[];
  const v = (att.energy.weight.toArray() as number[][])[0]!;
  const qs = matrix(q);
  const ks = k.toArray() as number[][][];
  const w = matrix(weights);
  const c = matrix(context);
  for (let b = 0; b < 3; b++) {
    const wqq = matVec(wq, qs[b]!);
    const scores = ks[b]!.map((kv) => {
      const wkk = matVec(wk, kv);
      return dotProduct(v, wqq.map((x, a) => Math.tanh(x + wkk[a]! + bk[a]!)));
    });
    const valid = scores.map((_, s) => s < lengths[b]!);
    const expected = maskedSoftmaxRef(scores, valid);
    assertClose(w[b]!, expected, 1e-12, `weights row ${b}`);
    for (let s = lengths[b]!; s < 4; s++) assert.equal(w[b]![s], 0);
    const ctx = ks[b]![0]!.map((_, d) => expected.reduce((acc, e, s) => acc + e * ks[b]![s]![d]!, 0));
    assertClose(c[b]!, ctx, 1e-12, `context row ${b}`);
  }
});

test("Bahdanau: a [B, T, Dq] query gives one weight row per step, equal to the single-step rows", () => {
  manualSeed(1);
  const att = new BahdanauAttention(3, 4);
  const q = randn([2, 5, 3]);
  const k = randn([2, 6, 4]);
  const mask = sourceMaskFromLengths([6, 3], 6);
  const all = att.forward(q, k, mask);
  assert.deepEqual(all.weights.shape, [2, 5, 6]);
  assert.deepEqual(all.context.shape, [2, 5, 4]);
  const step2 = att.forward(q.select(1, 2), k, mask);
  assertClose(all.weights.select(1, 2).toTypedArray() as unknown as number[], step2.weights.toTypedArray() as unknown as number[], 1e-6, "step 2");
  assert.throws(() => att.forward(randn([2, 4]), k, mask), ShapeError);
});

test("Bahdanau: gradcheck in float64 with a padding mask; padded keys get zero gradient", () => {
  manualSeed(2);
  const att = new BahdanauAttention(3, 4, { attentionDim: 5, dtype: "float64" });
  const q = randn([2, 3], { dtype: "float64", requiresGrad: true });
  const k = randn([2, 4, 4], { dtype: "float64", requiresGrad: true });
  const mask = sourceMaskFromLengths([4, 2], 4);
  const params = [att.query_proj.weight, att.key_proj.weight, att.key_proj.bias!, att.energy.weight];
  assert.ok(autograd.gradcheck((qq, kk) => {
    const { context, weights } = att.forward(qq, kk, mask);
    return [context, weights];
  }, [q, k]));
  assert.ok(autograd.gradcheck(() => att.forward(q, k, mask).context, params));
  const { context } = att.forward(q, k, mask);
  context.mul(randn([2, 4], { dtype: "float64" })).sum().backward();
  const gk = k.grad!.toArray() as number[][][];
  for (const s of [2, 3]) assert.deepEqual(gk[1]![s], [0, 0, 0, 0]);
  assert.ok(gk[1]![1]!.some((x) => x !== 0));
  assert.ok(gk[0]![3]!.some((x) => x !== 0));
});

test("Bahdanau: changing a padded key changes nothing", () => {
  manualSeed(3);
  const att = new BahdanauAttention(3, 4);
  const q = randn([1, 3]);
  const k = randn([1, 3, 4]);
  const mask = sourceMaskFromLengths([2], 3);
  const a = att.forward(q, k, mask);
  const changed = tensor((k.toArray() as number[][][]).map((row) => row.map((v, s) => (s === 2 ? v.map((x) => x + 100) : v))));
  const b = att.forward(q, changed, mask);
  assert.deepEqual(a.context.toArray(), b.context.toArray());
  assert.deepEqual(a.weights.toArray(), b.weights.toArray());
});
