/** Text generation: sampling, greedy decoding and beam search with a KV cache; logit processors. */
export { generate, generateTokens } from "./generate.js";
export { generateText, streamText, textPieces, END_OF_TEXT, type TextGenerateOptions, type TextTokenizer } from "./text.js";
export { type GenerateOptions, type ResolvedGenerateOptions, resolveGenerateOptions } from "./options.js";
export type { CausalLanguageModel, CausalLanguageModelConfig, GenerationCache, CachedKeysValues } from "./language-model.js";
export {
  applyTemperature, applyRepetitionPenalty, topKFilter, topPFilter, softmaxRow, logSoftmaxRow, argmax, sampleFromProbs,
} from "./processors.js";
export { chooseNextToken, type SamplingSettings } from "./next-token.js";
export { beamSearch } from "./beam-search.js";
export { findStopSequence, pendingStopPrefix } from "./stop-sequences.js";
