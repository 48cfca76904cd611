/**
 * RoBERTa's config.json (Hugging Face's RobertaConfig): BERT's fields with RoBERTa's defaults
 * (roberta-base: vocabulary 50265, 514 positions, one token type, pad id 1, LayerNorm eps 1e-5).
 * Read, checked and written by BERT's config functions, so errors name the file and the field.
 */
import { FormatError } from "../../errors.js";
import { type BertConfig, bertConfig, bertConfigFromJSON, bertConfigToJSON, defaultBertConfig } from "../bert/config.js";

/** RoBERTa's `model_type` in config.json. */
export const ROBERTA_MODEL_TYPE = "roberta";

/** RoBERTa's config.json fields: BERT's names and meanings (RobertaConfig subclasses BertConfig in transformers). */
export type RobertaConfig = BertConfig;

/** roberta-base's values. */
export const defaultRobertaConfig: RobertaConfig = {
  ...defaultBertConfig,
  vocab_size: 50265,
  max_position_embeddings: 514,
  type_vocab_size: 1,
  layer_norm_eps: 1e-5,
  pad_token_id: 1,
};

/** Positions start at pad_token_id + 1, so the table must hold at least one position past the pad row. */
function checkPositions(config: RobertaConfig, file: string): RobertaConfig {
  if (config.max_position_embeddings <= config.pad_token_id + 1) {
    throw new FormatError(file, "max_position_embeddings", `${config.max_position_embeddings} leaves no position after pad_token_id + 1 = ${config.pad_token_id + 1} (RoBERTa numbers positions from there)`);
  }
  return config;
}

/** Defaults + overrides, validated (errors name "RoBERTa config" and the field). */
export function robertaConfig(overrides: Partial<RobertaConfig> = {}): RobertaConfig {
  return checkPositions(bertConfig(overrides, defaultRobertaConfig, "RoBERTa config"), "RoBERTa config");
}

/** Reads a config.json object with RoBERTa's defaults for the fields it leaves out. */
export function robertaConfigFromJSON(raw: unknown, file: string): RobertaConfig {
  return checkPositions(bertConfigFromJSON(raw, file, defaultRobertaConfig), file);
}

/** The config.json object, model_type "roberta". */
export function robertaConfigToJSON(config: RobertaConfig, architecture: string): Record<string, unknown> {
  return bertConfigToJSON(config, architecture, ROBERTA_MODEL_TYPE);
}
