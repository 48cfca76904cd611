export {
  Transformer, TransformerCore, TransformerEncoder, TransformerDecoder, type TransformerOutput, type TransformerForwardOptions,
} from "./model.js";
export {
  defaultTransformerConfig, transformerConfig, validateTransformerConfig, transformerConfigToJSON, transformerConfigFromJSON,
  transformerParameterCount, TRANSFORMER_MODEL_TYPE, TRANSFORMER_SIZE_LIMITS, TRANSFORMER_PARAMETER_LIMIT, TRANSFORMER_CONFIG_FIELDS,
  TRANSFORMER_ACTIVATIONS, type TransformerConfig,
} from "./config.js";
export { transformerFamily } from "./family.js";
