export {
  DistilBertModel, DistilBertEmbeddings, DistilBertSelfAttention, DistilBertFFN, DistilBertLayer, DistilBertTransformer,
  type DistilBertForwardOptions, type DistilBertModelOutput,
} from "./model.js";
export {
  DistilBertForMaskedLM, DistilBertForSequenceClassification, DistilBertForTokenClassification, DistilBertForQuestionAnswering, DistilBertVocabProjector,
  type DistilBertHeadForwardOptions, type DistilBertHeadOutput,
} from "./heads.js";
export { distilbertFromTeacher, type DistilBertFromTeacherOptions } from "./teacher.js";
export {
  defaultDistilBertConfig, distilBertConfig, validateDistilBertConfig, distilBertConfigFromJSON, distilBertConfigToJSON, distilBertParameterCount,
  DISTILBERT_MODEL_TYPE, DISTILBERT_CONFIG_FIELDS, DISTILBERT_LAYER_NORM_EPS, type DistilBertConfig,
} from "./config.js";
export { distilBertFamily, DISTILBERT_ARCHITECTURES, type DistilBertFamilyModel } from "./family.js";
