/**
 * Transformer components against PyTorch 1.13 (fixture: scripts/fixtures/transformer.py): fused
 * attention (causal top-left and bottom-right, padding and additive masks), nn.MultiheadAttention
 * (self and cross, with weights copied in), the sinusoidal table, RoPE, ALiBi slopes and bias,
 * FeedForward (GELU, tanh-GELU, SwiGLU), TransformerEncoderLayer pre-/post-norm blocks and a
 * LLaMA-style RMSNorm/RoPE/SwiGLU block. Forward values and input gradients, in float64, to 1e-5
 * relative (with a 1e-9 absolute floor for values near zero).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type Tensor, nn, ops } from "../../../src/index.js";
import { type FixtureTensor, assertAllClose, fromFixture } from "../helpers.js";

interface Case {
  inputs: Record<string, FixtureTensor>;
  weights: Record<string, FixtureTensor>;
  options: Record<string, unknown>;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  mask?: FixtureTensor;
  keep?: FixtureTensor;
  attn_weights?: FixtureTensor;
  slopes?: Record<string, number[]>;
}

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/transformer/torch.json", import.meta.url), "utf8")) as { cases: Record<string, Case> };

function get(name: string): Case {
  const c = fixture.cases[name];
  assert.ok(c, `fixture case ${name}`);
  return c;
}

const [RTOL, ATOL] = [1e-5, 1e-9];

/** Leaves for the case's inputs, the forward via `run`, then value and gradient checks. */
function verify(name: string, run: (ins: Record<string, Tensor>, c: Case) => Tensor): void {
  const c = get(name);
  const ins: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.inputs)) ins[k] = fromFixture(t, "float64", k in c.grads);
  const out = run(ins, c);
  assertAllClose(out, c.output, RTOL, ATOL, `${name} output`);
  if (Object.keys(c.grads).length === 0) return;
  ops.sum(ops.mul(out, fromFixture(c.upstream))).backward();
  for (const [k, g] of Object.entries(c.grads)) assertAllClose(ins[k]?.grad as Tensor, g, RTOL, ATOL, `${name} grad ${k}`);
}

/** Copies the case's weights (loom state-dict names) into the module; every parameter must be given. */
function load<M extends nn.Module>(m: M, c: Case): M {
  const state: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.weights)) state[k] = fromFixture(t);
  m.loadStateDict(state);
  return m;
}

function boolMask(t: FixtureTensor, shape: number[]): Tensor {
  return ops.ne(fromFixture(t).reshape(...shape), 0);
}

describe("transformer components vs PyTorch 1.13", () => {
  test("scaledDotProductAttention: causal (top-left), causal bottom-right, padding mask with scale, additive mask", () => {
    const sdpa = nn.functional.scaledDotProductAttention;
    verify("sdpa_causal", ({ q, k, v }) => sdpa(q as Tensor, k as Tensor, v as Tensor, { isCausal: true }));
    verify("sdpa_causal_bottom_right", ({ q, k, v }) => sdpa(q as Tensor, k as Tensor, v as Tensor, { isCausal: true, causalOffset: 2 }));
    verify("sdpa_padding_mask", ({ q, k, v }, c) => sdpa(q as Tensor, k as Tensor, v as Tensor, { scale: 0.4, mask: boolMask(c.mask as FixtureTensor, [2, 1, 1, 5]) }));
    verify("sdpa_additive_mask", ({ q, k, v, mask }) => sdpa(q as Tensor, k as Tensor, v as Tensor, { mask: mask as Tensor }));
  });

  test("MultiHeadAttention = nn.MultiheadAttention: self (causal + key padding) with per-head weights", () => {
    let weights: Tensor | null = null;
    verify("mha_self", ({ x }, c) => {
      const m = load(new nn.MultiHeadAttention(6, 2, { dtype: "float64" }), c);
      const keep = boolMask(c.keep as FixtureTensor, [2, 1, 1, 4]);
      const r = m.forward(x as Tensor, { mask: keep, isCausal: true, needWeights: true });
      weights = r.weights;
      return r.output;
    });
    assertAllClose(weights as unknown as Tensor, get("mha_self").attn_weights as FixtureTensor, RTOL, ATOL, "mha_self weights");
  });

  test("MultiHeadAttention = nn.MultiheadAttention: cross (kdim, vdim) with head-averaged weights", () => {
    let weights: Tensor | null = null;
    verify("mha_cross", ({ x, key, value }, c) => {
      const m = load(new nn.MultiHeadAttention(6, 3, { kdim: 5, vdim: 3, dtype: "float64" }), c);
      const r = m.forward(x as Tensor, { key: key as Tensor, value: value as Tensor, needWeights: true, averageWeights: true });
      weights = r.weights;
      return r.output;
    });
    assertAllClose(weights as unknown as Tensor, get("mha_cross").attn_weights as FixtureTensor, RTOL, ATOL, "mha_cross weights");
  });

  test("sinusoidal table", () => {
    const c = get("sinusoidal");
    assertAllClose(nn.sinusoidalTable(7, 6), c.output, RTOL, ATOL, "sinusoidal");
  });

  test("RoPE (HF LLaMA rotate-half) at an offset, and partial rotation", () => {
    for (const name of ["rope", "rope_partial"]) {
      verify(name, ({ x }, c) => {
        const rope = new nn.RotaryEmbedding(c.options.rotaryDim as number);
        return rope.forward(x as Tensor, x as Tensor, c.options.offset as number)[0];
      });
    }
  });

  test("ALiBi slopes (paper's get_slopes) and bias", () => {
    for (const [n, slopes] of Object.entries(get("alibi_slopes").slopes as Record<string, number[]>)) {
      const ours = nn.alibiSlopes(Number(n));
      assert.equal(ours.length, slopes.length);
      ours.forEach((s, i) => assert.ok(Math.abs(s - (slopes[i] as number)) <= 1e-12 * (slopes[i] as number), `n=${n} slope ${i}: ${s} vs ${slopes[i]}`));
    }
    assertAllClose(nn.alibiBias(3, 3, 5, { dtype: "float64" }), get("alibi_bias").output, RTOL, ATOL, "alibi bias");
  });

  test("FeedForward: GELU, tanh-GELU, SwiGLU", () => {
    for (const name of ["ff_gelu", "ff_gelu_tanh", "ff_swiglu"]) {
      verify(name, ({ x }, c) => {
        const m = load(new nn.FeedForward(4, { ...(c.options as nn.FeedForwardOptions), dtype: "float64" }), c);
        return m.forward(x as Tensor);
      });
    }
  });

  test("TransformerBlock = TransformerEncoderLayer (pre- and post-norm), and a LLaMA-style block", () => {
    for (const name of ["block_pre_layernorm", "block_post_layernorm", "block_pre_rmsnorm_rope_swiglu"]) {
      verify(name, ({ x }, c) => {
        const config = { ...(c.options as unknown as nn.TransformerBlockConfig), dtype: "float64" as const };
        const m = load(new nn.TransformerBlock(config), c);
        return m.forward(x as Tensor);
      });
    }
  });
});
