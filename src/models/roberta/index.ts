export {
  RobertaModel, RobertaForMaskedLM, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaForQuestionAnswering,
  RobertaLMHead, RobertaClassificationHead, robertaPositionIds,
} from "./model.js";
export { defaultRobertaConfig, robertaConfig, robertaConfigFromJSON, robertaConfigToJSON, ROBERTA_MODEL_TYPE, type RobertaConfig } from "./config.js";
export { robertaFamily, ROBERTA_ARCHITECTURES, type RobertaFamilyModel } from "./family.js";
