/** DistilBERT's entry in the model registry: model_type "distilbert", HF's class names, the `distilbert.` prefix and the tied vocab_projector. */
import { FormatError } from "../../errors.js";
import type { ModelFamily } from "../registry.js";
import { type DistilBertConfig, distilBertConfigFromJSON, distilBertConfigToJSON } from "./config.js";
import { DistilBertForMaskedLM, DistilBertForQuestionAnswering, DistilBertForSequenceClassification, DistilBertForTokenClassification } from "./heads.js";
import { DistilBertModel } from "./model.js";

/** Any model the DistilBERT family builds. */
export type DistilBertFamilyModel = DistilBertModel | DistilBertForMaskedLM | DistilBertForSequenceClassification | DistilBertForTokenClassification | DistilBertForQuestionAnswering;

/** The classes by config.json `architectures` name. */
export const DISTILBERT_ARCHITECTURES: Readonly<Record<string, (config: DistilBertConfig) => DistilBertFamilyModel>> = {
  DistilBertModel: (c) => new DistilBertModel(c),
  DistilBertForMaskedLM: (c) => new DistilBertForMaskedLM(c),
  DistilBertForSequenceClassification: (c) => new DistilBertForSequenceClassification(c),
  DistilBertForTokenClassification: (c) => new DistilBertForTokenClassification(c),
  DistilBertForQuestionAnswering: (c) => new DistilBertForQuestionAnswering(c),
};

function buildFromConfig(raw: Record<string, unknown>, file: string): DistilBertFamilyModel {
  const config = distilBertConfigFromJSON(raw, file);
  const named = Array.isArray(raw.architectures) ? raw.architectures.filter((a): a is string => typeof a === "string") : [];
  if (named.length === 0) return new DistilBertModel(config);
  const known = named.find((a) => Object.hasOwn(DISTILBERT_ARCHITECTURES, a));
  if (known === undefined) {
    throw new FormatError(file, "architectures", `${JSON.stringify(named)} names no DistilBERT class loom has (${Object.keys(DISTILBERT_ARCHITECTURES).join(", ")})`);
  }
  return (DISTILBERT_ARCHITECTURES[known] as (c: DistilBertConfig) => DistilBertFamilyModel)(config);
}

/** DistilBERT's family descriptor, registered under `model_type` "distilbert". */
export const distilBertFamily: ModelFamily<DistilBertFamilyModel> = {
  modelType: "distilbert",
  architectures: Object.keys(DISTILBERT_ARCHITECTURES),
  fromConfig: buildFromConfig,
  toConfig: (model) => distilBertConfigToJSON(model.config, model.architecture),
  weightPrefix: "distilbert.",
  // transformers' vocab_projector.weight is the word-embedding matrix.
  tiedWeights: (model) => (model.architecture === "DistilBertForMaskedLM" ? ["vocab_projector.weight"] : []),
  ignoredWeights: [/embeddings\.position_ids$/],
};
