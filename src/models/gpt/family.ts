/** GPT's entry in the model registry: HF GPT-2's model_type, names, prefix, tie and buffers. */
import type { ModelFamily } from "../registry.js";
import { GPT_MODEL_TYPE, configFromJSON, configToJSON } from "./config.js";
import { GPT } from "./model.js";

/** GPT-2's size fields: a config.json without model_type is taken for GPT-2 only when it states all of them. */
const GPT2_FIELDS = ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head"];

export const gptFamily: ModelFamily<GPT> = {
  modelType: GPT_MODEL_TYPE,
  architectures: ["GPT2LMHeadModel", "GPT2Model"],
  fromConfig: (raw, file) => new GPT(configFromJSON(raw, file)),
  toConfig: (model) => configToJSON(model.config),
  // transformers' GPT2Model files name weights without the LM wrapper's `transformer.`.
  weightPrefix: "transformer.",
  // A tied lm_head is wte itself (transformers writes it, or not).
  tiedWeights: (model) => (model.config.tie_word_embeddings ? ["lm_head.weight"] : []),
  // transformers' causal-mask buffers in older GPT-2 files.
  ignoredWeights: [/\.attn\.(masked_)?bias$/],
  recognizes: (raw) => GPT2_FIELDS.every((f) => f in raw),
};
