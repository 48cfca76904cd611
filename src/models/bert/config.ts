/**
 * BERT's config.json (Hugging Face's BertConfig fields), read and checked through config-fields: each
 * error names the file and the field, and sizes are refused above stated limits before allocation.
 */
import { FormatError } from "../../errors.js";
import { ACTIVATION_NAMES, type ActivationName, isGatedActivation } from "../../nn/layers/activation.js";
import { type FieldRules, checkFields, checkParameterBudget, readFields, rejectUnknownKeys } from "../config-fields.js";

/** BERT's `model_type` in config.json. */
export const BERT_MODEL_TYPE = "bert";

/** BERT's `config.json` fields, with transformers' names and meanings (`BertConfig`). */
export interface BertConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  /** Element-wise activation by HF name; BERT's `gelu` is the exact erf form. */
  hidden_act: ActivationName;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  initializer_range: number;
  layer_norm_eps: number;
  /** Row of word_embeddings kept at zero and given no gradient (PyTorch's padding_idx). */
  pad_token_id: number;
  /** Classes of BertForSequenceClassification (1 = regression); HF derives it from id2label. */
  num_labels: number;
  /** Dropout before the classifier; null → hidden_dropout_prob. */
  classifier_dropout: number | null;
  /**
   * What the sequence classifier reads: "cls", transformers' pooled first token, or "mean", the same
   * pooler (or RoBERTa's head) over the mean of the unpadded positions' final hidden states. Not a
   * BertConfig field in transformers (ModernBERT's config has it under this name), so a "mean" folder
   * loaded there would silently pool [CLS].
   */
  classifier_pooling: ClassifierPooling;
}

/** How a sequence classifier pools the final hidden states (see `BertConfig.classifier_pooling`). */
export type ClassifierPooling = "cls" | "mean";

/** bert-base-uncased's values. */
export const defaultBertConfig: BertConfig = {
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  num_labels: 2,
  classifier_dropout: null,
  classifier_pooling: "cls",
};

/** The config fields loom reads and writes, in `defaultBertConfig`'s order. */
export const BERT_CONFIG_FIELDS = Object.keys(defaultBertConfig) as readonly (keyof BertConfig)[];

/** The same limits as GPT's size fields (far above BERT-large, far below exhausting memory). */
export const BERT_SIZE_LIMITS = {
  vocab_size: 4_194_304,
  hidden_size: 65_536,
  num_hidden_layers: 1_024,
  num_attention_heads: 1_024,
  intermediate_size: 262_144,
  max_position_embeddings: 1_048_576,
  type_vocab_size: 65_536,
  num_labels: 1_048_576,
} as const;

/** Most parameters a BERT may have (as GPT's limit). */
export const BERT_PARAMETER_LIMIT = 2 ** 31;

const ELEMENTWISE_ACTIVATIONS = ACTIVATION_NAMES.filter((n) => !isGatedActivation(n));

const RULES: Omit<FieldRules<BertConfig>, "pad_token_id" | "classifier_dropout"> = {
  vocab_size: { kind: "size", max: BERT_SIZE_LIMITS.vocab_size },
  hidden_size: { kind: "size", max: BERT_SIZE_LIMITS.hidden_size },
  num_hidden_layers: { kind: "size", max: BERT_SIZE_LIMITS.num_hidden_layers },
  num_attention_heads: { kind: "size", max: BERT_SIZE_LIMITS.num_attention_heads },
  intermediate_size: { kind: "size", max: BERT_SIZE_LIMITS.intermediate_size },
  hidden_act: { kind: "choice", values: ELEMENTWISE_ACTIVATIONS },
  hidden_dropout_prob: { kind: "probability" },
  attention_probs_dropout_prob: { kind: "probability" },
  max_position_embeddings: { kind: "size", max: BERT_SIZE_LIMITS.max_position_embeddings },
  type_vocab_size: { kind: "size", max: BERT_SIZE_LIMITS.type_vocab_size },
  initializer_range: { kind: "positive" },
  layer_norm_eps: { kind: "positive" },
  num_labels: { kind: "size", max: BERT_SIZE_LIMITS.num_labels },
  classifier_pooling: { kind: "choice", values: ["cls", "mean"] },
};

/** Parameters of the base model (embeddings, layers, pooler), computed without building it. */
export function bertParameterCount(c: BertConfig): number {
  const C = c.hidden_size;
  const F = c.intermediate_size;
  const embeddings = (c.vocab_size + c.max_position_embeddings + c.type_vocab_size) * C + 2 * C;
  const layer = 4 * (C * C + C) + 2 * C + (C * F + F) + (F * C + C) + 2 * C;
  return embeddings + c.num_hidden_layers * layer + C * C + C;
}

/** Checks each field, then the fields together; errors name the file and the field. */
export function validateBertConfig(config: BertConfig, file: string): void {
  checkFields(config as Omit<BertConfig, "pad_token_id" | "classifier_dropout">, RULES, file);
  if (!(Number.isInteger(config.pad_token_id) && config.pad_token_id >= 0 && config.pad_token_id < config.vocab_size)) {
    throw new FormatError(file, "pad_token_id", `expected an integer in [0, vocab_size = ${config.vocab_size}), got ${JSON.stringify(config.pad_token_id)}`);
  }
  const cd = config.classifier_dropout;
  if (!(cd === null || (typeof cd === "number" && cd >= 0 && cd < 1))) {
    throw new FormatError(file, "classifier_dropout", `expected null or a probability in [0, 1), got ${JSON.stringify(cd)}`);
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new FormatError(file, "num_attention_heads", `hidden_size (${config.hidden_size}) must be a multiple of num_attention_heads (${config.num_attention_heads})`);
  }
  const layers = config.num_hidden_layers * config.hidden_size * (config.hidden_size + config.intermediate_size);
  checkParameterBudget(bertParameterCount(config), BERT_PARAMETER_LIMIT, file, layers >= config.vocab_size * config.hidden_size ? "num_hidden_layers" : "vocab_size");
}

/**
 * Defaults + overrides, validated; an override key that is not a field is a ValueError naming the
 * nearest. RoBERTa passes its own defaults and name (its config has BERT's fields).
 */
export function bertConfig(overrides: Partial<BertConfig> = {}, defaults: BertConfig = defaultBertConfig, where = "BERT config"): BertConfig {
  rejectUnknownKeys(overrides, BERT_CONFIG_FIELDS, where);
  const config = { ...defaults, ...overrides };
  validateBertConfig(config, where);
  return config;
}

/** The size fields a config.json must state. */
const REQUIRED_FIELDS = ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size"] as const;

/**
 * Reads a config.json object. num_labels comes from `num_labels` or, as transformers writes it, from
 * the length of `id2label`. Fields transformers writes that change BERT's computation in ways loom does
 * not implement (relative position embeddings, a decoder) are refused by name. `defaults` fill the
 * fields the file leaves out (RoBERTa's differ).
 */
export function bertConfigFromJSON(raw: unknown, file: string, defaults: BertConfig = defaultBertConfig): BertConfig {
  const config = readFields(raw, defaults, file, REQUIRED_FIELDS);
  const obj = raw as Record<string, unknown>;
  if (!("num_labels" in obj) && "id2label" in obj) {
    const labels = obj.id2label;
    if (typeof labels !== "object" || labels === null || Array.isArray(labels)) throw new FormatError(file, "id2label", "expected an object");
    config.num_labels = Object.keys(labels).length;
  }
  if ("position_embedding_type" in obj && obj.position_embedding_type !== "absolute") {
    throw new FormatError(file, "position_embedding_type", `${JSON.stringify(obj.position_embedding_type)} is not supported (only "absolute")`);
  }
  if (obj.is_decoder === true || obj.add_cross_attention === true) throw new FormatError(file, obj.is_decoder === true ? "is_decoder" : "add_cross_attention", "true is not supported (BERT as an encoder only)");
  validateBertConfig(config, file);
  return config;
}

/** The config.json object (transformers reads it: id2label/label2id carry num_labels); `modelType` is "roberta" for RoBERTa. */
export function bertConfigToJSON(config: BertConfig, architecture: string, modelType: string = BERT_MODEL_TYPE): Record<string, unknown> {
  const { num_labels: numLabels, ...rest } = config;
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  for (let i = 0; i < numLabels; i++) {
    id2label[String(i)] = `LABEL_${i}`;
    label2id[`LABEL_${i}`] = i;
  }
  return { architectures: [architecture], model_type: modelType, ...rest, position_embedding_type: "absolute", id2label, label2id };
}
