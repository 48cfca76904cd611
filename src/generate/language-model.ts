/**
 * The surface of a model that generation uses, typed structurally so that GPT and hand-made models
 * (tests, other decoder-only families) both fit.
 *
 * Shapes: B rows (batch or beams), T new positions, V vocabulary, S cached positions.
 */
import type { Tensor } from "../tensor/tensor.js";

/** Keys and values of one layer, [B, H, S, D]; dim 0 is the row, which beam search reorders. */
export interface CachedKeysValues {
  k: Tensor;
  v: Tensor;
}

/** A KV cache: per-layer keys/values of the positions processed so far (GPT's `KVCache` fits). */
export interface GenerationCache {
  /** Number of cached positions S. */
  readonly length: number;
  layers: (CachedKeysValues | null)[];
}

export interface CausalLanguageModelConfig {
  /** Longest sequence the model takes; longer contexts are cropped to the last n_positions tokens. */
  readonly n_positions: number;
  readonly vocab_size: number;
}

/** What `generate` calls: GPT's forward / newCache / config, and Module's train mode if present. */
export interface CausalLanguageModel {
  readonly config: CausalLanguageModelConfig;
  /** ids [B, T] int32 → logits [B, T, V] ([B, 1, V] with lastOnly); appends to `cache` when given. */
  forward(ids: Tensor, options: { cache?: GenerationCache; lastOnly?: boolean }): { logits: Tensor };
  newCache(): GenerationCache;
  /** Module's training flag; generation switches to eval mode and restores it. */
  training?: boolean;
  train?(mode?: boolean): unknown;
  /** Module's submodules (itself included), whose individual modes are restored after generation. */
  modules?(): readonly { training: boolean }[];
}
