export {
  T5ForConditionalGeneration, type T5DecoderStep, T5Stack, T5Block, T5Attention, T5LayerSelfAttention, T5LayerCrossAttention, T5LayerFF,
  T5DenseActDense, type T5Output, type T5ForwardOptions, type EncoderMemory,
} from "./model.js";
export {
  defaultT5Config, t5Config, validateT5Config, t5ConfigToJSON, t5ConfigFromJSON, t5ParameterCount, decoderLayers, feedForwardActivation,
  T5_MODEL_TYPE, T5_SIZE_LIMITS, T5_PARAMETER_LIMIT, T5_CONFIG_FIELDS, FEED_FORWARD_PROJ_VALUES, type T5Config, type FeedForwardProj,
} from "./config.js";
export { t5Family } from "./family.js";
