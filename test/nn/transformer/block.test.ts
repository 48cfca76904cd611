/**
 * TransformerBlock: residual wiring for pre/post placement against explicit compositions of its own
 * submodules, gradchecks for each norm × placement (and cross-attention, RoPE, SwiGLU), KV-cache
 * decoding through a block. Shapes: x [B, T, C], context [B, S, C].
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, manualSeed, nn, noGrad, ops, tensor } from "../../../src/index.js";
import { check, flat, randn64 } from "../../ops/helpers.js";

function block(config: Partial<nn.TransformerBlockConfig> = {}): nn.TransformerBlock {
  manualSeed(5);
  const b = new nn.TransformerBlock({ dModel: 4, numHeads: 2, dFF: 6, dtype: "float64", ...config });
  // Non-trivial norm weights so that their gradients are exercised.
  for (const [name, p] of b.namedParameters()) if (name.startsWith("ln")) nn.init.uniform(p, 0.5, 1.5);
  return b;
}

function close(a: Tensor, b: Tensor, tol: number): void {
  const x = flat(a);
  const y = flat(b);
  assert.deepEqual(a.shape, b.shape);
  x.forEach((v, i) => assert.ok(Math.abs(v - (y[i] as number)) <= tol * (1 + Math.abs(y[i] as number)), `${i}: ${v} vs ${y[i]}`));
}

describe("TransformerBlock", () => {
  test("submodule names (Hugging Face GPT-2) and shapes", () => {
    const b = block({ crossAttention: true, norm: "rmsnorm", bias: false });
    assert.deepEqual(b.namedChildren().map(([n]) => n), ["ln_1", "attn", "ln_cross_attn", "crossattention", "ln_2", "mlp"]);
    assert.ok(b.ln_1 instanceof nn.RMSNorm);
    assert.deepEqual(b.forward(randn64([2, 3, 4], 1), { context: randn64([2, 5, 4], 2) }).shape, [2, 3, 4]);
    assert.throws(() => b.forward(randn64([2, 3, 4], 1)), /context/);
    assert.throws(() => block({ placement: "middle" as nn.NormPlacement }), /placement/);
  });

  test("pre-norm: x + attn(ln_1(x)), then + mlp(ln_2(·))", () => {
    const b = block({ placement: "pre", causal: true });
    const x = randn64([2, 3, 4], 3);
    const h = ops.add(x, b.attn.forward(b.ln_1.forward(x)).output);
    close(b.forward(x), ops.add(h, b.mlp.forward(b.ln_2.forward(h))), 1e-12);
  });

  test("post-norm: ln_1(x + attn(x)), then ln_2(· + mlp(·)); with cross-attention in between", () => {
    const b = block({ placement: "post", crossAttention: true });
    const x = randn64([2, 3, 4], 4);
    const ctx = randn64([2, 5, 4], 5);
    let h = b.ln_1.forward(ops.add(x, b.attn.forward(x).output));
    h = b.ln_cross_attn!.forward(ops.add(h, b.crossattention!.forward(h, { context: ctx }).output));
    close(b.forward(x, { context: ctx }), b.ln_2.forward(ops.add(h, b.mlp.forward(h))), 1e-12);
  });

  for (const norm of ["layernorm", "rmsnorm"] as const) {
    for (const placement of ["pre", "post"] as const) {
      test(`gradcheck (float64): ${norm}, ${placement}-norm, causal`, () => {
        const b = block({ norm, placement, causal: true, normEps: 1e-5 });
        check((x) => b.forward(x), [randn64([2, 3, 4], 6).requiresGrad_(), ...b.parameters()]);
      });
    }
  }

  test("gradcheck (float64): cross-attention with context padding, RoPE, SwiGLU", () => {
    const b = block({ crossAttention: true, positional: "rope", activation: "swiglu", causal: true });
    const contextMask = tensor([[[[1, 1, 1, 0]]], [[[1, 1, 1, 1]]]], { dtype: "bool" });
    check((x, c) => b.forward(x, { context: c, contextMask }), [randn64([2, 3, 4], 7).requiresGrad_(), randn64([2, 4, 4], 8).requiresGrad_(), ...b.parameters()]);
  });

  test("decoding with self- and cross-attention caches equals the full forward", () => {
    const b = block({ crossAttention: true, positional: "alibi", causal: true });
    const x = randn64([2, 5, 4], 9);
    const ctx = randn64([2, 3, 4], 10);
    const full = noGrad(() => b.forward(x, { context: ctx }));
    const cache = new nn.KVCache();
    const steps = noGrad(() =>
      [0, 1, 2, 3, 4].map((t) => b.forward(ops.narrow(x, 1, t, 1), { kvCache: cache.layer(0), crossKvCache: cache.layer(1), context: ctx })),
    );
    close(ops.cat(steps, 1), full, 1e-12);
  });

  test("dropout makes training outputs differ from eval and is seeded", () => {
    const b = block({ dropout: 0.3 });
    const x = randn64([2, 3, 4], 11);
    manualSeed(9);
    const a = flat(b.forward(x));
    manualSeed(9);
    assert.deepEqual(flat(b.forward(x)), a);
    b.eval();
    assert.notDeepEqual(flat(b.forward(x)), a);
  });

  test("float32 block (ALiBi, padding mask, SwiGLU) agrees with its float64 copy", () => {
    const b64 = block({ positional: "alibi", activation: "swiglu", causal: true, norm: "rmsnorm" });
    manualSeed(5);
    const b32 = new nn.TransformerBlock({ dModel: 4, numHeads: 2, dFF: 6, positional: "alibi", activation: "swiglu", causal: true, norm: "rmsnorm" });
    b32.loadStateDict(new Map([...b64.stateDict()].map(([k, t]) => [k, ops.to(t, "float32")])));
    const pad = tensor([[[[1, 1, 1, 0]]], [[[1, 1, 1, 1]]]], { dtype: "bool" });
    const x = randn64([2, 4, 4], 12);
    const y32 = b32.forward(ops.to(x, "float32"), { mask: pad });
    assert.equal(y32.dtype, "float32");
    close(ops.to(y32, "float64"), b64.forward(x, { mask: pad }), 1e-4);
  });
});
