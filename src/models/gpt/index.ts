export { GPT, KVCache, type GPTOutput, type GPTForwardOptions } from "./model.js";
export { Block, CausalSelfAttention, MLP, type LayerKV } from "./block.js";
export { Conv1D } from "./conv1d.js";
export {
  defaultGPTConfig, gptConfig, validateGPTConfig, configToJSON, configFromJSON, innerSize,
  type GPTConfig, type PositionEncoding, type GPTActivation,
} from "./config.js";
