/**
 * loom's tokenizers: the Hugging Face pipeline (normalizer → pre-tokenizer → model → post-processor
 * → decoder), tokenizer.json in and out, tiktoken encodings, chat templates.
 */
export { Tokenizer, type EncodeOptions, type DecodeOptions, type AddedTokenInput } from "./tokenizer.js";
export { Encoding, type EncodingParts, type TruncationDirection, type PaddingDirection } from "./encoding.js";
export { AddedToken, AddedVocabulary, type AddedTokenOptions } from "./added-vocabulary.js";
export { NormalizedString, type Alignment, type CharChange, type OffsetReferential } from "./normalized-string.js";
export { PreTokenizedString, type Split as PreTokenizedSplit } from "./pre-tokenized-string.js";
export { type Pattern, type SplitDelimiterBehavior, findMatches } from "./pattern.js";
export { checkRegexComplexity, compileRegex, translateRegexSource, GPT2_PATTERN, CL100K_PATTERN, O200K_PATTERN, type JsonPattern } from "./regex.js";
export { JsonPath, type JsonObject, type JsonValue } from "./json.js";
export { Registry } from "./registry.js";
export { BYTE_TO_CHAR, toByteLevel, fromByteLevel } from "./byte-level-alphabet.js";
export { type TruncationParams, type TruncationStrategy, truncateEncodings } from "./truncation.js";
export { type PaddingParams, padEncodings } from "./padding.js";
export { fromTiktoken, fromTiktokenFile, parseTiktokenRanks, tokenizerFromTiktokenRanks, type TiktokenName } from "./tiktoken.js";
export {
  applyChatTemplate,
  loadChatTemplateBeside,
  DEFAULT_CHAT_TEMPLATE,
  DEFAULT_CHAT_SPECIAL_TOKENS,
  defaultChatTemplateLimits,
  type ChatTemplateLimits,
  type ChatMessage,
  type ChatTemplateOptions,
  type ChatTemplateConfig,
} from "./chat-template.js";
/** Normalizers: text clean-up before splitting (Unicode forms, lowercase, BERT's, replace, strip, SentencePiece's precompiled). */
export * as normalizers from "./normalizers/index.js";
/** Pre-tokenizers: split text into words before the model (byte-level, whitespace, punctuation, digits, Metaspace, regex). */
export * as preTokenizers from "./pre_tokenizers/index.js";
/** Tokenizer models: BPE, WordPiece, WordLevel and Unigram vocabularies that turn words into tokens. */
export * as models from "./models/index.js";
/** Post-processors: special tokens and type ids around encoded sequences (BERT, RoBERTa, templates, byte-level offsets). */
export * as processors from "./processors/index.js";
/** Decoders: tokens back to text (byte-level, WordPiece, Metaspace, BPE suffixes, byte fallback, …). */
export * as decoders from "./decoders/index.js";
/** Reading SentencePiece `.model` files (protobuf) and converting them into tokenizers. */
export * as sentencepiece from "./sentencepiece/index.js";
export type { Trainer, TrainerProgress } from "./trainers/trainer.js";
/** Tokenizer trainers (`BpeTrainer`, `WordPieceTrainer`, `WordLevelTrainer`, `UnigramTrainer`), used with `Tokenizer.trainFromTexts`. */
export * as trainers from "./trainers/index.js";
export { BpeTrainer, WordPieceTrainer, WordLevelTrainer, UnigramTrainer } from "./trainers/index.js";
