/**
 * Multi-head attention (Vaswani et al. 2017, §3.2.2) as torch.nn.MultiheadAttention, batch first:
 *   head_h = Attention(x Wq_h, key Wk_h, value Wv_h),  MHA = concat_h(head_h) Wo
 * computed by the one attention path (attention.ts); this module holds only PyTorch's parameters, so
 * its state dict loads into `torch.nn.MultiheadAttention` and back:
 *  - `in_proj_weight` [3C, C] (q, k, v rows in that order), or, when kdim/vdim differ from C,
 *    `q_proj_weight` [C, C], `k_proj_weight` [C, kdim], `v_proj_weight` [C, vdim];
 *  - `in_proj_bias` [3C]; `out_proj` (Linear [C, C]).
 * Shapes: x [B, T, C], key [B, S, kdim], value [B, S, vdim], H heads of D = C / H.
 * Beyond PyTorch: RoPE or ALiBi positions, an additive position bias, a KV cache (self-attention
 * appends; cross-attention stores the source's keys/values once).
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { linear, mean, narrow } from "../../ops/index.js";
import { zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { zeros as zeroInit, xavierUniform } from "../init.js";
import { Linear } from "../layers/linear.js";
import { type LayerOptions, checkSize } from "../layers/options.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { alibiSlopes } from "./alibi.js";
import { multiHeadAttention } from "./attention.js";
import type { LayerKVCache } from "./kv-cache.js";
import { RotaryEmbedding } from "./rotary.js";

/** How a multi-head attention encodes positions itself: not at all, rotary (RoPE), or ALiBi biases. */
export type PositionalKind = "none" | "rope" | "alibi";

export interface MultiHeadAttentionOptions extends LayerOptions {
  /** Biases in the projections (default true). */
  bias?: boolean;
  /** Dropout on the attention weights while training (default 0). */
  dropout?: number;
  /** Feature size of the keys' source (default embedDim). */
  kdim?: number;
  /** Feature size of the values' source (default embedDim). */
  vdim?: number;
  /** Position handling inside attention (default "none"). */
  positional?: PositionalKind;
  /** RoPE frequency base (default 10000) and rotated features per head (default the head dim). */
  ropeBase?: number;
  rotaryDim?: number;
  /** Apply a causal mask unless forward says otherwise (default false). */
  causal?: boolean;
  /** Multiplier of QKᵀ (default 1/√D). */
  scale?: number;
  /** Inputs are [B, T, C] (PyTorch's batch_first=True); the only layout supported. */
  batchFirst?: true;
}

/** Options of `MultiHeadAttention.forward`: key and value sources, masks, causality, a KV cache, weights. */
export interface MultiHeadAttentionForwardOptions {
  /** Keys source [B, S, kdim] (default: the input itself, self-attention). */
  key?: Tensor;
  /** Values source [B, S, vdim] (default: key). */
  value?: Tensor;
  /** Self-attention: past keys/values, appended to. Cross-attention (key given): filled once, then read. */
  kvCache?: LayerKVCache;
  /** Boolean (true = attend) or additive mask broadcastable to [B, H, T, S]. */
  mask?: Tensor | null;
  /** [B, S] boolean, true = a real key (PyTorch's key_padding_mask inverted). */
  keyPaddingMask?: Tensor | null;
  /** Additive, differentiable position bias broadcastable to [B, H, T, S] (e.g. T5's relative bias). */
  positionBias?: Tensor | null;
  /** Causal masking (default: the module's `causal` option); aligned to the last T positions. */
  isCausal?: boolean;
  /** Also return the attention probabilities. */
  needWeights?: boolean;
  /** Average the returned weights over heads to [B, T, S] (default false: per head [B, H, T, S]). */
  averageWeights?: boolean;
}

/** What `MultiHeadAttention.forward` returns: the output, and the attention weights when asked for. */
export interface MultiHeadAttentionOutput {
  /** [B, T, C] */
  output: Tensor;
  /** [B, H, T, S] (or [B, T, S] averaged) when asked for, else null. */
  weights: Tensor | null;
}

export class MultiHeadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly positional: PositionalKind;
  readonly causal: boolean;
  readonly scale: number | undefined;
  /** [3C, C] when kdim = vdim = C, else null. */
  in_proj_weight: Parameter | null = null;
  q_proj_weight: Parameter | null = null;
  k_proj_weight: Parameter | null = null;
  v_proj_weight: Parameter | null = null;
  /** [3C] or null */
  in_proj_bias: Parameter | null;
  out_proj: Linear;
  rotary: RotaryEmbedding | null = null;
  /** Per-head ALiBi slopes with positional "alibi", else null. */
  readonly alibiSlopes: readonly number[] | null;

  constructor(embedDim: number, numHeads: number, options: MultiHeadAttentionOptions = {}) {
    super();
    const where = "MultiHeadAttention";
    this.embedDim = checkSize(embedDim, "embedDim", where);
    this.numHeads = checkSize(numHeads, "numHeads", where);
    if (embedDim % numHeads !== 0) throw new ValueError(`${where}: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.kdim = checkSize(options.kdim ?? embedDim, "kdim", where);
    this.vdim = checkSize(options.vdim ?? embedDim, "vdim", where);
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ValueError(`${where}: dropout must be in [0, 1), got ${this.dropout}`);
    this.positional = options.positional ?? "none";
    if (!["none", "rope", "alibi"].includes(this.positional)) throw new ValueError(`${where}: unknown positional "${this.positional}"`);
    this.causal = options.causal ?? false;
    this.scale = options.scale;
    if ((options.batchFirst as boolean | undefined) === false) throw new ValueError(`${where}: only batchFirst inputs [B, T, C] are supported`);
    const dtype = options.dtype ?? "float32";
    const C = embedDim;
    // PyTorch's _reset_parameters: xavier_uniform_ weights, zero in_proj_bias and out_proj.bias.
    const weight = (rows: number, cols: number): Parameter => {
      const p = new Parameter(zeros([rows, cols], { dtype }));
      xavierUniform(p);
      return p;
    };
    if (this.kdim === C && this.vdim === C) {
      this.in_proj_weight = weight(3 * C, C);
    } else {
      this.q_proj_weight = weight(C, C);
      this.k_proj_weight = weight(C, this.kdim);
      this.v_proj_weight = weight(C, this.vdim);
    }
    const bias = options.bias ?? true;
    this.in_proj_bias = bias ? new Parameter(zeros([3 * C], { dtype })) : null;
    this.out_proj = new Linear(C, C, { bias, dtype });
    if (this.out_proj.bias) zeroInit(this.out_proj.bias);
    this.alibiSlopes = this.positional === "alibi" ? alibiSlopes(numHeads) : null;
    if (this.positional === "rope") {
      this.rotary = new RotaryEmbedding(options.rotaryDim ?? this.headDim, options.ropeBase === undefined ? {} : { base: options.ropeBase });
      if (this.rotary.rotaryDim > this.headDim) throw new ValueError(`${where}: rotaryDim ${this.rotary.rotaryDim} exceeds head dim ${this.headDim}`);
    }
  }

  /** Projection i (0 = q, 1 = k, 2 = v) of x: rows i·C … (i+1)·C of the packed weight and bias. */
  private project(x: Tensor, i: 0 | 1 | 2): Tensor {
    const C = this.embedDim;
    const w = this.in_proj_weight ? narrow(this.in_proj_weight, 0, i * C, C) : ([this.q_proj_weight, this.k_proj_weight, this.v_proj_weight][i] as Parameter);
    const b = this.in_proj_bias ? narrow(this.in_proj_bias, 0, i * C, C) : null;
    return linear(x, w, b);
  }

  forward(x: Tensor, options: MultiHeadAttentionForwardOptions = {}): MultiHeadAttentionOutput {
    if (x.ndim !== 3 || x.shape[2] !== this.embedDim) {
      throw new ShapeError(`MultiHeadAttention: expected input [B, T, ${this.embedDim}], got ${formatShape(x.shape)}`);
    }
    const cross = options.key !== undefined || options.value !== undefined;
    const key = options.key ?? options.value ?? x;
    const value = options.value ?? key;
    if (!cross && (this.kdim !== this.embedDim || this.vdim !== this.embedDim)) {
      throw new ValueError("MultiHeadAttention: keys/values of a different size (kdim/vdim) need a key and value");
    }
    const { output, weights } = multiHeadAttention(this.project(x, 0), () => ({ k: this.project(key, 1), v: this.project(value, 2) }), {
      numHeads: this.numHeads,
      cross,
      isCausal: options.isCausal ?? this.causal,
      mask: options.mask ?? null,
      keyPaddingMask: options.keyPaddingMask ?? null,
      positionBias: options.positionBias ?? null,
      rotary: this.rotary,
      alibiSlopes: this.alibiSlopes,
      dropout: this.training ? this.dropout : 0,
      ...(this.scale === undefined ? {} : { scale: this.scale }),
      ...(options.kvCache ? { cache: options.kvCache } : {}),
      ...(options.needWeights ? { needWeights: true } : {}),
    });
    return {
      output: this.out_proj.forward(output),
      weights: weights && options.averageWeights ? mean(weights, 1) : weights,
    };
  }

  override extraRepr(): string {
    const parts = [`embedDim=${this.embedDim}`, `numHeads=${this.numHeads}`];
    if (this.in_proj_weight === null) parts.push(`kdim=${this.kdim}`, `vdim=${this.vdim}`);
    if (this.dropout > 0) parts.push(`dropout=${this.dropout}`);
    if (this.positional !== "none") parts.push(`positional=${this.positional}`);
    if (this.causal) parts.push("causal=true");
    return parts.join(", ");
  }
}
