/** ALBERT's entry in the model registry: model_type "albert", HF's class names, the `albert.` prefix and the tied predictions decoder. */
import { FormatError } from "../../errors.js";
import type { ModelFamily } from "../registry.js";
import { type AlbertConfig, albertConfigFromJSON, albertConfigToJSON } from "./config.js";
import { AlbertForMaskedLM, AlbertForPreTraining, AlbertForSequenceClassification } from "./heads.js";
import { AlbertModel } from "./model.js";

/** Any model the ALBERT family builds. */
export type AlbertFamilyModel = AlbertModel | AlbertForPreTraining | AlbertForMaskedLM | AlbertForSequenceClassification;

/** The classes by config.json `architectures` name. */
export const ALBERT_ARCHITECTURES: Readonly<Record<string, (config: AlbertConfig) => AlbertFamilyModel>> = {
  AlbertModel: (c) => new AlbertModel(c),
  AlbertForPreTraining: (c) => new AlbertForPreTraining(c),
  AlbertForMaskedLM: (c) => new AlbertForMaskedLM(c),
  AlbertForSequenceClassification: (c) => new AlbertForSequenceClassification(c),
};

const MLM_ARCHITECTURES: ReadonlySet<string> = new Set(["AlbertForMaskedLM", "AlbertForPreTraining"]);

function buildFromConfig(raw: Record<string, unknown>, file: string): AlbertFamilyModel {
  const config = albertConfigFromJSON(raw, file);
  const named = Array.isArray(raw.architectures) ? raw.architectures.filter((a): a is string => typeof a === "string") : [];
  if (named.length === 0) return new AlbertModel(config);
  const known = named.find((a) => Object.hasOwn(ALBERT_ARCHITECTURES, a));
  if (known === undefined) {
    throw new FormatError(file, "architectures", `${JSON.stringify(named)} names no ALBERT class loom has (${Object.keys(ALBERT_ARCHITECTURES).join(", ")})`);
  }
  return (ALBERT_ARCHITECTURES[known] as (c: AlbertConfig) => AlbertFamilyModel)(config);
}

/** ALBERT's family descriptor, registered under `model_type` "albert". */
export const albertFamily: ModelFamily<AlbertFamilyModel> = {
  modelType: "albert",
  architectures: Object.keys(ALBERT_ARCHITECTURES),
  fromConfig: buildFromConfig,
  toConfig: (model) => albertConfigToJSON(model.config, model.architecture),
  weightPrefix: "albert.",
  tiedWeights: (model) => (MLM_ARCHITECTURES.has(model.architecture) ? ["predictions.decoder.weight", "predictions.decoder.bias"] : []),
  ignoredWeights: [/embeddings\.(position_ids|token_type_ids)$/],
};
