/**
 * GPT configuration: Hugging Face GPT-2 field names (so `config.json` means the same thing in
 * `transformers`), plus loom's architectural choices. Typed plain object + documented defaults +
 * spread overrides (STYLE.md §6).
 */
import { FormatError } from "../../errors.js";
import { ACTIVATION_NAMES, type ActivationName, isGatedActivation } from "../../nn/layers/activation.js";
import { gatedHiddenSize } from "../../nn/transformer/feed-forward.js";
import { type FieldRules, checkFields, checkParameterBudget, readFields, rejectUnknownKeys } from "../config-fields.js";

/** config.json's model_type for GPT-2-layout models (Hugging Face's). */
export const GPT_MODEL_TYPE = "gpt2";

/** How a GPT knows positions: learned embeddings (GPT-2), sinusoidal, rotary (RoPE), ALiBi biases, or none. */
export type PositionEncoding = "learned" | "sinusoidal" | "rope" | "alibi" | "none";
/**
 * A name from nn's activation table (Hugging Face's names: "gelu_new" is GPT-2's tanh approximation
 * of GELU); a gated one ("swiglu", "geglu", "reglu") packs gate and value side by side in c_fc.
 */
export type GPTActivation = ActivationName;

/**
 * GPT settings, with Hugging Face's GPT-2 field names (`n_layer`, `n_head`, `n_embd`, `vocab_size`, …) so a config.json means the
 * same everywhere.
 */
export interface GPTConfig {
  /** Vocabulary size V. */
  vocab_size: number;
  /** Longest sequence the model takes (block size). */
  n_positions: number;
  /** Width C. */
  n_embd: number;
  /** Number of transformer blocks. */
  n_layer: number;
  /** Attention heads H (n_embd must be a multiple). */
  n_head: number;
  /** MLP hidden width; null → 4·n_embd (or, gated, ⌈(8/3)·n_embd / 8⌉·8: nn's gatedHiddenSize). */
  n_inner: number | null;
  activation_function: GPTActivation;
  /** Dropout after the embeddings, on attention weights, and on residual branches. */
  embd_pdrop: number;
  attn_pdrop: number;
  resid_pdrop: number;
  layer_norm_epsilon: number;
  initializer_range: number;
  tie_word_embeddings: boolean;
  // loom's choices (ignored by transformers; GPT-2 = learned, layernorm, pre, bias)
  position_encoding: PositionEncoding;
  norm_type: "layernorm" | "rmsnorm";
  norm_placement: "pre" | "post";
  /** Biases in linear layers and norms. */
  bias: boolean;
}

/** GPT-2 small's settings (124M parameters); override any of them with `gptConfig({...})`. */
export const defaultGPTConfig: GPTConfig = {
  vocab_size: 50257,
  n_positions: 1024,
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  n_inner: null,
  activation_function: "gelu_new",
  embd_pdrop: 0.1,
  attn_pdrop: 0.1,
  resid_pdrop: 0.1,
  layer_norm_epsilon: 1e-5,
  initializer_range: 0.02,
  tie_word_embeddings: true,
  position_encoding: "learned",
  norm_type: "layernorm",
  norm_placement: "pre",
  bias: true,
};

/** The field names, in config.json order. */
export const GPT_CONFIG_FIELDS = Object.keys(defaultGPTConfig) as readonly (keyof GPTConfig)[];

/**
 * Defaults + overrides, validated. An override key that is not a field (e.g. `nLayer`) is an error
 * naming the nearest field, since it would otherwise silently leave the default in place.
 */
export function gptConfig(overrides: Partial<GPTConfig> = {}): GPTConfig {
  rejectUnknownKeys(overrides, GPT_CONFIG_FIELDS, "GPT config");
  const config = { ...defaultGPTConfig, ...overrides };
  validateGPTConfig(config, "GPT config");
  return config;
}

/** MLP hidden width after defaults. */
export function innerSize(config: GPTConfig): number {
  if (config.n_inner !== null) return config.n_inner;
  return isGatedActivation(config.activation_function) ? gatedHiddenSize(config.n_embd) : 4 * config.n_embd;
}

/** Upper limits of the size fields: far above any GPT-2 (XL: 48 layers, 1600 wide, 50257 tokens), far below what would exhaust memory. */
export const GPT_SIZE_LIMITS = {
  vocab_size: 4_194_304,
  n_positions: 1_048_576,
  n_embd: 65_536,
  n_layer: 1_024,
  n_head: 1_024,
  n_inner: 262_144,
} as const;

/** Most parameters a GPT may have (GPT-2 XL has 1.56e9). */
export const GPT_PARAMETER_LIMIT = 2 ** 31;

const RULES: FieldRules<GPTConfig> = {
  vocab_size: { kind: "size", max: GPT_SIZE_LIMITS.vocab_size },
  n_positions: { kind: "size", max: GPT_SIZE_LIMITS.n_positions },
  n_embd: { kind: "size", max: GPT_SIZE_LIMITS.n_embd },
  n_layer: { kind: "size", max: GPT_SIZE_LIMITS.n_layer },
  n_head: { kind: "size", max: GPT_SIZE_LIMITS.n_head },
  n_inner: { kind: "nullableSize", max: GPT_SIZE_LIMITS.n_inner },
  activation_function: { kind: "choice", values: ACTIVATION_NAMES },
  embd_pdrop: { kind: "probability" },
  attn_pdrop: { kind: "probability" },
  resid_pdrop: { kind: "probability" },
  layer_norm_epsilon: { kind: "positive" },
  initializer_range: { kind: "positive" },
  tie_word_embeddings: { kind: "boolean" },
  position_encoding: { kind: "choice", values: ["learned", "sinusoidal", "rope", "alibi", "none"] },
  norm_type: { kind: "choice", values: ["layernorm", "rmsnorm"] },
  norm_placement: { kind: "choice", values: ["pre", "post"] },
  bias: { kind: "boolean" },
};

/** The parameter count a config describes, computed without building the model. */
export function gptParameterCount(c: GPTConfig): number {
  const C = c.n_embd;
  const inner = innerSize(c);
  const fcOut = isGatedActivation(c.activation_function) ? 2 * inner : inner;
  const b = c.bias ? 1 : 0;
  const norm = c.norm_type === "layernorm" && c.bias ? 2 * C : C;
  const layer = 2 * norm + 3 * C * C + 3 * C * b + C * C + C * b + C * fcOut + fcOut * b + inner * C + C * b;
  const embeddings = c.vocab_size * C * (c.tie_word_embeddings ? 1 : 2) + (c.position_encoding === "learned" ? c.n_positions * C : 0);
  return embeddings + c.n_layer * layer + norm;
}

/** Checks every field's type and range, then the sizes together; errors name the file and the field. */
export function validateGPTConfig(config: GPTConfig, file: string): void {
  checkFields(config, RULES, file);
  if (config.n_embd % config.n_head !== 0) {
    throw new FormatError(file, "n_head", `n_embd (${config.n_embd}) must be a multiple of n_head (${config.n_head})`);
  }
  if (config.position_encoding === "rope" && (config.n_embd / config.n_head) % 2 !== 0) {
    throw new FormatError(file, "position_encoding", `rope needs an even head size, got ${config.n_embd / config.n_head}`);
  }
  // Name the size that contributes most: the embeddings (vocab_size) or the blocks (n_layer).
  const blocks = config.n_layer * config.n_embd * config.n_embd;
  checkParameterBudget(gptParameterCount(config), GPT_PARAMETER_LIMIT, file, blocks >= config.vocab_size * config.n_embd ? "n_layer" : "vocab_size");
}

/** The config.json object: HF GPT-2 fields first (with model_type), then loom's. */
export function configToJSON(config: GPTConfig): Record<string, unknown> {
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: GPT_MODEL_TYPE,
    ...config,
    n_ctx: config.n_positions,
  };
}

/** The size fields a config.json must state (a `{}` config must not build a 124M-parameter GPT-2). */
const REQUIRED_FIELDS = ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head"] as const;

/**
 * Reads a config.json object (HF GPT-2 or loom): the size fields are required, loom's own fields
 * default to GPT-2's choices, and HF fields loom does not use (bos_token_id, use_cache, …) are ignored.
 */
export function configFromJSON(raw: unknown, file: string): GPTConfig {
  const config = readFields(raw, defaultGPTConfig, file, REQUIRED_FIELDS);
  const obj = raw as Record<string, unknown>;
  if ("n_ctx" in obj && obj.n_ctx !== config.n_positions) {
    throw new FormatError(file, "n_ctx", `${JSON.stringify(obj.n_ctx)} differs from n_positions ${config.n_positions} (GPT-2 uses one context length)`);
  }
  // transformers options that change GPT-2's attention; loom computes the default form only.
  if (obj.scale_attn_weights === false) throw new FormatError(file, "scale_attn_weights", "false (unscaled attention) is not supported");
  if (obj.scale_attn_by_inverse_layer_idx === true) throw new FormatError(file, "scale_attn_by_inverse_layer_idx", "true is not supported");
  validateGPTConfig(config, file);
  return config;
}
