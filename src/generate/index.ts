/**
 * Decoding through one interface (a decoder step with a reorderable state): sampling, greedy decoding,
 * beam search and streaming, for decoder-only and encoder–decoder models; logit processors.
 */
export { generate, generateTokens, decode, type DecodeResult } from "./generate.js";
export { generateText, streamText, textPieces, END_OF_TEXT, type TextGenerateOptions, type TextTokenizer } from "./text.js";
export { type GenerateOptions, type ResolvedGenerateOptions, resolveGenerateOptions, MAX_BEAMS } from "./options.js";
export type { CausalLanguageModel, CausalLanguageModelConfig, DecodingCache } from "./language-model.js";
export type { DecoderStep, StepResult, LogitRow } from "./decoder-step.js";
export { CausalLanguageModelStep } from "./causal-step.js";
export { decodeSources, type EncoderDecoderModel } from "./encoder-decoder.js";
export {
  applyTemperature, applyRepetitionPenalty, topKFilter, topPFilter, softmaxRow, logSoftmaxRow, argmax, sampleFromProbs,
} from "./processors.js";
export { chooseNextToken, type SamplingSettings } from "./next-token.js";
export { beamSearch, type BeamHypothesis } from "./beam-search.js";
export { beamSearchBatch } from "./beam-search-batch.js";
export { sampleSteps, FINISHED, type SampledStep } from "./sampling.js";
export { lengthPenalty, type LengthPenaltyKind } from "./length-penalty.js";
export { findStopSequence, pendingStopPrefix } from "./stop-sequences.js";
