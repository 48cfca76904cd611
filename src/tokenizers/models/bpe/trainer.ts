/**
 * BpeTrainer: HF tokenizers' `BpeTrainer` — same options, defaults and merges (the algorithm and the
 * reasons for each detail are in trainer-merges.ts). Feed it pre-tokenized pieces, then `train()`.
 */
import { ValueError } from "../../../errors.js";
import type { Trainer, TrainerProgress } from "../../trainers/trainer.js";
import { BPE, type BpeOptions } from "./model.js";
import { learnBpe, type BpeTrainingResult } from "./trainer-merges.js";
import { stderrProgress } from "./trainer-progress.js";

export { byteLevelAlphabet } from "./trainer-alphabet.js";

/** Options of {@link BpeTrainer}, as Hugging Face's `BpeTrainer`. */
export interface BpeTrainerOptions {
  /** Target vocabulary size, special tokens included (HF default 30,000). */
  vocabSize?: number;
  /** Pairs seen fewer times are never merged (default 0). */
  minFrequency?: number;
  /** Tokens that take the first ids, in order. */
  specialTokens?: string[];
  /** Keep at most this many characters, the most frequent, in the initial alphabet (default: all). */
  limitAlphabet?: number;
  /** Characters always in the alphabet, e.g. `byteLevelAlphabet()` for a byte-level BPE. */
  initialAlphabet?: string[];
  /** Prefix of every symbol that does not start a word (e.g. "##"). */
  continuingSubwordPrefix?: string;
  /** Suffix of the symbol that ends a word (e.g. "</w>"). */
  endOfWordSuffix?: string;
  /** Longest token merges may build, in characters (default: no limit). */
  maxTokenLength?: number;
  /** Print progress lines on stderr when no `onProgress` is set (HF's show_progress; default false). */
  showProgress?: boolean;
  /**
   * Options of the trained BPE model that do not come from training (HF keeps them from the
   * tokenizer's current model): unk token, dropout, fuse_unk, byte_fallback.
   */
  model?: Pick<BpeOptions, "unkToken" | "dropout" | "fuseUnk" | "byteFallback">;
}

/**
 * Learns a BPE vocabulary and merges from word counts: start from the characters, repeatedly merge the most frequent adjacent
 * pair.
 * @example
 * ```ts
 * import { tokenizers } from "loom";
 * const tok = new tokenizers.Tokenizer(new tokenizers.models.BPE(new Map(), []));
 * tok.preTokenizer = new tokenizers.preTokenizers.Whitespace();
 * tok.trainFromTexts(["low lower lowest", "new newer newest"], new tokenizers.BpeTrainer({ vocabSize: 40 }));
 * tok.encode("lowest newest").tokens;
 * ```
 */
export class BpeTrainer implements Trainer {
  readonly type = "BpeTrainer";
  readonly vocabSize: number;
  readonly minFrequency: number;
  readonly specialTokens: readonly string[];
  readonly limitAlphabet: number | undefined;
  readonly initialAlphabet: readonly string[];
  readonly continuingSubwordPrefix: string | undefined;
  readonly endOfWordSuffix: string | undefined;
  readonly maxTokenLength: number | undefined;
  readonly showProgress: boolean;
  readonly modelOptions: NonNullable<BpeTrainerOptions["model"]>;
  onProgress?: (progress: TrainerProgress) => void;
  /** Count of every distinct piece fed so far, in first-seen order. */
  readonly words = new Map<string, number>();

  constructor(options: BpeTrainerOptions = {}) {
    this.vocabSize = options.vocabSize ?? 30000;
    this.minFrequency = options.minFrequency ?? 0;
    this.specialTokens = [...(options.specialTokens ?? [])];
    this.limitAlphabet = options.limitAlphabet;
    this.initialAlphabet = [...(options.initialAlphabet ?? [])];
    this.continuingSubwordPrefix = options.continuingSubwordPrefix;
    this.endOfWordSuffix = options.endOfWordSuffix;
    this.maxTokenLength = options.maxTokenLength;
    this.showProgress = options.showProgress ?? false;
    this.modelOptions = { ...options.model };
    for (const [name, value] of [["vocabSize", this.vocabSize], ["minFrequency", this.minFrequency],
      ["limitAlphabet", this.limitAlphabet], ["maxTokenLength", this.maxTokenLength]] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
        throw new ValueError(`BpeTrainer: ${name} must be a non-negative integer, got ${value}`);
      }
    }
  }

  feed(pieces: readonly string[]): void {
    for (const p of pieces) this.words.set(p, (this.words.get(p) ?? 0) + 1);
  }

  /** The vocabulary (tokens by id) and merges, before they are wrapped in a model. */
  learn(): BpeTrainingResult {
    return learnBpe(this.words, {
      vocabSize: this.vocabSize,
      minFrequency: this.minFrequency,
      specialTokens: this.specialTokens,
      limitAlphabet: this.limitAlphabet,
      initialAlphabet: this.initialAlphabet,
      continuingSubwordPrefix: this.continuingSubwordPrefix,
      endOfWordSuffix: this.endOfWordSuffix,
      maxTokenLength: this.maxTokenLength,
      onProgress: this.onProgress ?? (this.showProgress ? stderrProgress(this.type) : undefined),
    });
  }

  train(): BPE {
    const { vocab, merges } = this.learn();
    const options: BpeOptions = { ...this.modelOptions };
    if (this.continuingSubwordPrefix !== undefined) options.continuingSubwordPrefix = this.continuingSubwordPrefix;
    if (this.endOfWordSuffix !== undefined) options.endOfWordSuffix = this.endOfWordSuffix;
    return new BPE(new Map(vocab.map((t, i) => [t, i])), merges, options);
  }
}
