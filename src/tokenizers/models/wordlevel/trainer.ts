/** WordLevelTrainer: HF tokenizers' `WordLevelTrainer` — whole pieces by frequency (see trainer-vocab.ts). */
import { ValueError } from "../../../errors.js";
import type { Trainer, TrainerProgress } from "../../trainers/trainer.js";
import { WordLevel } from "./model.js";
import { learnWordLevel } from "./trainer-vocab.js";

/** Options of {@link WordLevelTrainer}: vocabulary size, minimum frequency, special tokens. */
export interface WordLevelTrainerOptions {
  /** Largest vocabulary, special tokens included (HF default 30,000). */
  vocabSize?: number;
  /** Words seen fewer times are left out (default 0). */
  minFrequency?: number;
  /** Tokens that take the first ids, in order. */
  specialTokens?: string[];
  /** The trained model's unknown token (HF keeps the tokenizer model's; default "<unk>" as HF's WordLevel). */
  unkToken?: string;
}

/** Learns a word-level vocabulary: the most frequent words, up to the vocabulary size. */
export class WordLevelTrainer implements Trainer {
  readonly type = "WordLevelTrainer";
  readonly vocabSize: number;
  readonly minFrequency: number;
  readonly specialTokens: readonly string[];
  readonly unkToken: string;
  onProgress?: (progress: TrainerProgress) => void;
  readonly words = new Map<string, number>();

  constructor(options: WordLevelTrainerOptions = {}) {
    this.vocabSize = options.vocabSize ?? 30000;
    this.minFrequency = options.minFrequency ?? 0;
    this.specialTokens = [...(options.specialTokens ?? [])];
    this.unkToken = options.unkToken ?? "<unk>";
    if (!Number.isInteger(this.vocabSize) || this.vocabSize < 0) {
      throw new ValueError(`WordLevelTrainer: vocabSize must be a non-negative integer, got ${this.vocabSize}`);
    }
  }

  feed(pieces: readonly string[]): void {
    for (const p of pieces) this.words.set(p, (this.words.get(p) ?? 0) + 1);
  }

  train(): WordLevel {
    const vocab = learnWordLevel(this.words, this);
    this.onProgress?.({ stage: "vocab", done: vocab.length, total: vocab.length });
    return new WordLevel(new Map(vocab.map((t, i) => [t, i])), this.unkToken);
  }
}
