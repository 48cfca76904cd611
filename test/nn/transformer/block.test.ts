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
  test("names of torch.nn.TransformerEncoderLayer / TransformerDecoderLayer, and shapes", () => {
    const b = block({ crossAttention: true, norm: "rmsnorm", bias: false });
    assert.deepEqual(b.namedChildren().map(([n]) => n), ["self_attn", "multihead_attn", "linear1", "linear2", "norm1", "norm2", "norm3"]);
    assert.ok(b.norm1 instanceof nn.RMSNorm);
    // The state dict keys of torch.nn.TransformerEncoderLayer(4, 2, 16) (printed by PyTorch 1.13).
    assert.deepEqual([...block({ dFF: 16 }).stateDict().keys()].sort(), [
      "linear1.bias", "linear1.weight", "linear2.bias", "linear2.weight", "norm1.bias", "norm1.weight", "norm2.bias", "norm2.weight",
      "self_attn.in_proj_bias", "self_attn.in_proj_weight", "self_attn.out_proj.bias", "self_attn.out_proj.weight",
    ]);
    assert.deepEqual(b.forward(randn64([2, 3, 4], 1), { context: randn64([2, 5, 4], 2) }).shape, [2, 3, 4]);
    assert.throws(() => b.forward(randn64([2, 3, 4], 1)), /context/);
    assert.throws(() => block({ placement: "middle" as nn.NormPlacement }), /placement/);
  });

  const ffn = (b: nn.TransformerBlock, h: Tensor) => nn.feedForward(h, b.linear1, b.linear2, (z) => ops.gelu(z), 0);

  test("pre-norm: x + self_attn(norm1(x)), then + ff(norm2(·))", () => {
    const b = block({ placement: "pre", causal: true });
    const x = randn64([2, 3, 4], 3);
    const h = ops.add(x, b.self_attn.forward(b.norm1.forward(x), { isCausal: true }).output);
    close(b.forward(x), ops.add(h, ffn(b, b.norm2.forward(h))), 1e-12);
  });

  test("post-norm: norm1(x + self_attn(x)), then norm3(· + ff(·)); with cross-attention (norm2) in between", () => {
    const b = block({ placement: "post", crossAttention: true });
    const x = randn64([2, 3, 4], 4);
    const ctx = randn64([2, 5, 4], 5);
    let h = b.norm1.forward(ops.add(x, b.self_attn.forward(x).output));
    h = b.norm2.forward(ops.add(h, b.multihead_attn!.forward(h, { key: ctx }).output));
    close(b.forward(x, { context: ctx }), b.norm3!.forward(ops.add(h, ffn(b, h))), 1e-12);
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
      [0, 1, 2, 3, 4].map((t) => b.forward(ops.narrow(x, 1, t, 1), { kvCache: cache.layer(0), crossKvCache: cache.crossLayer(0), context: ctx })),
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
