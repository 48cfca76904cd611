/**
 * The tokenizer trainers, one per model, as Hugging Face's `tokenizers.trainers`: pass one to
 * `Tokenizer.trainFromTexts(texts, trainer)` to learn the vocabulary (and merges) from text.
 */
export type { Trainer, TrainerProgress } from "./trainer.js";
export { BpeTrainer, byteLevelAlphabet, type BpeTrainerOptions } from "../models/bpe/trainer.js";
export { WordPieceTrainer, type WordPieceTrainerOptions } from "../models/wordpiece/trainer.js";
export { WordLevelTrainer, type WordLevelTrainerOptions } from "../models/wordlevel/trainer.js";
export { UnigramTrainer, defaultUnigramTrainerOptions, type UnigramTrainerOptions } from "../models/unigram/trainer.js";
