export { RecurrentLM, RecurrentCache, type RecurrentLMForwardOptions } from "./model.js";
export {
  defaultRecurrentLMConfig, validateRecurrentLMConfig, recurrentConfigToJSON, recurrentConfigFromJSON, RNNLM_MODEL_TYPE,
  type RecurrentLMConfig, type RecurrentCellType,
} from "./config.js";
