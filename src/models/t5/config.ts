/**
 * T5 configuration with Hugging Face's T5Config field names (so a t5 `config.json` means the same
 * thing in transformers and in loom). Typed plain object + documented defaults (t5-small's) + spread
 * overrides (STYLE.md §6).
 */
import { FormatError } from "../../errors.js";
import { ACTIVATION_FUNCTIONS, type ElementwiseActivationName } from "../../nn/layers/activation.js";
import { type FieldRules, checkFields, checkParameterBudget, readFields, rejectUnknownKeys } from "../config-fields.js";

/** config.json's model_type for T5 (Hugging Face's). */
export const T5_MODEL_TYPE = "t5";

/**
 * The feed-forward form: an activation name ("relu": wi → act → wo) or "gated-" + a name (wi_0 → act,
 * ⊙ wi_1, → wo; Shazeer 2020). As in transformers, "gated-gelu" means the tanh GELU ("gelu_new", T5 v1.1).
 */
export type FeedForwardProj = ElementwiseActivationName | `gated-${ElementwiseActivationName}`;

/** Every accepted `feed_forward_proj`: each activation of the table, plain or `gated-`. */
export const FEED_FORWARD_PROJ_VALUES: readonly FeedForwardProj[] = [
  ...(Object.keys(ACTIVATION_FUNCTIONS) as ElementwiseActivationName[]),
  ...(Object.keys(ACTIVATION_FUNCTIONS) as ElementwiseActivationName[]).map((n): FeedForwardProj => `gated-${n}`),
];

/** T5's `config.json` fields, with transformers' names and meanings (`T5Config`). */
export interface T5Config {
  /** Vocabulary size V (shared by encoder, decoder and lm_head). */
  vocab_size: number;
  /** Width C of the residual stream. */
  d_model: number;
  /** Width of one attention head D (C need not equal H·D in T5). */
  d_kv: number;
  /** Feed-forward hidden width. */
  d_ff: number;
  /** Encoder blocks. */
  num_layers: number;
  /** Decoder blocks; null → num_layers. */
  num_decoder_layers: number | null;
  /** Attention heads H. */
  num_heads: number;
  /** Buckets of the relative position bias (per direction half of them in the encoder). */
  relative_attention_num_buckets: number;
  /** Relative distances from here on share the last bucket. */
  relative_attention_max_distance: number;
  /**
   * Longest encoder input and longest decoder sequence loom accepts. T5's relative bias itself has no
   * length limit (distances ≥ max_distance share a bucket); this is the length the checkpoint states it
   * was trained for (transformers' T5 configs carry `n_positions`: 512), and inputs past it are refused
   * with a ShapeError naming this field instead of being run out of distribution.
   */
  n_positions: number;
  /** Dropout on embeddings, attention weights, the feed-forward hidden layer and residual branches. */
  dropout_rate: number;
  /** ε of T5's RMS norm (no mean, no bias). */
  layer_norm_epsilon: number;
  /** Scale of the initial weights (transformers' initializer_factor). */
  initializer_factor: number;
  feed_forward_proj: FeedForwardProj;
  /** lm_head shares `shared`'s weight; the decoder output is then scaled by d_model^−0.5 first. */
  tie_word_embeddings: boolean;
  decoder_start_token_id: number;
  pad_token_id: number;
  eos_token_id: number;
}

/** The defaults of transformers' `T5Config` (the t5-small shape). */
export const defaultT5Config: T5Config = {
  vocab_size: 32128,
  d_model: 512,
  d_kv: 64,
  d_ff: 2048,
  num_layers: 6,
  num_decoder_layers: null,
  num_heads: 8,
  relative_attention_num_buckets: 32,
  relative_attention_max_distance: 128,
  n_positions: 512,
  dropout_rate: 0.1,
  layer_norm_epsilon: 1e-6,
  initializer_factor: 1.0,
  feed_forward_proj: "relu",
  tie_word_embeddings: true,
  decoder_start_token_id: 0,
  pad_token_id: 0,
  eos_token_id: 1,
};

/** The config fields loom reads and writes, in `defaultT5Config`'s order. */
export const T5_CONFIG_FIELDS = Object.keys(defaultT5Config) as readonly (keyof T5Config)[];

/** Upper limits of the size fields: far above t5-11b (d_ff 65536, 128 heads, 24 layers), far below exhausting memory. */
export const T5_SIZE_LIMITS = {
  vocab_size: 4_194_304,
  d_model: 65_536,
  d_kv: 8_192,
  d_ff: 262_144,
  num_layers: 1_024,
  num_heads: 1_024,
  relative_attention_num_buckets: 65_536,
  relative_attention_max_distance: 1_048_576,
  n_positions: 1_048_576,
} as const;

/** Most parameters a T5 may have (t5-11b has 1.1e10; loom's float32 CPU path tops out far below). */
export const T5_PARAMETER_LIMIT = 2 ** 31;

const ID_MAX = T5_SIZE_LIMITS.vocab_size;

const RULES: FieldRules<T5Config> = {
  vocab_size: { kind: "size", max: T5_SIZE_LIMITS.vocab_size },
  d_model: { kind: "size", max: T5_SIZE_LIMITS.d_model },
  d_kv: { kind: "size", max: T5_SIZE_LIMITS.d_kv },
  d_ff: { kind: "size", max: T5_SIZE_LIMITS.d_ff },
  num_layers: { kind: "size", max: T5_SIZE_LIMITS.num_layers },
  num_decoder_layers: { kind: "nullableSize", max: T5_SIZE_LIMITS.num_layers },
  num_heads: { kind: "size", max: T5_SIZE_LIMITS.num_heads },
  relative_attention_num_buckets: { kind: "size", max: T5_SIZE_LIMITS.relative_attention_num_buckets },
  relative_attention_max_distance: { kind: "size", max: T5_SIZE_LIMITS.relative_attention_max_distance },
  n_positions: { kind: "size", max: T5_SIZE_LIMITS.n_positions },
  dropout_rate: { kind: "probability" },
  layer_norm_epsilon: { kind: "positive" },
  initializer_factor: { kind: "positive" },
  feed_forward_proj: { kind: "choice", values: FEED_FORWARD_PROJ_VALUES },
  tie_word_embeddings: { kind: "boolean" },
  decoder_start_token_id: { kind: "id", max: ID_MAX },
  pad_token_id: { kind: "id", max: ID_MAX },
  eos_token_id: { kind: "id", max: ID_MAX },
};

/** Decoder blocks after the default. */
export function decoderLayers(c: T5Config): number {
  return c.num_decoder_layers ?? c.num_layers;
}

/** Whether the feed-forward is gated, and its element-wise activation (gated-gelu → gelu_new, as transformers). */
export function feedForwardActivation(c: T5Config): { gated: boolean; act: ElementwiseActivationName } {
  const p = c.feed_forward_proj;
  if (p === "gated-gelu") return { gated: true, act: "gelu_new" };
  if (p.startsWith("gated-")) return { gated: true, act: p.slice("gated-".length) as ElementwiseActivationName };
  return { gated: false, act: p as ElementwiseActivationName };
}

/** The parameter count a config describes, computed without building the model. */
export function t5ParameterCount(c: T5Config): number {
  const C = c.d_model;
  const inner = c.num_heads * c.d_kv;
  const attention = 4 * C * inner;
  const ff = (feedForwardActivation(c).gated ? 3 : 2) * C * c.d_ff;
  const bias = c.relative_attention_num_buckets * c.num_heads;
  const encoder = c.num_layers * (attention + ff + 2 * C) + bias + C;
  const decoder = decoderLayers(c) * (2 * attention + ff + 3 * C) + bias + C;
  return c.vocab_size * C * (c.tie_word_embeddings ? 1 : 2) + encoder + decoder;
}

/** Checks every field's type and range, then the sizes together; errors name the file and the field. */
export function validateT5Config(config: T5Config, file: string): void {
  checkFields(config, RULES, file);
  for (const key of ["decoder_start_token_id", "pad_token_id", "eos_token_id"] as const) {
    if (config[key] >= config.vocab_size) throw new FormatError(file, key, `${config[key]} is outside the vocabulary [0, ${config.vocab_size})`);
  }
  const exact = Math.floor(Math.floor(config.relative_attention_num_buckets / 2) / 2);
  if (config.relative_attention_num_buckets < 2 || config.relative_attention_max_distance <= exact) {
    throw new FormatError(file, "relative_attention_max_distance", `${config.relative_attention_max_distance} must exceed the exact range (${exact}) of ${config.relative_attention_num_buckets} buckets`);
  }
  const blocks = (config.num_layers + decoderLayers(config)) * config.d_model * Math.max(config.d_ff, config.num_heads * config.d_kv);
  checkParameterBudget(t5ParameterCount(config), T5_PARAMETER_LIMIT, file, blocks >= config.vocab_size * config.d_model ? "num_layers" : "vocab_size");
}

/** Defaults + overrides, validated; an override key that is not a field is an error naming the nearest one. */
export function t5Config(overrides: Partial<T5Config> = {}): T5Config {
  rejectUnknownKeys(overrides, T5_CONFIG_FIELDS, "T5 config");
  const config = { ...defaultT5Config, ...overrides };
  validateT5Config(config, "T5 config");
  return config;
}

/** The config.json object (transformers' T5 fields, with model_type and architectures). */
export function t5ConfigToJSON(config: T5Config): Record<string, unknown> {
  return {
    architectures: ["T5ForConditionalGeneration"],
    model_type: T5_MODEL_TYPE,
    ...config,
    is_encoder_decoder: true,
  };
}

const REQUIRED_FIELDS = ["vocab_size", "d_model", "d_kv", "d_ff", "num_layers", "num_heads"] as const;

/**
 * Reads a config.json object: the size fields are required, the others default to t5-small's; fields
 * transformers writes that loom does not use (use_cache, is_encoder_decoder, …) are ignored, and the
 * dense_act_fn/is_gated_act pair transformers derives from feed_forward_proj must agree with it.
 */
export function t5ConfigFromJSON(raw: unknown, file: string): T5Config {
  const config = readFields(raw, defaultT5Config, file, REQUIRED_FIELDS);
  validateT5Config(config, file);
  const obj = raw as Record<string, unknown>;
  const { gated, act } = feedForwardActivation(config);
  if ("is_gated_act" in obj && obj.is_gated_act !== gated) {
    throw new FormatError(file, "is_gated_act", `${JSON.stringify(obj.is_gated_act)} contradicts feed_forward_proj ${JSON.stringify(config.feed_forward_proj)}`);
  }
  if ("dense_act_fn" in obj && obj.dense_act_fn !== act) {
    throw new FormatError(file, "dense_act_fn", `${JSON.stringify(obj.dense_act_fn)} contradicts feed_forward_proj ${JSON.stringify(config.feed_forward_proj)} (${act})`);
  }
  return config;
}
