export { GPT, type GPTOutput, type GPTForwardOptions } from "./model.js";
export { Block, CausalSelfAttention, MLP } from "./block.js";
export { Conv1D } from "./conv1d.js";
export {
  defaultGPTConfig, gptConfig, validateGPTConfig, configToJSON, configFromJSON, innerSize, gptParameterCount,
  GPT_MODEL_TYPE, GPT_SIZE_LIMITS, GPT_PARAMETER_LIMIT, GPT_CONFIG_FIELDS,
  type GPTConfig, type PositionEncoding, type GPTActivation,
} from "./config.js";
