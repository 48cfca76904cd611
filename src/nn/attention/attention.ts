/**
 * The one multi-head attention path every model uses (GPT, nn.MultiHeadAttention, and the families to
 * come): given projected queries, keys and values it
 *   splits heads → rotates q, k (RoPE) → appends to / reads from the KV cache →
 *   scaledDotProductAttention (masks, position bias, ALiBi, scale, dropout) → merges heads.
 * Projections stay with the model (their names and layouts are the checkpoint's: GPT-2's Conv1D
 * c_attn, PyTorch's in_proj_weight, T5's q/k/v), as does the output projection.
 *
 * Shapes: B batch, T new (query) positions, S key positions (cached + new for self-attention; the
 * source length for cross-attention), H heads, D head dim, C = H·D.
 *   q [B, T, C], k [B, T|S, C], v [B, T|S, Cv] → output [B, T, Cv]; weights [B, H, T, S]
 * Causal masking and ALiBi align the T queries with the LAST T of the S keys (bottom-right), so cached
 * decoding needs no offsets from the caller; RoPE rotates at positions past … past+T−1.
 */
import { ShapeError, formatShape } from "../../errors.js";
import { add, narrow, reshape, transpose, unsqueeze, where } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { packedScaledDotProductAttention, scaledDotProductAttention } from "../functional/attention.js";
import type { KeysValues, LayerKVCache } from "./kv-cache.js";
import type { RotaryEmbedding } from "./rotary.js";

/** Projected keys and values, or a function computing them (called only when a cross cache is empty). */
export type KeyValueSource = { k: Tensor; v: Tensor } | (() => { k: Tensor; v: Tensor });

export interface AttentionOptions {
  numHeads: number;
  /** Keys/values come from another sequence (encoder output): no RoPE, and a cache is filled once, then read. */
  cross?: boolean;
  /** The layer's cache: self-attention appends to it; cross-attention sets it once per source. */
  cache?: LayerKVCache;
  /** Mask future keys (bottom-right aligned). */
  isCausal?: boolean;
  /** Boolean (true = attend) or additive mask broadcastable to [B, H, T, S]. */
  mask?: Tensor | null;
  /** [B, S] boolean, true = a real key (the inverse of PyTorch's key_padding_mask, as loom's masks are "attend"). */
  keyPaddingMask?: Tensor | null;
  /**
   * Additive position bias broadcastable to [B, H, T, S] (T5's relative bias, an explicit ALiBi bias);
   * differentiable: its gradient flows back (e.g. into T5's relative_attention_bias embedding).
   */
  positionBias?: Tensor | null;
  /** RoPE applied to q and k of self-attention. */
  rotary?: RotaryEmbedding | null;
  /** ALiBi slopes, one per head, computed in the kernel. */
  alibiSlopes?: readonly number[] | null;
  /** Multiplier of QKᵀ (default 1/√D; T5 uses 1). */
  scale?: number;
  /** Dropout probability on the attention weights (pass 0 in evaluation). */
  dropout?: number;
  /** Also return the attention probabilities [B, H, T, S]. */
  needWeights?: boolean;
}

export interface AttentionResult {
  /** [B, T, Cv], heads merged */
  output: Tensor;
  /** [B, H, T, S] when asked for, else null */
  weights: Tensor | null;
}

/** One attention call's probabilities, as {@link captureAttention} records them. */
export interface CapturedAttention {
  /** "self" (keys from the queries' own sequence) or "cross" (keys from an encoder's output). */
  readonly kind: "self" | "cross";
  /** Whether a causal mask applied (a decoder's self-attention). */
  readonly causal: boolean;
  /** [B, H, T, S], detached, before dropout. */
  readonly weights: Tensor;
}

/**
 * The open capture scopes' record lists (innermost last). Empty almost always, so an ordinary forward
 * pays one length test per attention call and never computes weights it does not need.
 */
const captureScopes: CapturedAttention[][] = [];

/**
 * Runs `fn` and records the attention probabilities of every attention call made inside it, in call
 * order: for GPT and BERT one per layer; for T5 the encoder's layers, then per decoder layer its self-
 * and its cross-attention. Models need no option of their own for this; scopes nest (the inner one
 * sees the calls made inside it, and so does every outer one).
 */
export function captureAttention<R>(fn: () => R): { result: R; attentions: CapturedAttention[] } {
  const records: CapturedAttention[] = [];
  captureScopes.push(records);
  try {
    return { result: fn(), attentions: records };
  } finally {
    captureScopes.splice(captureScopes.lastIndexOf(records), 1);
  }
}

/** [B, L, H·D] → [B, H, L, D] (a view when the strides allow). */
export function splitHeads(x: Tensor, numHeads: number): Tensor {
  const [B, L, C] = x.shape as [number, number, number];
  if (x.ndim !== 3 || C % numHeads !== 0) throw new ShapeError(`attention: cannot split ${formatShape(x.shape)} into ${numHeads} heads`);
  return transpose(reshape(x, [B, L, numHeads, C / numHeads]), 1, 2);
}

/** [B, H, T, D] → [B, T, H·D]. */
export function mergeHeads(x: Tensor): Tensor {
  const [B, H, T, D] = x.shape as [number, number, number, number];
  return reshape(transpose(x, 1, 2), [B, T, H * D]);
}

/** An additive form of a mask: a boolean "attend" mask becomes 0 / −∞ in `like`'s dtype. */
function additive(mask: Tensor, like: Tensor): Tensor {
  return mask.dtype === "bool" ? where(mask, 0, -Infinity).to(like.dtype) : mask;
}

/**
 * The one mask operand sdpa takes: a single mask passes as it is; several (mask, key padding, position
 * bias) are summed in additive form.
 */
function combineMasks(parts: (Tensor | null | undefined)[], like: Tensor): Tensor | null {
  const present = parts.filter((m): m is Tensor => m !== null && m !== undefined);
  if (present.length <= 1) return present[0] ?? null;
  return present.map((m) => additive(m, like)).reduce((a, b) => add(a, b));
}

/** Multi-head attention over projected q, k, v (see the file comment). */
export function multiHeadAttention(q: Tensor, kv: KeyValueSource, options: AttentionOptions): AttentionResult {
  const H = options.numHeads;
  if (q.ndim !== 3) throw new ShapeError(`attention: q must be [B, T, C], got ${formatShape(q.shape)}`);
  const cache = options.cache;
  const cached: KeysValues | null = options.cross && cache ? cache.get() : null;
  let qh = splitHeads(q, H); // [B, H, T, D]
  let keys: Tensor;
  let values: Tensor;
  if (cached !== null) {
    ({ keys, values } = cached); // cross-attention: computed once per source
  } else {
    const { k, v } = typeof kv === "function" ? kv() : kv;
    let kh = splitHeads(k, H); // [B, H, ·, D]
    const vh = splitHeads(v, H);
    if (options.rotary && !options.cross) [qh, kh] = options.rotary.forward(qh, kh, cache?.length ?? 0);
    if (cache === undefined) [keys, values] = [kh, vh];
    else ({ keys, values } = options.cross ? cache.set(kh, vh) : cache.append(kh, vh)); // [B, H, S, D]
  }
  const T = q.shape[1] as number;
  const S = keys.shape[2] as number;
  const padding = options.keyPaddingMask ? unsqueeze(unsqueeze(options.keyPaddingMask, 1), 1) : null; // [B, 1, 1, S]
  const mask = combineMasks([options.mask, padding, options.positionBias], q);
  const sdpa = {
    mask,
    isCausal: options.isCausal ?? false,
    causalOffset: S - T,
    dropout: options.dropout ?? 0,
    ...(options.scale === undefined ? {} : { scale: options.scale }),
    ...(options.alibiSlopes ? { alibiSlopes: options.alibiSlopes, alibiOffset: S - T } : {}),
  };
  if (options.needWeights || captureScopes.length > 0) {
    const { output, weights } = scaledDotProductAttention(qh, keys, values, { ...sdpa, returnWeights: true });
    if (captureScopes.length > 0) {
      const record: CapturedAttention = { kind: options.cross ? "cross" : "self", causal: options.isCausal ?? false, weights: weights.detach() };
      for (const scope of captureScopes) scope.push(record);
    }
    return { output: mergeHeads(output), weights: options.needWeights ? weights : null };
  }
  return { output: mergeHeads(scaledDotProductAttention(qh, keys, values, sdpa)), weights: null };
}

/** Options of {@link packedSelfAttention}: those of self-attention without a cache or RoPE. */
export type PackedSelfAttentionOptions = Pick<AttentionOptions, "numHeads" | "isCausal" | "mask" | "alibiSlopes" | "scale" | "dropout" | "needWeights">;

/**
 * Multi-head self-attention over one packed projection qkv [B, T, 3C] (q, k, v side by side in the last
 * dim, as GPT-2's c_attn computes them in one product) → output [B, T, C]: the same values as
 * {@link multiHeadAttention} on its three column blocks, with one gradient for qkv written in place by
 * the kernels (functional/attention.ts `packedScaledDotProductAttention`) instead of three zero-padded
 * full-size ones. Weights (asked for, or captured by {@link captureAttention}) go the general way.
 */
export function packedSelfAttention(qkv: Tensor, options: PackedSelfAttentionOptions): AttentionResult {
  const C3 = qkv.shape[qkv.ndim - 1] as number;
  if (qkv.ndim !== 3 || C3 % 3 !== 0) throw new ShapeError(`attention: packed qkv must be [B, T, 3C], got ${formatShape(qkv.shape)}`);
  const C = C3 / 3;
  if (options.needWeights || captureScopes.length > 0) {
    return multiHeadAttention(narrow(qkv, 2, 0, C), { k: narrow(qkv, 2, C, C), v: narrow(qkv, 2, 2 * C, C) }, options);
  }
  const output = packedScaledDotProductAttention(qkv, options.numHeads, {
    mask: options.mask ?? null,
    isCausal: options.isCausal ?? false,
    dropout: options.dropout ?? 0,
    ...(options.scale === undefined ? {} : { scale: options.scale }),
    ...(options.alibiSlopes ? { alibiSlopes: options.alibiSlopes, alibiOffset: 0 } : {}),
  });
  return { output: mergeHeads(output), weights: null };
}
