/** The original Transformer's entry in the model registry: model_type "transformer", architectures and tied names. */
import type { ModelFamily } from "../registry.js";
import { TRANSFORMER_MODEL_TYPE, transformerConfigFromJSON, transformerConfigToJSON } from "./config.js";
import { Transformer } from "./model.js";

/** The original Transformer's family descriptor, registered under `model_type` "transformer". */
export const transformerFamily: ModelFamily<Transformer> = {
  modelType: TRANSFORMER_MODEL_TYPE,
  architectures: ["Transformer"],
  fromConfig: (raw, file) => new Transformer(transformerConfigFromJSON(raw, file)),
  toConfig: (model) => transformerConfigToJSON(model.config),
  // A writer that names every use of a shared matrix may repeat it as the generator's weight.
  tiedWeights: (model) => (model.config.tie_word_embeddings ? ["generator.weight"] : []),
};
