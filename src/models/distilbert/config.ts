/**
 * DistilBERT's config.json (Hugging Face's DistilBertConfig fields: `dim`, `n_layers`, `n_heads`,
 * `hidden_dim`, `activation`, `dropout`, `attention_dropout`, `sinusoidal_pos_embds`, …), read and
 * checked through config-fields: each error names the file and the field.
 */
import { FormatError } from "../../errors.js";
import { ACTIVATION_NAMES, type ActivationName, isGatedActivation } from "../../nn/layers/activation.js";
import { BERT_PARAMETER_LIMIT, BERT_SIZE_LIMITS } from "../bert/config.js";
import { type FieldRules, checkFields, checkParameterBudget, readFields, rejectUnknownKeys } from "../config-fields.js";

/** DistilBERT's `model_type` in config.json. */
export const DISTILBERT_MODEL_TYPE = "distilbert";

/** DistilBERT's LayerNorm epsilon: fixed in transformers' modules, not a config field. */
export const DISTILBERT_LAYER_NORM_EPS = 1e-12;

/** DistilBERT's `config.json` fields, with transformers' names and meanings (`DistilBertConfig`). */
export interface DistilBertConfig {
  vocab_size: number;
  max_position_embeddings: number;
  /** Fixed sine/cosine position table (Vaswani et al. 2017) instead of a learned one. */
  sinusoidal_pos_embds: boolean;
  n_layers: number;
  n_heads: number;
  /** C: the hidden width. */
  dim: number;
  /** F: the feed-forward width. */
  hidden_dim: number;
  dropout: number;
  attention_dropout: number;
  /** Element-wise activation by HF name (feed-forward and the MLM transform). */
  activation: ActivationName;
  initializer_range: number;
  /** Dropout before qa_outputs. */
  qa_dropout: number;
  /** Dropout before the sequence classifier. */
  seq_classif_dropout: number;
  pad_token_id: number;
  /** Classes of DistilBertForSequenceClassification (1 = regression). */
  num_labels: number;
}

/** distilbert-base-uncased's values. */
export const defaultDistilBertConfig: DistilBertConfig = {
  vocab_size: 30522,
  max_position_embeddings: 512,
  sinusoidal_pos_embds: false,
  n_layers: 6,
  n_heads: 12,
  dim: 768,
  hidden_dim: 3072,
  dropout: 0.1,
  attention_dropout: 0.1,
  activation: "gelu",
  initializer_range: 0.02,
  qa_dropout: 0.1,
  seq_classif_dropout: 0.2,
  pad_token_id: 0,
  num_labels: 2,
};

/** The config fields loom reads and writes, in `defaultDistilBertConfig`'s order. */
export const DISTILBERT_CONFIG_FIELDS = Object.keys(defaultDistilBertConfig) as readonly (keyof DistilBertConfig)[];

const ELEMENTWISE_ACTIVATIONS = ACTIVATION_NAMES.filter((n) => !isGatedActivation(n));

const RULES: Omit<FieldRules<DistilBertConfig>, "pad_token_id"> = {
  vocab_size: { kind: "size", max: BERT_SIZE_LIMITS.vocab_size },
  max_position_embeddings: { kind: "size", max: BERT_SIZE_LIMITS.max_position_embeddings },
  sinusoidal_pos_embds: { kind: "boolean" },
  n_layers: { kind: "size", max: BERT_SIZE_LIMITS.num_hidden_layers },
  n_heads: { kind: "size", max: BERT_SIZE_LIMITS.num_attention_heads },
  dim: { kind: "size", max: BERT_SIZE_LIMITS.hidden_size },
  hidden_dim: { kind: "size", max: BERT_SIZE_LIMITS.intermediate_size },
  dropout: { kind: "probability" },
  attention_dropout: { kind: "probability" },
  activation: { kind: "choice", values: ELEMENTWISE_ACTIVATIONS },
  initializer_range: { kind: "positive" },
  qa_dropout: { kind: "probability" },
  seq_classif_dropout: { kind: "probability" },
  num_labels: { kind: "size", max: BERT_SIZE_LIMITS.num_labels },
};

/** Parameters of the base model (embeddings and layers; no pooler), computed without building it. */
export function distilBertParameterCount(c: DistilBertConfig): number {
  const [C, F] = [c.dim, c.hidden_dim];
  const layer = 4 * (C * C + C) + 2 * C + (C * F + F) + (F * C + C) + 2 * C;
  return (c.vocab_size + c.max_position_embeddings) * C + 2 * C + c.n_layers * layer;
}

/** Checks each field, then the fields together; errors name the file and the field. */
export function validateDistilBertConfig(config: DistilBertConfig, file: string): void {
  checkFields(config as Omit<DistilBertConfig, "pad_token_id">, RULES, file);
  if (!(Number.isInteger(config.pad_token_id) && config.pad_token_id >= 0 && config.pad_token_id < config.vocab_size)) {
    throw new FormatError(file, "pad_token_id", `expected an integer in [0, vocab_size = ${config.vocab_size}), got ${JSON.stringify(config.pad_token_id)}`);
  }
  if (config.dim % config.n_heads !== 0) throw new FormatError(file, "n_heads", `dim (${config.dim}) must be a multiple of n_heads (${config.n_heads})`);
  if (config.sinusoidal_pos_embds && config.dim % 2 !== 0) throw new FormatError(file, "dim", `sinusoidal_pos_embds needs an even dim, got ${config.dim}`);
  const layers = config.n_layers * config.dim * (config.dim + config.hidden_dim);
  checkParameterBudget(distilBertParameterCount(config), BERT_PARAMETER_LIMIT, file, layers >= config.vocab_size * config.dim ? "n_layers" : "vocab_size");
}

/** Defaults + overrides, validated; an override key that is not a field is a ValueError naming the nearest. */
export function distilBertConfig(overrides: Partial<DistilBertConfig> = {}): DistilBertConfig {
  rejectUnknownKeys(overrides, DISTILBERT_CONFIG_FIELDS, "DistilBERT config");
  const config = { ...defaultDistilBertConfig, ...overrides };
  validateDistilBertConfig(config, "DistilBERT config");
  return config;
}

const REQUIRED_FIELDS = ["vocab_size", "dim", "n_layers", "n_heads", "hidden_dim"] as const;

/** Reads a config.json object (num_labels from `num_labels` or the length of `id2label`, as transformers). */
export function distilBertConfigFromJSON(raw: unknown, file: string): DistilBertConfig {
  const config = readFields(raw, defaultDistilBertConfig, file, REQUIRED_FIELDS);
  const obj = raw as Record<string, unknown>;
  if (!("num_labels" in obj) && "id2label" in obj) {
    const labels = obj.id2label;
    if (typeof labels !== "object" || labels === null || Array.isArray(labels)) throw new FormatError(file, "id2label", "expected an object");
    config.num_labels = Object.keys(labels).length;
  }
  validateDistilBertConfig(config, file);
  return config;
}

/** The config.json object (id2label/label2id carry num_labels for transformers). */
export function distilBertConfigToJSON(config: DistilBertConfig, architecture: string): Record<string, unknown> {
  const { num_labels: numLabels, ...rest } = config;
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  for (let i = 0; i < numLabels; i++) {
    id2label[String(i)] = `LABEL_${i}`;
    label2id[`LABEL_${i}`] = i;
  }
  return { architectures: [architecture], model_type: DISTILBERT_MODEL_TYPE, ...rest, id2label, label2id };
}
