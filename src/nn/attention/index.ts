/** Attention layers, KV caching and position encodings. */
export {
  MultiHeadAttention, type MultiHeadAttentionOptions, type MultiHeadAttentionForwardOptions, type MultiHeadAttentionOutput,
  type PositionalKind,
} from "./multi-head-attention.js";
export { KVCache, LayerKVCache } from "./kv-cache.js";
export { RotaryEmbedding, applyRotaryEmbedding, rotaryTables, type RotaryEmbeddingOptions } from "./rotary.js";
export { alibiSlopes, alibiBias, type AlibiBiasOptions } from "./alibi.js";
export { SinusoidalPositionalEncoding, sinusoidalTable } from "./sinusoidal.js";
export { LearnedPositionalEmbedding } from "./learned-positional.js";
