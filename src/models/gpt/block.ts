/**
 * One GPT-2 block with GPT-2's parameter names: ln_1 → attn (c_attn, c_proj) → residual, ln_2 → mlp
 * (c_fc, c_proj) → residual (pre-norm, GPT-2's layout), or post-norm as in the original Transformer.
 *
 * Shapes: B batch, T new positions, S = past + T key positions, C = n_embd, H = n_head, D = C / H.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { add, addmm, matmul, narrow } from "../../ops/index.js";
import { dropout } from "../../nn/functional/index.js";
import { RotaryEmbedding } from "../../nn/attention/rotary.js";
import { alibiSlopes } from "../../nn/attention/alibi.js";
import { multiHeadAttention, packedSelfAttention } from "../../nn/attention/attention.js";
import type { LayerKVCache } from "../../nn/attention/kv-cache.js";
import { activationFunction, isGatedActivation } from "../../nn/layers/activation.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { RMSNorm } from "../../nn/layers/rms-norm.js";
import { Module } from "../../nn/module.js";
import { Conv1D } from "./conv1d.js";
import { type GPTConfig, innerSize } from "./config.js";

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

  /** x [B, T, C] → [B, T, C]; with a cache, attends over its past keys too and appends this call's. */
  forward(x: Tensor, cache?: LayerKVCache): Tensor {
    const attention = {
      numHeads: this.nHead,
      isCausal: true,
      dropout: this.training ? this.config.attn_pdrop : 0,
      alibiSlopes: this.slopes,
    };
    let output: Tensor;
    if (cache === undefined && this.rotary === null) {
      // q, k, v in one product, [B, T, 3C], read by the attention kernels in place; its backward
      // writes one [B, T, 3C] gradient, so c_attn's weight and input gradients are one product each.
      output = packedSelfAttention(this.c_attn.forward(x), attention).output;
    } else {
      // RoPE rotates q and k, and a cache appends k and v: q, k, v from the column blocks of c_attn's
      // [C, 3C] weight, each its own product (three contiguous [B, T, C] results).
      const C = this.config.n_embd;
      const project = (i: number): Tensor => {
        const w = narrow(this.c_attn.weight, 1, i * C, C); // [C, C]
        const b = this.c_attn.bias ? narrow(this.c_attn.bias, 0, i * C, C) : null;
        return b ? addmm(b, x, w) : matmul(x, w);
      };
      // softmax(QKᵀ/√D)V as one fused op; query i (absolute position past+i) sees keys j ≤ past+i.
      output = multiHeadAttention(project(0), { k: project(1), v: project(2) }, {
        ...attention,
        rotary: this.rotary,
        ...(cache ? { cache } : {}),
      }).output; // [B, T, C]
    }
    return dropout(this.c_proj.forward(output), this.config.resid_pdrop, this.training);
  }
}

export class MLP extends Module {
  c_fc: Conv1D;
  c_proj: Conv1D;
  /** The activation by its Hugging Face name, from nn's table. */
  private readonly act: (x: Tensor) => Tensor;

  constructor(readonly config: GPTConfig) {
    super();
    this.act = activationFunction(config.activation_function);
    const C = config.n_embd;
    const inner = innerSize(config);
    // A gated activation (SwiGLU, …) packs the gate and the value projection side by side in c_fc: [C, 2·inner].
    const fcOut = isGatedActivation(config.activation_function) ? 2 * inner : inner;
    this.c_fc = new Conv1D(C, fcOut, { bias: config.bias, std: config.initializer_range });
    this.c_proj = new Conv1D(inner, C, { bias: config.bias, std: config.initializer_range / Math.sqrt(2 * config.n_layer) });
  }

  /** [B, T, C] → [B, T, C] */
  forward(x: Tensor): Tensor {
    const h = this.act(this.c_fc.forward(x)); // [B, T, inner]
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

  /** [B, T, C] → [B, T, C]; `cache` holds this layer's past keys/values (generation). */
  forward(x: Tensor, cache?: LayerKVCache): Tensor {
    if (this.config.norm_placement === "pre") {
      const h = add(x, this.attn.forward(this.ln_1.forward(x), cache));
      return add(h, this.mlp.forward(this.ln_2.forward(h)));
    }
    const h = this.ln_1.forward(add(x, this.attn.forward(x, cache)));
    return this.ln_2.forward(add(h, this.mlp.forward(h)));
  }
}
