/** T5's entry in the model registry: transformers' model_type, architectures and tied names. */
import type { ModelFamily } from "../registry.js";
import { T5_MODEL_TYPE, t5ConfigFromJSON, t5ConfigToJSON } from "./config.js";
import { T5ForConditionalGeneration } from "./model.js";

/** T5's family descriptor, registered under `model_type` "t5". */
export const t5Family: ModelFamily<T5ForConditionalGeneration> = {
  modelType: T5_MODEL_TYPE,
  architectures: ["T5ForConditionalGeneration"],
  fromConfig: (raw, file) => new T5ForConditionalGeneration(t5ConfigFromJSON(raw, file)),
  toConfig: (model) => t5ConfigToJSON(model.config),
  // transformers' state dicts repeat `shared` as each stack's embed_tokens, and as lm_head when tied.
  tiedWeights: (model) => ["encoder.embed_tokens.weight", "decoder.embed_tokens.weight", ...(model.config.tie_word_embeddings ? ["lm_head.weight"] : [])],
  // Older transformers checkpoints carry an unused relative bias on the decoder's first cross-attention.
  ignoredWeights: [/^decoder\.block\.0\.layer\.1\.EncDecAttention\.relative_attention_bias\.weight$/],
};
