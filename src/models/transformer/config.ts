/**
 * The original Transformer's configuration (Vaswani et al. 2017, "Attention Is All You Need"): the
 * layer fields take torch.nn.Transformer's argument names (`d_model`, `nhead`, `num_encoder_layers`,
 * `num_decoder_layers`, `dim_feedforward`, `dropout`, `activation`, `layer_norm_eps`, `norm_first`),
 * the rest Hugging Face's config.json names (`vocab_size`, `max_position_embeddings`,
 * `tie_word_embeddings`, `pad_token_id`, …). Typed plain object + documented defaults (the paper's
 * base model) + spread overrides (STYLE.md §6).
 */
import { FormatError } from "../../errors.js";
import { type FieldRules, checkFields, checkParameterBudget, readFields, rejectUnknownKeys } from "../config-fields.js";

/** config.json's model_type for the original Transformer. */
export const TRANSFORMER_MODEL_TYPE = "transformer";

/** The feed-forward activations torch.nn.Transformer accepts. */
export const TRANSFORMER_ACTIVATIONS = ["relu", "gelu"] as const;

/** The original Transformer's config.json fields. */
export interface TransformerConfig {
  /** Source vocabulary (encoder input). */
  src_vocab_size: number;
  /** Target vocabulary (decoder input and output). */
  tgt_vocab_size: number;
  /** Width C of the model (the embeddings, every sub-layer's output). */
  d_model: number;
  /** Attention heads H (D = C / H each). */
  nhead: number;
  num_encoder_layers: number;
  num_decoder_layers: number;
  /** Hidden width of the position-wise feed-forward network. */
  dim_feedforward: number;
  /** Dropout on the embeddings + positions, the attention weights, each residual branch and the feed-forward hidden layer. */
  dropout: number;
  /** "relu" (the paper) or "gelu". */
  activation: (typeof TRANSFORMER_ACTIVATIONS)[number];
  layer_norm_eps: number;
  /** false: post-norm, LayerNorm(x + Sublayer(x)) (the paper); true: pre-norm. */
  norm_first: boolean;
  /**
   * Length of the sinusoidal position table: the longest encoder input and the longest decoder sequence
   * the model accepts (the formula itself has no limit; this is the length the model states it handles,
   * and longer inputs are refused with a ShapeError naming this field).
   */
  max_position_embeddings: number;
  /** One embedding for source and target (§3.4; needs src_vocab_size = tgt_vocab_size). */
  share_embeddings: boolean;
  /** The pre-softmax projection is the target embedding's weight (§3.4). */
  tie_word_embeddings: boolean;
  /** Smoothing ε of the training loss (§5.4: 0.1). */
  label_smoothing: number;
  /** Padding id (both vocabularies). */
  pad_token_id: number;
  /** First decoder input (the labels shifted right start with it). */
  decoder_start_token_id: number;
  /** End of a target sequence (the default stop id). */
  eos_token_id: number;
}

/** The paper's base model (§6.1, Table 3) on a 37000-token shared vocabulary, positions up to 1024. */
export const defaultTransformerConfig: TransformerConfig = {
  src_vocab_size: 37000,
  tgt_vocab_size: 37000,
  d_model: 512,
  nhead: 8,
  num_encoder_layers: 6,
  num_decoder_layers: 6,
  dim_feedforward: 2048,
  dropout: 0.1,
  activation: "relu",
  layer_norm_eps: 1e-5,
  norm_first: false,
  max_position_embeddings: 1024,
  share_embeddings: true,
  tie_word_embeddings: true,
  label_smoothing: 0.1,
  pad_token_id: 0,
  decoder_start_token_id: 1,
  eos_token_id: 2,
};

/** The config fields loom reads and writes, in `defaultTransformerConfig`'s order. */
export const TRANSFORMER_CONFIG_FIELDS = Object.keys(defaultTransformerConfig) as readonly (keyof TransformerConfig)[];

/** Upper limits of the size fields: far above the paper's big model, far below exhausting memory. */
export const TRANSFORMER_SIZE_LIMITS = {
  vocab_size: 4_194_304,
  d_model: 65_536,
  nhead: 1_024,
  layers: 1_024,
  dim_feedforward: 262_144,
  max_position_embeddings: 1_048_576,
} as const;

/** Most parameters a Transformer may have (the big model has 2.13e8). */
export const TRANSFORMER_PARAMETER_LIMIT = 2 ** 31;

const L = TRANSFORMER_SIZE_LIMITS;
const RULES: FieldRules<TransformerConfig> = {
  src_vocab_size: { kind: "size", max: L.vocab_size },
  tgt_vocab_size: { kind: "size", max: L.vocab_size },
  d_model: { kind: "size", max: L.d_model },
  nhead: { kind: "size", max: L.nhead },
  num_encoder_layers: { kind: "size", max: L.layers },
  num_decoder_layers: { kind: "size", max: L.layers },
  dim_feedforward: { kind: "size", max: L.dim_feedforward },
  dropout: { kind: "probability" },
  activation: { kind: "choice", values: TRANSFORMER_ACTIVATIONS },
  layer_norm_eps: { kind: "positive" },
  norm_first: { kind: "boolean" },
  max_position_embeddings: { kind: "size", max: L.max_position_embeddings },
  share_embeddings: { kind: "boolean" },
  tie_word_embeddings: { kind: "boolean" },
  label_smoothing: { kind: "probability" },
  pad_token_id: { kind: "id", max: L.vocab_size },
  decoder_start_token_id: { kind: "id", max: L.vocab_size },
  eos_token_id: { kind: "id", max: L.vocab_size },
};

/** The parameter count a config describes, computed without building the model. */
export function transformerParameterCount(c: TransformerConfig): number {
  const C = c.d_model;
  const attention = 4 * C * C + 4 * C; // in_proj [3C, C] + bias, out_proj [C, C] + bias
  const ff = 2 * C * c.dim_feedforward + c.dim_feedforward + C;
  const norm = 2 * C;
  const encoder = c.num_encoder_layers * (attention + ff + 2 * norm) + norm;
  const decoder = c.num_decoder_layers * (2 * attention + ff + 3 * norm) + norm;
  const embeddings = (c.share_embeddings ? c.tgt_vocab_size : c.src_vocab_size + c.tgt_vocab_size) * C + (c.tie_word_embeddings ? 0 : c.tgt_vocab_size * C);
  return embeddings + encoder + decoder;
}

/** Checks every field's type and range, then the fields together; errors name the file and the field. */
export function validateTransformerConfig(config: TransformerConfig, file: string): void {
  checkFields(config, RULES, file);
  if (config.d_model % config.nhead !== 0) throw new FormatError(file, "nhead", `d_model ${config.d_model} is not divisible by nhead ${config.nhead}`);
  if (config.share_embeddings && config.src_vocab_size !== config.tgt_vocab_size) {
    throw new FormatError(file, "share_embeddings", `one embedding needs src_vocab_size = tgt_vocab_size, got ${config.src_vocab_size} and ${config.tgt_vocab_size}`);
  }
  for (const key of ["decoder_start_token_id", "eos_token_id"] as const) {
    if (config[key] >= config.tgt_vocab_size) throw new FormatError(file, key, `${config[key]} is outside the target vocabulary [0, ${config.tgt_vocab_size})`);
  }
  if (config.pad_token_id >= Math.min(config.src_vocab_size, config.tgt_vocab_size)) {
    throw new FormatError(file, "pad_token_id", `${config.pad_token_id} is outside a vocabulary [0, ${Math.min(config.src_vocab_size, config.tgt_vocab_size)})`);
  }
  const blocks = (config.num_encoder_layers + config.num_decoder_layers) * config.d_model * Math.max(config.d_model, config.dim_feedforward);
  checkParameterBudget(transformerParameterCount(config), TRANSFORMER_PARAMETER_LIMIT, file, blocks >= config.tgt_vocab_size * config.d_model ? "num_encoder_layers" : "tgt_vocab_size");
}

/** Defaults + overrides, validated; an override key that is not a field is an error naming the nearest one. */
export function transformerConfig(overrides: Partial<TransformerConfig> = {}): TransformerConfig {
  rejectUnknownKeys(overrides, TRANSFORMER_CONFIG_FIELDS, "Transformer config");
  const config = { ...defaultTransformerConfig, ...overrides };
  validateTransformerConfig(config, "Transformer config");
  return config;
}

/** The config.json object (model_type and architectures first). */
export function transformerConfigToJSON(config: TransformerConfig): Record<string, unknown> {
  return { architectures: ["Transformer"], model_type: TRANSFORMER_MODEL_TYPE, ...config, is_encoder_decoder: true };
}

const REQUIRED_FIELDS = ["src_vocab_size", "tgt_vocab_size", "d_model", "nhead", "num_encoder_layers", "num_decoder_layers", "dim_feedforward"] as const;

/** Reads a config.json object: the size fields are required, the others default to the base model's. */
export function transformerConfigFromJSON(raw: unknown, file: string): TransformerConfig {
  const config = readFields(raw, defaultTransformerConfig, file, REQUIRED_FIELDS);
  validateTransformerConfig(config, file);
  return config;
}
