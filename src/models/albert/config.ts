/**
 * ALBERT's config.json (Hugging Face's AlbertConfig fields), read and checked through config-fields:
 * each error names the file and the field; sizes are refused above stated limits before allocation.
 */
import { FormatError } from "../../errors.js";
import { ACTIVATION_NAMES, type ActivationName, isGatedActivation } from "../../nn/layers/activation.js";
import { BERT_PARAMETER_LIMIT, BERT_SIZE_LIMITS } from "../bert/config.js";
import { type FieldRules, checkFields, checkParameterBudget, readFields, rejectUnknownKeys } from "../config-fields.js";

/** ALBERT's `model_type` in config.json. */
export const ALBERT_MODEL_TYPE = "albert";

/** ALBERT's `config.json` fields, with transformers' names and meanings (`AlbertConfig`). */
export interface AlbertConfig {
  vocab_size: number;
  /** E: width of the embedding tables, projected to hidden_size by encoder.embedding_hidden_mapping_in. */
  embedding_size: number;
  hidden_size: number;
  /** How many times a layer group is applied (the depth of the computation). */
  num_hidden_layers: number;
  /** Groups of distinct weights; consecutive layers share a group (1 = every layer shares one set). */
  num_hidden_groups: number;
  num_attention_heads: number;
  intermediate_size: number;
  /** Distinct layers inside a group, applied one after another each time the group runs. */
  inner_group_num: number;
  /** Element-wise activation by HF name; ALBERT's default `gelu_new` is the tanh approximation. */
  hidden_act: ActivationName;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  initializer_range: number;
  layer_norm_eps: number;
  /** Dropout before the sequence-order and sequence-classification classifiers. */
  classifier_dropout_prob: number;
  pad_token_id: number;
  /** Classes of AlbertForSequenceClassification (1 = regression). */
  num_labels: number;
}

/** albert-base-v2's values. */
export const defaultAlbertConfig: AlbertConfig = {
  vocab_size: 30000,
  embedding_size: 128,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_hidden_groups: 1,
  num_attention_heads: 12,
  intermediate_size: 3072,
  inner_group_num: 1,
  hidden_act: "gelu_new",
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  classifier_dropout_prob: 0.1,
  pad_token_id: 0,
  num_labels: 2,
};

/** The config fields loom reads and writes, in `defaultAlbertConfig`'s order. */
export const ALBERT_CONFIG_FIELDS = Object.keys(defaultAlbertConfig) as readonly (keyof AlbertConfig)[];

const ELEMENTWISE_ACTIVATIONS = ACTIVATION_NAMES.filter((n) => !isGatedActivation(n));

const RULES: Omit<FieldRules<AlbertConfig>, "pad_token_id"> = {
  vocab_size: { kind: "size", max: BERT_SIZE_LIMITS.vocab_size },
  embedding_size: { kind: "size", max: BERT_SIZE_LIMITS.hidden_size },
  hidden_size: { kind: "size", max: BERT_SIZE_LIMITS.hidden_size },
  num_hidden_layers: { kind: "size", max: BERT_SIZE_LIMITS.num_hidden_layers },
  num_hidden_groups: { kind: "size", max: BERT_SIZE_LIMITS.num_hidden_layers },
  num_attention_heads: { kind: "size", max: BERT_SIZE_LIMITS.num_attention_heads },
  intermediate_size: { kind: "size", max: BERT_SIZE_LIMITS.intermediate_size },
  inner_group_num: { kind: "size", max: BERT_SIZE_LIMITS.num_hidden_layers },
  hidden_act: { kind: "choice", values: ELEMENTWISE_ACTIVATIONS },
  hidden_dropout_prob: { kind: "probability" },
  attention_probs_dropout_prob: { kind: "probability" },
  max_position_embeddings: { kind: "size", max: BERT_SIZE_LIMITS.max_position_embeddings },
  type_vocab_size: { kind: "size", max: BERT_SIZE_LIMITS.type_vocab_size },
  initializer_range: { kind: "positive" },
  layer_norm_eps: { kind: "positive" },
  classifier_dropout_prob: { kind: "probability" },
  num_labels: { kind: "size", max: BERT_SIZE_LIMITS.num_labels },
};

/** Parameters of the base model (embeddings, mapping, the distinct layers, pooler), computed without building it. */
export function albertParameterCount(c: AlbertConfig): number {
  const [E, C, F] = [c.embedding_size, c.hidden_size, c.intermediate_size];
  const embeddings = (c.vocab_size + c.max_position_embeddings + c.type_vocab_size) * E + 2 * E;
  const layer = 4 * (C * C + C) + 2 * C + (C * F + F) + (F * C + C) + 2 * C;
  return embeddings + (E * C + C) + c.num_hidden_groups * c.inner_group_num * layer + C * C + C;
}

/** Checks each field, then the fields together; errors name the file and the field. */
export function validateAlbertConfig(config: AlbertConfig, file: string): void {
  checkFields(config as Omit<AlbertConfig, "pad_token_id">, RULES, file);
  if (!(Number.isInteger(config.pad_token_id) && config.pad_token_id >= 0 && config.pad_token_id < config.vocab_size)) {
    throw new FormatError(file, "pad_token_id", `expected an integer in [0, vocab_size = ${config.vocab_size}), got ${JSON.stringify(config.pad_token_id)}`);
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new FormatError(file, "num_attention_heads", `hidden_size (${config.hidden_size}) must be a multiple of num_attention_heads (${config.num_attention_heads})`);
  }
  if (config.num_hidden_groups > config.num_hidden_layers) {
    throw new FormatError(file, "num_hidden_groups", `${config.num_hidden_groups} groups for ${config.num_hidden_layers} layers: every group must serve at least one layer`);
  }
  const layers = config.num_hidden_groups * config.inner_group_num * config.hidden_size * (config.hidden_size + config.intermediate_size);
  checkParameterBudget(albertParameterCount(config), BERT_PARAMETER_LIMIT, file, layers >= config.vocab_size * config.embedding_size ? "num_hidden_groups" : "vocab_size");
}

/** Defaults + overrides, validated; an override key that is not a field is a ValueError naming the nearest. */
export function albertConfig(overrides: Partial<AlbertConfig> = {}): AlbertConfig {
  rejectUnknownKeys(overrides, ALBERT_CONFIG_FIELDS, "ALBERT config");
  const config = { ...defaultAlbertConfig, ...overrides };
  validateAlbertConfig(config, "ALBERT config");
  return config;
}

const REQUIRED_FIELDS = ["vocab_size", "embedding_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size"] as const;

/** Reads a config.json object (num_labels from `num_labels` or the length of `id2label`, as transformers). */
export function albertConfigFromJSON(raw: unknown, file: string): AlbertConfig {
  const config = readFields(raw, defaultAlbertConfig, file, REQUIRED_FIELDS);
  const obj = raw as Record<string, unknown>;
  if (!("num_labels" in obj) && "id2label" in obj) {
    const labels = obj.id2label;
    if (typeof labels !== "object" || labels === null || Array.isArray(labels)) throw new FormatError(file, "id2label", "expected an object");
    config.num_labels = Object.keys(labels).length;
  }
  if ("position_embedding_type" in obj && obj.position_embedding_type !== "absolute") {
    throw new FormatError(file, "position_embedding_type", `${JSON.stringify(obj.position_embedding_type)} is not supported (only "absolute")`);
  }
  validateAlbertConfig(config, file);
  return config;
}

/** The config.json object (id2label/label2id carry num_labels for transformers). */
export function albertConfigToJSON(config: AlbertConfig, architecture: string): Record<string, unknown> {
  const { num_labels: numLabels, ...rest } = config;
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  for (let i = 0; i < numLabels; i++) {
    id2label[String(i)] = `LABEL_${i}`;
    label2id[`LABEL_${i}`] = i;
  }
  return { architectures: [architecture], model_type: ALBERT_MODEL_TYPE, ...rest, position_embedding_type: "absolute", id2label, label2id };
}
