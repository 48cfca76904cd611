/** The recurrent LM's entry in the model registry (model_type "loom-rnnlm"). */
import type { ModelFamily } from "../registry.js";
import { RNNLM_MODEL_TYPE, recurrentConfigFromJSON, recurrentConfigToJSON } from "./config.js";
import { RecurrentLM } from "./model.js";

export const recurrentLMFamily: ModelFamily<RecurrentLM> = {
  modelType: RNNLM_MODEL_TYPE,
  architectures: [],
  fromConfig: (raw, file) => new RecurrentLM(recurrentConfigFromJSON(raw, file)),
  toConfig: (model) => recurrentConfigToJSON(model.config),
};
