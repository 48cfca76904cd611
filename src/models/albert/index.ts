export { AlbertModel, AlbertAttention, AlbertLayer, AlbertLayerGroup, AlbertTransformer } from "./model.js";
export { AlbertForPreTraining, AlbertForMaskedLM, AlbertForSequenceClassification, AlbertMLMHead, AlbertSOPHead, type AlbertPreTrainingOptions } from "./heads.js";
export {
  defaultAlbertConfig, albertConfig, validateAlbertConfig, albertConfigFromJSON, albertConfigToJSON, albertParameterCount,
  ALBERT_MODEL_TYPE, ALBERT_CONFIG_FIELDS, type AlbertConfig,
} from "./config.js";
export { albertFamily, ALBERT_ARCHITECTURES, type AlbertFamilyModel } from "./family.js";
