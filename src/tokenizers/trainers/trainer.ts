/**
 * The contract every trainer fulfils. `Tokenizer.train(files, trainer)` reads the files, runs the
 * tokenizer's normalizer and pre-tokenizer on each line, and feeds the resulting pieces here; then
 * `train()` builds the model. Special tokens are added to the tokenizer as special added tokens.
 */
import type { Model } from "../models/model.js";

/** A progress report of training: the stage, and how far it is. */
export interface TrainerProgress {
  /** What is happening now, e.g. "count pairs", "merge", "EM". */
  stage: string;
  done: number;
  total: number;
}

/** A tokenizer trainer: fed pre-tokenized words, it builds the model's vocabulary. Pass one to `Tokenizer.trainFromTexts`. */
export interface Trainer {
  /** The `"type"` tag of the trainer ("BpeTrainer", "WordPieceTrainer", "UnigramTrainer", "WordLevelTrainer"). */
  readonly type: string;
  /** Special tokens, in order; they take the first ids of the vocabulary. */
  readonly specialTokens: readonly string[];
  /** Adds the pre-tokenized pieces of one input sequence (a line or document) to the counts. */
  feed(pieces: readonly string[]): void;
  /** Builds the model from everything fed so far. */
  train(): Model;
  /** Called now and then during `train()`, for progress bars. */
  onProgress?: (progress: TrainerProgress) => void;
}
