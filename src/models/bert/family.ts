/** BERT's entry in the model registry: model_type "bert", HF's class names, the `bert.` prefix and the tied decoder. */
import { FormatError } from "../../errors.js";
import type { ModelFamily } from "../registry.js";
import { bertConfigFromJSON, bertConfigToJSON, type BertConfig } from "./config.js";
import { BertForMaskedLM, BertForPreTraining, BertForQuestionAnswering, BertForSequenceClassification, BertForTokenClassification } from "./heads.js";
import { BertModel } from "./model.js";

/** Any model the BERT family builds: the base model or one of its heads. */
export type BertFamilyModel = BertModel | BertForMaskedLM | BertForPreTraining | BertForSequenceClassification | BertForTokenClassification | BertForQuestionAnswering;

/** The classes by config.json `architectures` name. */
export const BERT_ARCHITECTURES: Readonly<Record<string, (config: BertConfig) => BertFamilyModel>> = {
  BertModel: (c) => new BertModel(c),
  BertForMaskedLM: (c) => new BertForMaskedLM(c),
  BertForPreTraining: (c) => new BertForPreTraining(c),
  BertForSequenceClassification: (c) => new BertForSequenceClassification(c),
  BertForTokenClassification: (c) => new BertForTokenClassification(c),
  BertForQuestionAnswering: (c) => new BertForQuestionAnswering(c),
};

/** The classes with a masked-LM head (whose decoder is tied), by name rather than instanceof. */
const MLM_ARCHITECTURES: ReadonlySet<string> = new Set(["BertForMaskedLM", "BertForPreTraining"]);

/** The class config.json names (its first architectures entry loom has), BertModel when none is named. */
function buildFromConfig(raw: Record<string, unknown>, file: string): BertFamilyModel {
  const config = bertConfigFromJSON(raw, file);
  const named = Array.isArray(raw.architectures) ? raw.architectures.filter((a): a is string => typeof a === "string") : [];
  if (named.length === 0) return new BertModel(config);
  const known = named.find((a) => Object.hasOwn(BERT_ARCHITECTURES, a));
  if (known === undefined) {
    throw new FormatError(file, "architectures", `${JSON.stringify(named)} names no BERT class loom has (${Object.keys(BERT_ARCHITECTURES).join(", ")})`);
  }
  return (BERT_ARCHITECTURES[known] as (c: BertConfig) => BertFamilyModel)(config);
}

/** BERT's family descriptor, registered under `model_type` "bert". */
export const bertFamily: ModelFamily<BertFamilyModel> = {
  modelType: "bert",
  architectures: Object.keys(BERT_ARCHITECTURES),
  fromConfig: buildFromConfig,
  toConfig: (model) => bertConfigToJSON(model.config, model.architecture),
  // A bare BertModel's names lack the heads' `bert.`.
  weightPrefix: "bert.",
  // transformers' decoder is the word-embedding matrix and its bias is cls.predictions.bias.
  tiedWeights: (model) => (MLM_ARCHITECTURES.has(model.architecture) ? ["cls.predictions.decoder.weight", "cls.predictions.decoder.bias"] : []),
  // transformers' position_ids / token_type_ids buffers (in older files).
  ignoredWeights: [/embeddings\.(position_ids|token_type_ids)$/],
};
