/** The one attention path, its KV cache, attention layers and position encodings. */
export {
  multiHeadAttention, packedSelfAttention, splitHeads, mergeHeads, captureAttention, type AttentionOptions, type AttentionResult,
  type CapturedAttention, type KeyValueSource, type PackedSelfAttentionOptions,
} from "./attention.js";
export {
  MultiHeadAttention, type MultiHeadAttentionOptions, type MultiHeadAttentionForwardOptions, type MultiHeadAttentionOutput,
  type PositionalKind,
} from "./multi-head-attention.js";
export { KVCache, LayerKVCache, type KeysValues, type DecodingCache } from "./kv-cache.js";
export { RotaryEmbedding, applyRotaryEmbedding, rotaryTables, type RotaryEmbeddingOptions } from "./rotary.js";
export { alibiSlopes, alibiBias, type AlibiBiasOptions } from "./alibi.js";
export { SinusoidalPositionalEncoding, sinusoidalTable } from "./sinusoidal.js";
export { LearnedPositionalEmbedding } from "./learned-positional.js";
export {
  RelativePositionBias, relativePositionBucket, relativePositionBuckets, type RelativePositionOptions,
} from "./relative-position.js";
