/** RoBERTa's entry in the model registry: model_type "roberta", HF's class names, the `roberta.` prefix and the tied lm_head decoder. */
import { FormatError } from "../../errors.js";
import type { ModelFamily } from "../registry.js";
import { type RobertaConfig, robertaConfigFromJSON, robertaConfigToJSON } from "./config.js";
import {
  RobertaForMaskedLM, RobertaForQuestionAnswering, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaModel,
} from "./model.js";

/** Any model the RoBERTa family builds. */
export type RobertaFamilyModel = RobertaModel | RobertaForMaskedLM | RobertaForSequenceClassification | RobertaForTokenClassification | RobertaForQuestionAnswering;

/** The classes by config.json `architectures` name. */
export const ROBERTA_ARCHITECTURES: Readonly<Record<string, (config: RobertaConfig) => RobertaFamilyModel>> = {
  RobertaModel: (c) => new RobertaModel(c),
  RobertaForMaskedLM: (c) => new RobertaForMaskedLM(c),
  RobertaForSequenceClassification: (c) => new RobertaForSequenceClassification(c),
  RobertaForTokenClassification: (c) => new RobertaForTokenClassification(c),
  RobertaForQuestionAnswering: (c) => new RobertaForQuestionAnswering(c),
};

function buildFromConfig(raw: Record<string, unknown>, file: string): RobertaFamilyModel {
  const config = robertaConfigFromJSON(raw, file);
  const named = Array.isArray(raw.architectures) ? raw.architectures.filter((a): a is string => typeof a === "string") : [];
  if (named.length === 0) return new RobertaModel(config);
  const known = named.find((a) => Object.hasOwn(ROBERTA_ARCHITECTURES, a));
  if (known === undefined) {
    throw new FormatError(file, "architectures", `${JSON.stringify(named)} names no RoBERTa class loom has (${Object.keys(ROBERTA_ARCHITECTURES).join(", ")})`);
  }
  return (ROBERTA_ARCHITECTURES[known] as (c: RobertaConfig) => RobertaFamilyModel)(config);
}

/** RoBERTa's family descriptor, registered under `model_type` "roberta". */
export const robertaFamily: ModelFamily<RobertaFamilyModel> = {
  modelType: "roberta",
  architectures: Object.keys(ROBERTA_ARCHITECTURES),
  fromConfig: buildFromConfig,
  toConfig: (model) => robertaConfigToJSON(model.config, model.architecture),
  weightPrefix: "roberta.",
  // transformers' decoder is the word-embedding matrix and its bias is lm_head.bias.
  tiedWeights: (model) => (model.architecture === "RobertaForMaskedLM" ? ["lm_head.decoder.weight", "lm_head.decoder.bias"] : []),
  ignoredWeights: [/embeddings\.(position_ids|token_type_ids)$/],
};
