/**
 * WordPieceTrainer: as HF tokenizers, a BPE trainer with continuing_subword_prefix "##" whose
 * vocabulary becomes the WordPiece vocabulary (`WordPiece::from_bpe`: same tokens, same ids; the
 * merges are dropped, since WordPiece matches the longest vocabulary entry instead).
 */
import type { Trainer, TrainerProgress } from "../../trainers/trainer.js";
import { BpeTrainer, type BpeTrainerOptions } from "../bpe/trainer.js";
import { WordPiece } from "./model.js";

/** Options of {@link WordPieceTrainer}: those of the BPE trainer it builds on. */
export interface WordPieceTrainerOptions extends Omit<BpeTrainerOptions, "model" | "maxTokenLength"> {
  /** The trained model's unknown token (HF keeps the tokenizer model's; default "[UNK]"). */
  unkToken?: string;
  /** Longer words become the unknown token (default 100). */
  maxInputCharsPerWord?: number;
}

/** Learns a WordPiece vocabulary (as Hugging Face does, by BPE merges with "##" continuation pieces). */
export class WordPieceTrainer implements Trainer {
  readonly type = "WordPieceTrainer";
  readonly bpe: BpeTrainer;
  readonly unkToken: string;
  readonly maxInputCharsPerWord: number;

  constructor(options: WordPieceTrainerOptions = {}) {
    const { unkToken, maxInputCharsPerWord, ...bpeOptions } = options;
    this.bpe = new BpeTrainer({ ...bpeOptions, continuingSubwordPrefix: bpeOptions.continuingSubwordPrefix ?? "##" });
    this.unkToken = unkToken ?? "[UNK]";
    this.maxInputCharsPerWord = maxInputCharsPerWord ?? 100;
  }

  get specialTokens(): readonly string[] {
    return this.bpe.specialTokens;
  }

  get onProgress(): ((progress: TrainerProgress) => void) | undefined {
    return this.bpe.onProgress;
  }

  set onProgress(callback: ((progress: TrainerProgress) => void) | undefined) {
    if (callback === undefined) delete this.bpe.onProgress;
    else this.bpe.onProgress = callback;
  }

  feed(pieces: readonly string[]): void {
    this.bpe.feed(pieces);
  }

  train(): WordPiece {
    const { vocab } = this.bpe.learn();
    return new WordPiece(new Map(vocab.map((t, i) => [t, i])), {
      unkToken: this.unkToken,
      continuingSubwordPrefix: this.bpe.continuingSubwordPrefix ?? "##",
      maxInputCharsPerWord: this.maxInputCharsPerWord,
    });
  }
}
