export { BertModel, BertEmbeddings, checkEncoderInputs, keyMaskOf, initLinear, type BertEmbeddingsConfig, type BertEmbeddingsOptions, BertSelfAttention, BertAttention, BertIntermediate, BertLayer, BertEncoder, BertPooler, BertResidualOutput, type BertForwardOptions, type BertModelOutput } from "./model.js";
export {
  BertForMaskedLM, BertForPreTraining, BertForSequenceClassification, BertForTokenClassification, BertForQuestionAnswering,
  bertSentenceEmbeddings, BertLMPredictionHead, BertPredictionHeadTransform,
  type BertHeadForwardOptions, type BertQuestionAnsweringOptions, type BertHeadOutput,
} from "./heads.js";
export {
  defaultBertConfig, bertConfig, validateBertConfig, bertConfigFromJSON, bertConfigToJSON, bertParameterCount,
  BERT_MODEL_TYPE, BERT_SIZE_LIMITS, BERT_PARAMETER_LIMIT, BERT_CONFIG_FIELDS, type BertConfig,
} from "./config.js";
export { bertFamily, BERT_ARCHITECTURES, type BertFamilyModel } from "./family.js";
export { tokenLoss, checkClassLabels, sequenceClassificationLoss, questionAnsweringLoss, type QuestionAnsweringPositions } from "./head-losses.js";
