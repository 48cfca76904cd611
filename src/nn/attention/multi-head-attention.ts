/**
 * Multi-head attention (Vaswani et al. 2017, §3.2.2), batch first:
 *   head_h = Attention(x Wq_h, ctx Wk_h, ctx Wv_h),  MHA(x, ctx) = concat_h(head_h) Wo
 * Shapes: x [B, T, C], context [B, S, kdim/vdim], heads H × head dim D = C (embedDim).
 *
 * Weights (PyTorch Linear layout [out, in]):
 *  - self-attention: one fused projection `c_attn` [3C, C] (GPT-2's name; q, k, v in that order, as
 *    PyTorch's `in_proj_weight`), output `c_proj` [C, C];
 *  - cross-attention (or kdim/vdim ≠ C): `q_proj` [C, C], `k_proj` [C, kdim], `v_proj` [C, vdim],
 *    output `c_proj`.
 * Positions: "rope" rotates q and k (rotate-half convention, see rotary.ts) at their absolute
 * positions; "alibi" adds the paper's per-head linear bias to the scores.
 * Decoding: with a LayerKVCache, new keys/values are appended and the queries are the last T of the S
 * cached positions (causal alignment bottom-right, RoPE/ALiBi positions offset by the cached length).
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { mean, narrow, reshape, transpose } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { scaledDotProductAttention } from "../functional/attention.js";
import { Linear } from "../layers/linear.js";
import { type LayerOptions, checkSize } from "../layers/options.js";
import { Module } from "../module.js";
import { alibiSlopes } from "./alibi.js";
import type { LayerKVCache } from "./kv-cache.js";
import { RotaryEmbedding } from "./rotary.js";

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
  /** Self-attention with the fused `c_attn` projection (default: true unless kdim/vdim differ from embedDim). */
  selfAttention?: boolean;
  /** Position handling inside attention (default "none"). */
  positional?: PositionalKind;
  /** RoPE frequency base (default 10000) and rotated features per head (default the head dim). */
  ropeBase?: number;
  rotaryDim?: number;
  /** Apply a causal mask unless forward says otherwise (default false). */
  causal?: boolean;
  /** Inputs are [B, T, C] (PyTorch's batch_first=True); the only layout supported. */
  batchFirst?: true;
}

export interface MultiHeadAttentionForwardOptions {
  /** Keys and values source [B, S, kdim] for cross-attention (required without a filled cache). */
  context?: Tensor;
  /** Separate keys [B, S, kdim] and values [B, S, vdim] sources (instead of context), as PyTorch's key/value. */
  key?: Tensor;
  value?: Tensor;
  /** Cache of past keys/values: appended to (self-attention) or filled once from context (cross). */
  kvCache?: LayerKVCache;
  /** Boolean (true = attend) or additive mask broadcastable to [B, H, T, S], e.g. padding [B, 1, 1, S]. */
  mask?: Tensor | null;
  /** Causal masking (default: the module's `causal` option); aligned to the last T positions. */
  isCausal?: boolean;
  /** Also return the attention probabilities. */
  needWeights?: boolean;
  /** Average the returned weights over heads to [B, T, S] (default false: per head [B, H, T, S]). */
  averageWeights?: boolean;
}

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
  readonly selfAttention: boolean;
  readonly dropout: number;
  readonly positional: PositionalKind;
  readonly causal: boolean;
  /** [3C, C] fused q, k, v projection (self-attention), else null. */
  c_attn: Linear | null = null;
  q_proj: Linear | null = null;
  k_proj: Linear | null = null;
  v_proj: Linear | null = null;
  /** [C, C] output projection. */
  c_proj: Linear;
  rotary: RotaryEmbedding | null = null;
  /** Per-head ALiBi slopes with positional "alibi", else null. */
  readonly alibiSlopes: readonly number[] | null;

  constructor(embedDim: number, numHeads: number, options: MultiHeadAttentionOptions = {}) {
    super();
    this.embedDim = checkSize(embedDim, "embedDim", "MultiHeadAttention");
    this.numHeads = checkSize(numHeads, "numHeads", "MultiHeadAttention");
    if (numHeads < 1 || embedDim % numHeads !== 0) {
      throw new ValueError(`MultiHeadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    }
    this.headDim = embedDim / numHeads;
    this.kdim = checkSize(options.kdim ?? embedDim, "kdim", "MultiHeadAttention");
    this.vdim = checkSize(options.vdim ?? embedDim, "vdim", "MultiHeadAttention");
    this.selfAttention = options.selfAttention ?? (this.kdim === embedDim && this.vdim === embedDim);
    if (this.selfAttention && (this.kdim !== embedDim || this.vdim !== embedDim)) {
      throw new ValueError(`MultiHeadAttention: self-attention needs kdim = vdim = embedDim, got ${this.kdim}, ${this.vdim}`);
    }
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ValueError(`MultiHeadAttention: dropout must be in [0, 1), got ${this.dropout}`);
    this.positional = options.positional ?? "none";
    if (!["none", "rope", "alibi"].includes(this.positional)) throw new ValueError(`MultiHeadAttention: unknown positional "${this.positional}"`);
    this.causal = options.causal ?? false;
    if ((options.batchFirst as boolean | undefined) === false) throw new ValueError("MultiHeadAttention: only batchFirst inputs [B, T, C] are supported");
    const lin = { bias: options.bias ?? true, dtype: options.dtype ?? "float32" } as const;
    if (this.selfAttention) {
      this.c_attn = new Linear(embedDim, 3 * embedDim, lin);
    } else {
      this.q_proj = new Linear(embedDim, embedDim, lin);
      this.k_proj = new Linear(this.kdim, embedDim, lin);
      this.v_proj = new Linear(this.vdim, embedDim, lin);
    }
    this.c_proj = new Linear(embedDim, embedDim, lin);
    this.alibiSlopes = this.positional === "alibi" ? alibiSlopes(numHeads) : null;
    if (this.positional === "rope") {
      this.rotary = new RotaryEmbedding(options.rotaryDim ?? this.headDim, options.ropeBase === undefined ? {} : { base: options.ropeBase });
      if (this.rotary.rotaryDim > this.headDim) throw new ValueError(`MultiHeadAttention: rotaryDim ${this.rotary.rotaryDim} exceeds head dim ${this.headDim}`);
    }
  }

  /** [B, L, C] → [B, H, L, D] (a view when the strides allow). */
  private splitHeads(x: Tensor): Tensor {
    const [B, L] = [x.shape[0] as number, x.shape[1] as number];
    return transpose(reshape(x, [B, L, this.numHeads, this.headDim]), 1, 2);
  }

  /** q, k, v as [B, H, ·, D] from the input and, for cross-attention, the context. */
  private project(x: Tensor, key: Tensor | undefined, value: Tensor | undefined, needKV: boolean): { q: Tensor; k: Tensor | null; v: Tensor | null } {
    const C = this.embedDim;
    if (this.c_attn) {
      if (key !== undefined || value !== undefined) throw new ValueError("MultiHeadAttention: a self-attention module takes no context; build it with selfAttention: false");
      const qkv = this.c_attn.forward(x); // [B, T, 3C]
      return {
        q: this.splitHeads(narrow(qkv, 2, 0, C)),
        k: this.splitHeads(narrow(qkv, 2, C, C)),
        v: this.splitHeads(narrow(qkv, 2, 2 * C, C)),
      };
    }
    const q = this.splitHeads((this.q_proj as Linear).forward(x));
    if (!needKV) return { q, k: null, v: null };
    const k = this.splitHeads((this.k_proj as Linear).forward(key ?? x)); // [B, H, S, D]
    const v = this.splitHeads((this.v_proj as Linear).forward(value ?? x));
    return { q, k, v };
  }

  forward(x: Tensor, options: MultiHeadAttentionForwardOptions = {}): MultiHeadAttentionOutput {
    if (x.ndim !== 3 || x.shape[2] !== this.embedDim) {
      throw new ShapeError(`MultiHeadAttention: expected input [B, T, ${this.embedDim}], got ${formatShape(x.shape)}`);
    }
    const [B, T] = [x.shape[0] as number, x.shape[1] as number];
    const cache = options.kvCache;
    // Cross-attention keys/values depend only on the context: computed at the first step, then read
    // from the cache (a context given on later steps is ignored).
    const key = options.key ?? options.context;
    const value = options.value ?? options.context;
    if ((key === undefined) !== (value === undefined)) throw new ValueError("MultiHeadAttention: give both key and value (or context)");
    const crossAttention = !this.selfAttention && key !== undefined;
    const reuseCross = !this.selfAttention && cache !== undefined && cache.length > 0 && (crossAttention || cache.crossOnly);
    if (!this.selfAttention && key === undefined && !reuseCross && (this.kdim !== this.embedDim || this.vdim !== this.embedDim)) {
      throw new ValueError("MultiHeadAttention: keys/values of a different size (kdim/vdim) need a context");
    }
    const past = cache && !crossAttention && !reuseCross ? cache.length : 0;
    const projected = this.project(x, key, value, !reuseCross);
    let { q, k } = projected;
    const { v } = projected;
    // RoPE encodes positions within one sequence: not applied across encoder/decoder.
    if (this.rotary && k && !crossAttention) [q, k] = this.rotary.forward(q, k, past);
    let keys: Tensor;
    let values: Tensor;
    if (reuseCross) {
      ({ keys, values } = (cache as LayerKVCache).get() as { keys: Tensor; values: Tensor });
    } else if (cache) {
      if (crossAttention) cache.crossOnly = true;
      ({ keys, values } = cache.append(k as Tensor, v as Tensor));
    } else {
      [keys, values] = [k as Tensor, v as Tensor];
    }
    const S = keys.shape[2] as number;
    const isCausal = options.isCausal ?? this.causal;
    const sdpaOptions = {
      mask: options.mask ?? null,
      isCausal,
      causalOffset: S - T,
      dropout: this.training ? this.dropout : 0,
      ...(this.alibiSlopes ? { alibiSlopes: this.alibiSlopes, alibiOffset: S - T } : {}),
    };
    let out: Tensor; // [B, H, T, D]
    let weights: Tensor | null = null;
    if (options.needWeights) {
      ({ output: out, weights } = scaledDotProductAttention(q, keys, values, { ...sdpaOptions, returnWeights: true }));
    } else {
      out = scaledDotProductAttention(q, keys, values, sdpaOptions);
    }
    const merged = reshape(transpose(out, 1, 2), [B, T, this.embedDim]); // [B, T, H, D] → [B, T, C]
    return {
      output: this.c_proj.forward(merged),
      weights: weights && options.averageWeights ? mean(weights, 1) : weights,
    };
  }

  override extraRepr(): string {
    const parts = [`embedDim=${this.embedDim}`, `numHeads=${this.numHeads}`];
    if (!this.selfAttention) parts.push(`kdim=${this.kdim}`, `vdim=${this.vdim}`);
    if (this.dropout > 0) parts.push(`dropout=${this.dropout}`);
    if (this.positional !== "none") parts.push(`positional=${this.positional}`);
    if (this.causal) parts.push("causal=true");
    return parts.join(", ");
  }
}
