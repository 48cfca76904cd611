/** Model families assembled from nn/, found through the model registry by config.json's model_type. */
/** GPT (GPT-2 layout and names, with RoPE/ALiBi/RMSNorm/SwiGLU variants), its config and blocks. */
export * as gpt from "./gpt/index.js";
export { GPT } from "./gpt/index.js";
/** Attentional encoder-decoder models over recurrent layers (Bahdanau and Luong attention). */
export * as seq2seq from "./seq2seq/index.js";
export { Seq2Seq } from "./seq2seq/index.js";
/** BERT (encoder-only, Hugging Face names): the base model and its pretraining, masked-LM and classification heads. */
export * as bert from "./bert/index.js";
export {
  BertModel, BertForMaskedLM, BertForPreTraining, BertForSequenceClassification, BertForTokenClassification, BertForQuestionAnswering,
} from "./bert/index.js";
/** RoBERTa (BERT's encoder, padding-aware positions, HF names under `roberta.`) and its masked-LM and classification heads. */
export * as roberta from "./roberta/index.js";
export {
  RobertaModel, RobertaForMaskedLM, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaForQuestionAnswering,
} from "./roberta/index.js";
/** ALBERT (factorised embeddings, cross-layer parameter sharing, sentence-order prediction; HF names under `albert.`). */
export * as albert from "./albert/index.js";
export { AlbertModel, AlbertForPreTraining, AlbertForMaskedLM, AlbertForSequenceClassification } from "./albert/index.js";
/** DistilBERT (HF names under `distilbert.`, no token types or pooler), its heads and a student initialised from a BERT teacher. */
export * as distilbert from "./distilbert/index.js";
export {
  DistilBertModel, DistilBertForMaskedLM, DistilBertForSequenceClassification, DistilBertForTokenClassification, DistilBertForQuestionAnswering,
  distilbertFromTeacher,
} from "./distilbert/index.js";
/** A recurrent language model (embedding → stacked LSTM/GRU/RNN → linear), trained by `loom train --model lstm`. */
export * as rnnlm from "./rnnlm/index.js";
export { RecurrentLM } from "./rnnlm/index.js";
/** T5 (encoder-decoder, relative position bias) with Hugging Face's names: `T5ForConditionalGeneration`, its config and decoder step. */
export * as t5 from "./t5/index.js";
export { T5ForConditionalGeneration } from "./t5/index.js";
/** The original Transformer (post-norm, sinusoidal positions, shared embeddings; torch.nn.Transformer's names). */
export * as transformer from "./transformer/index.js";
export { Transformer } from "./transformer/index.js";
/** What the transformer encoder–decoders share: the decoder step over an encoded source, label shifting, masks. */
export { EncoderDecoderStep, shiftTokensRight, type EncoderMemory, type CachedDecoder } from "./encoder-decoder.js";
export {
  registerModelFamily, familyOfModel, familyOfConfig, modelTypes, type ModelFamily, type RegisteredModel,
} from "./registry.js";
export {
  fromPretrained, savePretrained, pretrainedFiles, modelFromConfigFile, type SavePretrainedOptions, type FromPretrainedOptions, type PretrainedFile, type PretrainedModel,
} from "./pretrained.js";
export { nearestName, type FieldRule, type FieldRules } from "./config-fields.js";
