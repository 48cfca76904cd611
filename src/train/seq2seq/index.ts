/**
 * Sequence-to-sequence tasks (CMUdict grapheme-to-phoneme and its reverse): the task data, the pair
 * vocabulary, batches of similar-length pairs, the models (RNN Seq2Seq, T5), the training loop with
 * word/token error rates, and a whole run as `loom seq2seq train` does it.
 */
export { loadSeq2SeqTask, trainingPairs, SEQ2SEQ_TASKS, type Seq2SeqTaskName, type Seq2SeqExample, type Seq2SeqTaskData } from "./task.js";
export { PairVocabulary, PAIR_SPECIALS, PAIR_VOCABULARY_TYPE } from "./vocabulary.js";
export { epochBatches, batchesPerEpoch, type EncodedPair } from "./batches.js";
export {
  buildTaskModel, taskModelKind, batchLoss, encoderDecoderLoss, predictTargets, sourceBatch, SEQ2SEQ_MODEL_KINDS,
  type Seq2SeqModelKind, type TaskModel, type TaskModelSizes, type PredictOptions, type TaskIds,
} from "./models.js";
export { scoreExamples, formatRates, type TaskScore } from "./evaluate.js";
export {
  trainSeq2Seq, defaultSeq2SeqTrainOptions, validateSeq2SeqTrainOptions, makeSeq2SeqOptimizer, seq2seqCheckpointFiles,
  type Seq2SeqTrainOptions, type Seq2SeqTrainResult, type Seq2SeqTrainerRun,
} from "./trainer.js";
export { PairTrainingTask, type TrainingTask, type TaskEvaluation } from "./training-task.js";
export { runSeq2SeqTask, describeTaskModel, type Seq2SeqRunSettings, type Seq2SeqRunOutcome, type Seq2SeqRunHooks, type Seq2SeqNewRunOptions } from "./run.js";
export {
  TextToTextTask, buildTextToTextTokenizer, textToTextCorpus, pronounceText, spellText, g2pInput, defaultTextToTextOptions, TEXT_TO_TEXT_RATES,
  type TextToTextOptions, type TextToTextIds,
} from "./text-to-text.js";
