/**
 * MultiHeadAttention: shapes and parameter layout, the projection/split/merge arithmetic against an
 * explicit per-head computation, gradchecks (plain, RoPE, ALiBi, cross), and KV-cache decoding equal to
 * the full causal forward. Shapes: B batch, T/S lengths, C = embedDim, H heads, D = C / H.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, manualSeed, nn, noGrad, ops, tensor } from "../../../src/index.js";
import { check, flat, randn64 } from "../../ops/helpers.js";

function close(a: Tensor, b: Tensor, tol: number, what: string): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const x = flat(a);
  const y = flat(b);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs((x[i] as number) - (y[i] as number)) <= tol * (1 + Math.abs(y[i] as number)), `${what}[${i}]: ${x[i]} vs ${y[i]}`);
}

function mha(C: number, H: number, options: nn.MultiHeadAttentionOptions = {}): nn.MultiHeadAttention {
  manualSeed(3);
  return new nn.MultiHeadAttention(C, H, { dtype: "float64", ...options });
}

describe("MultiHeadAttention", () => {
  test("parameter names and shapes: torch.nn.MultiheadAttention's (in_proj_weight/bias, out_proj; q/k/v_proj_weight for kdim/vdim)", () => {
    const self = mha(6, 2);
    assert.deepEqual(self.namedParameters().map(([n, p]) => [n, p.shape]), [
      ["in_proj_weight", [18, 6]], ["in_proj_bias", [18]], ["out_proj.weight", [6, 6]], ["out_proj.bias", [6]],
    ]);
    const cross = mha(6, 3, { kdim: 5, vdim: 4, bias: false });
    assert.deepEqual(cross.namedParameters().map(([n, p]) => [n, p.shape]), [
      ["q_proj_weight", [6, 6]], ["k_proj_weight", [6, 5]], ["v_proj_weight", [6, 4]], ["out_proj.weight", [6, 6]],
    ]);
    assert.throws(() => new nn.MultiHeadAttention(6, 4), /divisible/);
    assert.throws(() => mha(6, 2, { kdim: 5 }).forward(randn64([1, 2, 6], 1)), /kdim/);
  });

  test("output [B,T,C] and per-head weights [B,H,T,S]; averaged weights [B,T,S]", () => {
    const m = mha(6, 2);
    const x = randn64([2, 4, 6], 1);
    const { output, weights } = m.forward(x, { needWeights: true });
    assert.deepEqual(output.shape, [2, 4, 6]);
    assert.deepEqual(weights?.shape, [2, 2, 4, 4]);
    assert.deepEqual(m.forward(x, { needWeights: true, averageWeights: true }).weights?.shape, [2, 4, 4]);
    assert.equal(m.forward(x).weights, null);
    const cross = mha(6, 3, { kdim: 5, vdim: 4 });
    const r = cross.forward(x, { key: randn64([2, 7, 5], 2), value: randn64([2, 7, 4], 2), needWeights: true });
    assert.deepEqual(r.output.shape, [2, 4, 6]);
    assert.deepEqual(r.weights?.shape, [2, 3, 4, 7]);
    assert.throws(() => m.forward(randn64([2, 4, 5], 3)), /input/);
  });

  test("equals an explicit per-head computation (softmax(q_h k_hᵀ/√D) v_h, concat, output projection)", () => {
    const m = mha(6, 2);
    const x = randn64([2, 3, 6], 4);
    const y = m.forward(x, { isCausal: true }).output;
    const qkv = ops.linear(x, m.in_proj_weight as Tensor, m.in_proj_bias); // [B, T, 3C]
    const heads: Tensor[] = [];
    for (let h = 0; h < 2; h++) {
      const q = ops.narrow(qkv, 2, h * 3, 3);
      const k = ops.narrow(qkv, 2, 6 + h * 3, 3);
      const v = ops.narrow(qkv, 2, 12 + h * 3, 3);
      const s = ops.mul(ops.matmul(q, ops.transpose(k, 1, 2)), 1 / Math.sqrt(3));
      const future = ops.triu(tensor([[1, 1, 1], [1, 1, 1], [1, 1, 1]], { dtype: "bool" }), 1);
      heads.push(ops.matmul(ops.softmax(ops.maskedFill(s, future, -Infinity), -1), v));
    }
    const expected = ops.linear(ops.cat(heads, 2), m.out_proj.weight, m.out_proj.bias);
    close(y, expected, 1e-12, "output");
  });

  test("gradcheck (float64): self-attention with padding mask + causal, and cross-attention", () => {
    const m = mha(4, 2);
    const pad = tensor([[[[1, 1, 0]]], [[[1, 1, 1]]]], { dtype: "bool" });
    check((x) => m.forward(x, { mask: pad, isCausal: true }).output, [randn64([2, 3, 4], 5).requiresGrad_(), ...m.parameters()]);
    const cross = mha(4, 2, { kdim: 3, vdim: 5 });
    check((x, k, v) => cross.forward(x, { key: k, value: v }).output, [
      randn64([2, 3, 4], 6).requiresGrad_(), randn64([2, 4, 3], 7).requiresGrad_(), randn64([2, 4, 5], 17).requiresGrad_(), ...cross.parameters(),
    ]);
  });

  test("gradcheck (float64): RoPE and ALiBi", () => {
    const rope = mha(4, 2, { positional: "rope", causal: true });
    check((x) => rope.forward(x).output, [randn64([2, 4, 4], 8).requiresGrad_(), ...rope.parameters()]);
    const alibi = mha(4, 2, { positional: "alibi", causal: true });
    const pad = tensor([[[[1, 1, 1, 0]]], [[[1, 1, 1, 1]]]], { dtype: "bool" });
    check((x) => alibi.forward(x, { mask: pad }).output, [randn64([2, 4, 4], 9).requiresGrad_(), ...alibi.parameters()]);
  });

  test("attention dropout is on in training only and reproducible by seed", () => {
    const m = mha(4, 2, { dropout: 0.5 });
    const x = randn64([2, 3, 4], 10);
    manualSeed(1);
    const a = flat(m.forward(x).output);
    manualSeed(1);
    const b = flat(m.forward(x).output);
    assert.deepEqual(a, b);
    m.eval();
    const e1 = flat(m.forward(x).output);
    assert.notDeepEqual(a, e1);
    assert.deepEqual(e1, flat(m.forward(x).output));
  });
});

describe("KV cache", () => {
  for (const positional of ["none", "rope", "alibi"] as const) {
    test(`step-by-step decoding equals the full causal forward (${positional})`, () => {
      const m = mha(8, 2, { positional, causal: true });
      const x = randn64([2, 7, 8], 11);
      const full = noGrad(() => m.forward(x).output);
      const cache = new nn.KVCache(2); // small capacity: exercises buffer growth
      const steps: Tensor[] = [];
      noGrad(() => {
        steps.push(m.forward(ops.narrow(x, 1, 0, 3), { kvCache: cache.layer(0) }).output); // prompt of 3
        for (let t = 3; t < 7; t++) steps.push(m.forward(ops.narrow(x, 1, t, 1), { kvCache: cache.layer(0) }).output);
      });
      assert.equal(cache.length, 7);
      close(ops.cat(steps, 1), full, 1e-12, `${positional} cached`);
    });
  }

  test("the cache appends in place: each step projects only its new token", () => {
    const m = mha(4, 2, { causal: true });
    const cache = new nn.LayerKVCache(16);
    const x = randn64([1, 5, 4], 12);
    noGrad(() => {
      m.forward(ops.narrow(x, 1, 0, 4), { kvCache: cache });
      const before = cache.get()?.keys.storage;
      m.forward(ops.narrow(x, 1, 4, 1), { kvCache: cache });
      assert.equal(cache.get()?.keys.storage, before, "same buffer, no reallocation");
    });
    assert.equal(cache.length, 5);
    assert.deepEqual(cache.get()?.keys.shape, [1, 2, 5, 2]);
    assert.throws(() => cache.append(randn64([2, 2, 1, 2], 1), randn64([2, 2, 1, 2], 2)), /match/);
    cache.reset();
    assert.equal(cache.length, 0);
  });

  test("cross-attention keys/values are computed at the first step and reused", () => {
    const m = mha(4, 2, { kdim: 3, vdim: 3 });
    const ctx = randn64([2, 5, 3], 13);
    const x = randn64([2, 3, 4], 14);
    const full = noGrad(() => m.forward(x, { key: ctx }).output);
    const cache = new nn.LayerKVCache();
    const steps = noGrad(() => [0, 1, 2].map((t) => m.forward(ops.narrow(x, 1, t, 1), { key: ctx, kvCache: cache }).output));
    assert.equal(cache.length, 5);
    close(ops.cat(steps, 1), full, 1e-12, "cross cached");
  });

  test("reorder keeps the selected batch rows (beam search)", () => {
    const cache = new nn.LayerKVCache();
    const k = randn64([3, 1, 2, 2], 15);
    cache.append(k, k);
    cache.reorder(tensor([2, 0], { dtype: "int32" }));
    const keys = cache.get()?.keys as Tensor;
    assert.deepEqual(keys.shape, [2, 1, 2, 2]);
    assert.deepEqual(flat(keys), [...flat(ops.select(k, 0, 2)), ...flat(ops.select(k, 0, 0))]);
  });
});
