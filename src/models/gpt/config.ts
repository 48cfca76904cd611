/**
 * GPT configuration: Hugging Face GPT-2 field names (so `config.json` means the same thing in
 * `transformers`), plus loom's architectural choices. Typed plain object + documented defaults +
 * spread overrides (STYLE.md §6).
 */
import { FormatError } from "../../errors.js";

export type PositionEncoding = "learned" | "sinusoidal" | "rope" | "alibi" | "none";
/** "gelu_new" is GPT-2's tanh approximation of GELU (HF's name for it). */
export type GPTActivation = "gelu_new" | "gelu" | "relu" | "swiglu";

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
  /** MLP hidden width; null → 4·n_embd (or the 2/3 rule, rounded up to a multiple of 8, for SwiGLU). */
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

export function gptConfig(overrides: Partial<GPTConfig> = {}): GPTConfig {
  const config = { ...defaultGPTConfig, ...overrides };
  validateGPTConfig(config, "<config>");
  return config;
}

/** MLP hidden width after defaults. */
export function innerSize(config: GPTConfig): number {
  if (config.n_inner !== null) return config.n_inner;
  if (config.activation_function === "swiglu") return Math.ceil((2 / 3) * 4 * config.n_embd / 8) * 8;
  return 4 * config.n_embd;
}

const ENUMS: Partial<Record<keyof GPTConfig, readonly string[]>> = {
  activation_function: ["gelu_new", "gelu", "relu", "swiglu"],
  position_encoding: ["learned", "sinusoidal", "rope", "alibi", "none"],
  norm_type: ["layernorm", "rmsnorm"],
  norm_placement: ["pre", "post"],
};

/** Checks every field's type and range; errors name the file and the field. */
export function validateGPTConfig(config: GPTConfig, file: string): void {
  const positiveInts: (keyof GPTConfig)[] = ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head"];
  for (const k of positiveInts) {
    const v = config[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new FormatError(file, k, `expected a positive integer, got ${JSON.stringify(v)}`);
  }
  if (config.n_inner !== null && (!Number.isInteger(config.n_inner) || config.n_inner < 1)) {
    throw new FormatError(file, "n_inner", `expected null or a positive integer, got ${JSON.stringify(config.n_inner)}`);
  }
  for (const k of ["embd_pdrop", "attn_pdrop", "resid_pdrop"] as const) {
    const v = config[k];
    if (typeof v !== "number" || !(v >= 0 && v < 1)) throw new FormatError(file, k, `expected a probability in [0, 1), got ${JSON.stringify(v)}`);
  }
  for (const k of ["layer_norm_epsilon", "initializer_range"] as const) {
    const v = config[k];
    if (typeof v !== "number" || !(v > 0)) throw new FormatError(file, k, `expected a positive number, got ${JSON.stringify(v)}`);
  }
  for (const k of ["tie_word_embeddings", "bias"] as const) {
    if (typeof config[k] !== "boolean") throw new FormatError(file, k, `expected true or false, got ${JSON.stringify(config[k])}`);
  }
  for (const [k, allowed] of Object.entries(ENUMS) as [keyof GPTConfig, readonly string[]][]) {
    const v = config[k];
    if (typeof v !== "string" || !allowed.includes(v)) throw new FormatError(file, k, `expected one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
  }
  if (config.n_embd % config.n_head !== 0) {
    throw new FormatError(file, "n_head", `n_embd (${config.n_embd}) must be a multiple of n_head (${config.n_head})`);
  }
  if (config.position_encoding === "rope" && (config.n_embd / config.n_head) % 2 !== 0) {
    throw new FormatError(file, "position_encoding", `rope needs an even head size, got ${config.n_embd / config.n_head}`);
  }
}

/** The config.json object: HF GPT-2 fields first (with model_type), then loom's. */
export function configToJSON(config: GPTConfig): Record<string, unknown> {
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    ...config,
    n_ctx: config.n_positions,
  };
}

/** Reads a config.json object (HF GPT-2 or loom), filling loom's fields with GPT-2's defaults. */
export function configFromJSON(raw: unknown, file: string): GPTConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new FormatError(file, "(root)", "expected a JSON object");
  const obj = raw as Record<string, unknown>;
  const config = { ...defaultGPTConfig } as unknown as Record<string, unknown>;
  for (const key of Object.keys(defaultGPTConfig)) if (key in obj) config[key] = obj[key];
  const typed = config as unknown as GPTConfig;
  validateGPTConfig(typed, file);
  return typed;
}
