/**
 * The surfaces decoding uses, typed structurally so that GPT, the recurrent LM and hand-made models
 * (tests, other families) all fit.
 *
 * Shapes: B rows (batch or beams), T new positions, V vocabulary, S cached positions.
 */
import type { DecodingCache } from "../nn/attention/kv-cache.js";
import type { Tensor } from "../tensor/tensor.js";

export type { DecodingCache } from "../nn/attention/kv-cache.js";

/** The part of a model's config that generation needs: vocabulary size and context length. */
export interface CausalLanguageModelConfig {
  /** Longest sequence the model takes; longer contexts are cropped to the last n_positions tokens. */
  readonly n_positions: number;
  readonly vocab_size: number;
}

/**
 * What `generate` calls on a decoder-only model: forward / newCache / config, and Module's train mode if
 * present. forward is given only caches that the model's own newCache made.
 */
export interface CausalLanguageModel {
  readonly config: CausalLanguageModelConfig;
  /** ids [B, T] int32 → logits [B, T, V] ([B, 1, V] with lastOnly); appends to `cache` when given. */
  forward(ids: Tensor, options: { cache?: DecodingCache; lastOnly?: boolean }): { logits: Tensor };
  newCache(): DecodingCache;
  /** Module's training flag; generation switches to eval mode and restores it. */
  training?: boolean;
  train?(mode?: boolean): unknown;
  /** Module's submodules (itself included), whose individual modes are restored after generation. */
  modules?(): readonly { training: boolean }[];
}
