/**
 * Training and run folders: the {@link Trainer} (and the `train()` loop under it), evaluation, token
 * streams, and reading and writing run folders (`model.safetensors`, `config.json`, `tokenizer.json`)
 * as `loom train` leaves them.
 */
export { Trainer, defaultTrainOptions, type TrainerConfig } from "./trainer-class.js";
export {
  train, evaluate, makeOptimizer, learningRate, TrainingStopped,
  type TrainOptions, type TrainResult, type EvalResult, type TrainerRun,
} from "./trainer.js";
export { encodeDocuments, saveTokenStream, loadTokenStream, type TokenStream, type EncodeProgress } from "./dataset.js";
export {
  loadLanguageModel, loadModel, saveModel, loadTokenizer, saveTokenizer, modelFromConfig,
  type LanguageModel, type TrainerState,
} from "./checkpoint.js";
export { createProgress, formatDuration, type ProgressDisplay, type ProgressFields } from "./progress.js";
export { PRESETS, getPreset, type Preset } from "./presets.js";
export { resolveSettings, runTraining, type RunSettings, type RunOutcome, type RunHooks, type ModelKind } from "./run.js";
export { buildTokenizer, END_OF_TEXT, TRAINED_SPECIAL_TOKENS } from "./tokenizer-setup.js";
export {
  spanCorrupt, corruptWithMask, reconstructFromSpans, randomSpansNoiseMask, randomSegmentation, noiseCounts, corruptedLengths,
  randomSpansHelper, tokensLengthForTargets, topOfVocabularySentinels, roundHalfToEven, defaultSpanCorruptionOptions,
  type SpanCorruptionOptions, type SentinelSource, type SpanCorruptionExample, type NoiseCounts, type CorruptedLengths, type SpanLengthPlan,
} from "./objectives/span-corruption.js";
export { prefixLmSplit, prefixLmSplitAt, type PrefixLmOptions, type PrefixLmExample } from "./objectives/prefix-lm.js";
export {
  TaskMixture, mixingRates, textPairTask, spanCorruptionTask, prefixLmTask, chunkTokens, collateTextToText,
  type TextToTextBatch, type CollateOptions,
  type MixtureTask, type MixtureOptions, type MixtureExample, type TextExample, type IdExample, type IdEncoder,
} from "./objectives/task-mixture.js";
export {
  trainT5Tokenizer, addSentinelTokens, sentinelIds, sentinelSource, sentinelToken, T5_SPECIAL_TOKENS, DEFAULT_EXTRA_IDS, type T5TokenizerOptions,
} from "./objectives/sentinels.js";
export { maskingVocabulary, type MaskingVocabulary } from "./objectives/vocabulary.js";
export {
  IGNORE_INDEX, maskTokensHf, maskTokensGoogle, maskingCandidates, googlePredictionCount, sampleNgramLength,
  type MaskedSequence, type HfMaskingOptions, type GoogleMaskingOptions, type ReplacementOptions,
} from "./objectives/masking.js";
export {
  createPairInstances, createPairInstancesFromDocument, createSingleInstances, truncateSeqPair,
  type PairObjective, type PretrainingInstance, type InstanceOptions,
} from "./objectives/pairs.js";
export { splitSentences, segmentDocuments, type SegmentedDocument } from "./objectives/segments.js";
export { sequenceLayout, assemble, addedTokenCount, type SequenceLayout, type LayoutPart, type AssembledSequence } from "./objectives/layout.js";
export { collatePretrainingBatch, maskSequence, type MaskingStyle, type BatchMaskingOptions, type PretrainingBatch } from "./objectives/batch.js";
export { trainWordPieceTokenizer, BERT_SPECIAL_TOKENS, type WordPieceSetupOptions } from "./objectives/wordpiece-setup.js";
export { pretrainingLoss, evaluatePretraining, type PretrainingModel, type PretrainingLoss, type PretrainEvaluation } from "./objectives/pretrain-loss.js";
export {
  BERT_SIZES, PRETRAIN_OBJECTIVES, defaultPretrainSettings, resolvePretrainSettings, pretrainModelConfig,
  type BertPretrainSettings, type BertPretrainOverrides, type PretrainObjective,
} from "./objectives/pretrain-settings.js";
export { runBertPretraining, resumeBertPretraining, type PretrainHooks, type PretrainOutcome, type PretrainResumeChanges } from "./objectives/pretrain.js";
/** Sequence-to-sequence tasks (CMUdict grapheme-to-phoneme): data, vocabulary, models, training loop and runs. */
export * as seq2seq from "./seq2seq/index.js";
