/**
 * One GPT-2 block with GPT-2's parameter names: ln_1 → attn (c_attn, c_proj) → residual, ln_2 → mlp
 * (c_fc, c_proj) → residual (pre-norm, GPT-2's layout), or post-norm as in the original Transformer.
 *
 * Shapes: B batch, T new positions, S = past + T key positions, C = n_embd, H = n_head, D = C / H.
 */
import { Tensor } from "../../tensor/tensor.js";
import { add, addmm, cat, gelu, matmul, mul, narrow, relu, reshape, silu, split, transpose } from "../../ops/index.js";
import { dropout, scaledDotProductAttention } from "../../nn/functional/index.js";
import { RotaryEmbedding } from "../../nn/attention/rotary.js";
import { alibiSlopes } from "../../nn/attention/alibi.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { RMSNorm } from "../../nn/layers/rms-norm.js";
import { Module } from "../../nn/module.js";
import { LayerKVCache } from "../../nn/attention/kv-cache.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { Conv1D } from "./conv1d.js";
import { type GPTConfig, innerSize } from "./config.js";

/** Keys and values of the positions seen so far, per layer: [B, H, S, D]. */
export interface LayerKV {
  k: Tensor;
  v: Tensor;
  /**
   * The growing buffers k and v are views of (generation without gradients): the next step appends
   * its positions in place instead of concatenating the whole cache again. Absent, or no longer
   * matching k (the cache was reordered or forked), the next step starts new buffers from k and v.
   */
  store?: LayerKVCache;
}

/**
 * Keys and values of all S = past + T positions: appended to the past's buffers in place when no
 * gradient is recorded (generation); concatenated (differentiable) otherwise.
 */
function extendKV(past: LayerKV | null, k: Tensor, v: Tensor, cache: boolean): LayerKV {
  if (!cache && past === null) return { k, v };
  if (isGradEnabled() && (k.requiresGrad || v.requiresGrad || past?.k.requiresGrad === true || past?.v.requiresGrad === true)) {
    return past ? { k: cat([past.k, k], 2), v: cat([past.v, v], 2) } : { k, v };
  }
  const pastLength = past ? (past.k.shape[2] as number) : 0;
  let store = past?.store;
  if (store === undefined || store.length !== pastLength) {
    store = new LayerKVCache();
    if (past) store.append(past.k, past.v);
  }
  const { keys, values } = store.append(k, v);
  return { k: keys, v: values, store };
}

export type Norm = LayerNorm | RMSNorm;

export function makeNorm(config: GPTConfig): Norm {
  return config.norm_type === "rmsnorm"
    ? new RMSNorm(config.n_embd, { eps: config.layer_norm_epsilon })
    : new LayerNorm(config.n_embd, { eps: config.layer_norm_epsilon, bias: config.bias });
}

export class CausalSelfAttention extends Module {
  c_attn: Conv1D;
  c_proj: Conv1D;
  readonly nHead: number;
  readonly headDim: number;
  /** RoPE on q and k when position_encoding is "rope" (no parameters). */
  private readonly rotary: RotaryEmbedding | null;
  /** ALiBi's per-head slopes when position_encoding is "alibi". */
  private readonly slopes: number[] | null;

  constructor(readonly config: GPTConfig) {
    super();
    const C = config.n_embd;
    this.nHead = config.n_head;
    this.headDim = C / config.n_head;
    this.c_attn = new Conv1D(C, 3 * C, { bias: config.bias, std: config.initializer_range });
    // GPT-2 scales residual projections by 1/√(2·n_layer) at init (two residual adds per block).
    this.c_proj = new Conv1D(C, C, { bias: config.bias, std: config.initializer_range / Math.sqrt(2 * config.n_layer) });
    this.rotary = config.position_encoding === "rope" ? new RotaryEmbedding(this.headDim) : null;
    this.slopes = config.position_encoding === "alibi" ? alibiSlopes(config.n_head) : null;
  }

  /**
   * x [B, T, C] → [B, T, C]; with `past`, attends over the cached keys too and returns the new cache.
   * `cache` (implied by a past) asks for keys/values that later calls will extend (generation).
   */
  forward(x: Tensor, past: LayerKV | null = null, cache = past !== null): { y: Tensor; kv: LayerKV } {
    const [B, T, C] = x.shape as [number, number, number];
    const H = this.nHead;
    const D = this.headDim;
    // q, k, v from the column blocks of c_attn's [C, 3C] weight, each its own product: three contiguous
    // [B, T, C] results, where slicing one [B, T, 3C] output would send three full-size gradients back.
    const project = (i: number): Tensor => {
      const w = narrow(this.c_attn.weight, 1, i * C, C); // [C, C]
      const b = this.c_attn.bias ? narrow(this.c_attn.bias, 0, i * C, C) : null;
      return b ? addmm(b, x, w) : matmul(x, w);
    };
    const [q0, k0, v0] = [project(0), project(1), project(2)]; // 3 × [B, T, C]
    const heads = (t: Tensor) => transpose(reshape(t, [B, T, H, D]), 1, 2); // [B, H, T, D]
    let q = heads(q0);
    let k = heads(k0);
    let v = heads(v0);
    const pastLength = past ? (past.k.shape[2] as number) : 0;
    if (this.rotary) [q, k] = this.rotary.forward(q, k, pastLength);
    const kv = extendKV(past, k, v, cache); // [B, H, S, D]
    k = kv.k;
    v = kv.v;
    // softmax(QKᵀ/√D)V as one fused op; query i (absolute position past+i) sees keys j ≤ past+i.
    const att = scaledDotProductAttention(q, k, v, {
      isCausal: true,
      causalOffset: pastLength,
      dropout: this.training ? this.config.attn_pdrop : 0,
      ...(this.slopes ? { alibiSlopes: this.slopes } : {}),
    }); // [B, H, T, D]
    const y = reshape(transpose(att, 1, 2), [B, T, C]); // → [B, T, C]
    return { y: dropout(this.c_proj.forward(y), this.config.resid_pdrop, this.training), kv };
  }
}

export class MLP extends Module {
  c_fc: Conv1D;
  c_proj: Conv1D;

  constructor(readonly config: GPTConfig) {
    super();
    const C = config.n_embd;
    const inner = innerSize(config);
    // SwiGLU packs the gate and the value projection side by side in c_fc: [C, 2·inner].
    const fcOut = config.activation_function === "swiglu" ? 2 * inner : inner;
    this.c_fc = new Conv1D(C, fcOut, { bias: config.bias, std: config.initializer_range });
    this.c_proj = new Conv1D(inner, C, { bias: config.bias, std: config.initializer_range / Math.sqrt(2 * config.n_layer) });
  }

  /** [B, T, C] → [B, T, C] */
  forward(x: Tensor): Tensor {
    let h = this.c_fc.forward(x);
    switch (this.config.activation_function) {
      case "gelu_new":
        h = gelu(h, { approximate: "tanh" });
        break;
      case "gelu":
        h = gelu(h);
        break;
      case "relu":
        h = relu(h);
        break;
      case "swiglu": {
        const [gate, value] = split(h, h.shape[2]! / 2, 2) as [Tensor, Tensor];
        h = mul(silu(gate), value); // SwiGLU = SiLU(xW) ⊙ (xV)
        break;
      }
    }
    return dropout(this.c_proj.forward(h), this.config.resid_pdrop, this.training);
  }
}

export class Block extends Module {
  ln_1: Norm;
  attn: CausalSelfAttention;
  ln_2: Norm;
  mlp: MLP;

  constructor(readonly config: GPTConfig) {
    super();
    this.ln_1 = makeNorm(config);
    this.attn = new CausalSelfAttention(config);
    this.ln_2 = makeNorm(config);
    this.mlp = new MLP(config);
  }

  forward(x: Tensor, past: LayerKV | null = null, cache = past !== null): { y: Tensor; kv: LayerKV } {
    if (this.config.norm_placement === "pre") {
      const a = this.attn.forward(this.ln_1.forward(x), past, cache);
      const h = add(x, a.y);
      return { y: add(h, this.mlp.forward(this.ln_2.forward(h))), kv: a.kv };
    }
    const a = this.attn.forward(x, past, cache);
    const h = this.ln_1.forward(add(x, a.y));
    return { y: this.ln_2.forward(add(h, this.mlp.forward(h))), kv: a.kv };
  }
}
