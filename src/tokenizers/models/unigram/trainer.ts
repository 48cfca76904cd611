/**
 * Trains a Unigram model as SentencePiece does (Kudo 2018, §3.2): start from a large seed vocabulary
 * (every character and the frequent substrings of the words), then repeat — a few EM sub-iterations
 * to fit the piece probabilities, and a pruning step that keeps the `shrinkingFactor` share of pieces
 * whose removal would cost the corpus likelihood most — until the vocabulary is within 10% of
 * `vocabSize`; finally keep the `vocabSize` most probable pieces, every character included.
 *
 * Words are the pre-tokenized pieces fed in (with a Metaspace pre-tokenizer: "▁the", "▁cat", or whole
 * sentences for text without spaces); each distinct word is segmented once per pass, weighted by its
 * count.
 *
 * As in SentencePiece, seed substrings must repeat across *distinct* words, and the M-step drops
 * pieces expected less than half a time, so on a small corpus the vocabulary can come out smaller
 * than `vocabSize` (SentencePiece refuses to train then; here the smaller model is returned).
 */
import { ValueError } from "../../../errors.js";
import type { Trainer, TrainerProgress } from "../../trainers/trainer.js";
import { eStep, mStep, prune, TrainerModel } from "./em.js";
import { bytePiece, Unigram } from "./model.js";
import { byScoreThenPiece, seedPieces } from "./seed-pieces.js";

/** Options of {@link UnigramTrainer}, as Hugging Face's `UnigramTrainer`. */
export interface UnigramTrainerOptions {
  /** Size of the final vocabulary, special tokens and byte pieces included (default 8000). */
  vocabSize?: number;
  /** EM sub-iterations between prunings (default 2). */
  nSubIterations?: number;
  /** Share of pieces each pruning keeps (default 0.75). */
  shrinkingFactor?: number;
  /** Tokens that take the first ids, in order, with score 0. */
  specialTokens?: string[];
  /** The unknown token; put first unless it is one of `specialTokens`; null for none (default "<unk>"). */
  unkToken?: string | null;
  /** Characters to keep in the vocabulary even if the corpus lacks them. */
  initialAlphabet?: string[];
  /** Longest piece, in characters (default 16). */
  maxPieceLength?: number;
  /** Size of the seed vocabulary (default 1,000,000). */
  seedSize?: number;
  /** Add the 256 byte pieces `<0x00>`…`<0xFF>` after the special tokens, and enable byte fallback. */
  byteFallback?: boolean;
}

/** The defaults of every {@link UnigramTrainerOptions} field. */
export const defaultUnigramTrainerOptions: Required<UnigramTrainerOptions> = {
  vocabSize: 8000,
  nSubIterations: 2,
  shrinkingFactor: 0.75,
  specialTokens: [],
  unkToken: "<unk>",
  initialAlphabet: [],
  maxPieceLength: 16,
  seedSize: 1_000_000,
  byteFallback: false,
};

/** Log-likelihood after each EM sub-iteration and vocabulary size after each pruning, for inspection. */
export interface UnigramTrainingLog {
  logLikelihood: number[];
  sizes: number[];
}

/**
 * Learns a Unigram vocabulary: seed with frequent substrings, then alternate EM re-estimation with pruning the pieces whose loss
 * hurts least, until the target size.
 */
export class UnigramTrainer implements Trainer {
  readonly type = "UnigramTrainer";
  readonly options: Required<UnigramTrainerOptions>;
  readonly specialTokens: readonly string[];
  onProgress?: (progress: TrainerProgress) => void;
  /** Filled by `train()`. */
  readonly log: UnigramTrainingLog = { logLikelihood: [], sizes: [] };
  private readonly words = new Map<string, number>();

  constructor(options: UnigramTrainerOptions = {}) {
    this.options = { ...defaultUnigramTrainerOptions, ...options };
    this.specialTokens = [...this.options.specialTokens];
    const { vocabSize, shrinkingFactor, nSubIterations, maxPieceLength } = this.options;
    if (!Number.isInteger(vocabSize) || vocabSize <= 0) throw new ValueError(`UnigramTrainer: vocabSize must be a positive integer, got ${vocabSize}`);
    if (!(shrinkingFactor > 0 && shrinkingFactor < 1)) throw new ValueError(`UnigramTrainer: shrinkingFactor must be in (0, 1), got ${shrinkingFactor}`);
    if (!Number.isInteger(nSubIterations) || nSubIterations < 1) throw new ValueError(`UnigramTrainer: nSubIterations must be ≥ 1, got ${nSubIterations}`);
    if (!Number.isInteger(maxPieceLength) || maxPieceLength < 1) throw new ValueError(`UnigramTrainer: maxPieceLength must be ≥ 1, got ${maxPieceLength}`);
  }

  feed(pieces: readonly string[]): void {
    for (const piece of pieces) {
      if (piece.length > 0) this.words.set(piece, (this.words.get(piece) ?? 0) + 1);
    }
  }

  /** Adds a word `count` times (for callers that have counts already). */
  feedCount(word: string, count: number): void {
    if (word.length > 0 && count > 0) this.words.set(word, (this.words.get(word) ?? 0) + count);
  }

  train(): Unigram {
    const o = this.options;
    const words = [...this.words];
    const report = (stage: string, done: number, total: number): void => this.onProgress?.({ stage, done, total });

    // Every character is required in the final vocabulary, weighted by how often it occurs.
    const required = new Map<string, number>();
    for (const [word, count] of words) {
      for (const ch of word) required.set(ch, (required.get(ch) ?? 0) + count);
    }
    for (const ch of o.initialAlphabet) if (!required.has(ch)) required.set(ch, 1);
    this.checkVocabSize(required);

    report("seed", 0, 1);
    let model = new TrainerModel(seedPieces(words, required, { seedSize: o.seedSize, maxPieceLength: o.maxPieceLength }));
    report("seed", 1, 1);

    const desiredSize = Math.floor((o.vocabSize * 11) / 10);
    const rounds = Math.max(1, Math.ceil(Math.log(desiredSize / model.size) / Math.log(o.shrinkingFactor)) + 1);
    for (let round = 0; ; round++) {
      for (let it = 0; it < o.nSubIterations; it++) {
        const { expected, logLikelihood } = eStep(model, words);
        this.log.logLikelihood.push(logLikelihood);
        model = new TrainerModel(mStep(model, expected));
      }
      report("EM", Math.min(round + 1, rounds), rounds);
      if (model.size <= desiredSize) break;
      const before = model.size;
      model = new TrainerModel(prune(model, words, desiredSize, o.shrinkingFactor));
      this.log.sizes.push(model.size);
      // Pruning keeps every character; once it cannot shrink the model further, more rounds would not either.
      if (model.size >= before) break;
    }
    return this.finalize(model, required);
  }

  /**
   * Every character of the corpus must be a piece, so the vocabulary must hold them all besides the
   * special tokens and byte pieces; SentencePiece refuses to train otherwise ("Vocabulary size is
   * smaller than required_chars … Increase vocab_size"), and so does this trainer, before any work.
   */
  private checkVocabSize(required: Map<string, number>): void {
    const o = this.options;
    const front = new Set(this.specialTokens);
    if (o.unkToken !== null) front.add(o.unkToken);
    if (o.byteFallback) for (let b = 0; b < 256; b++) front.add(bytePiece(b));
    let needed = front.size;
    for (const ch of required.keys()) if (!front.has(ch)) needed++;
    if (needed > o.vocabSize) {
      throw new ValueError(
        `UnigramTrainer: vocabSize ${o.vocabSize} is smaller than the ${needed - front.size} distinct characters of the corpus ` +
          `plus ${front.size} special token${front.size === 1 ? "" : "s"}${o.byteFallback ? " and byte pieces" : ""}; ` +
          `every character must be a piece (as in SentencePiece), so raise vocabSize to at least ${needed}`,
      );
    }
  }

  /**
   * Characters first (those the EM dropped get just above the lowest score, rarer ones a little
   * higher, as SentencePiece does), then the most probable pieces up to the size, sorted by score;
   * special tokens, the unknown token and byte pieces go in front with score 0.
   */
  private finalize(model: TrainerModel, required: Map<string, number>): Unigram {
    const o = this.options;
    const front: string[] = [...this.specialTokens];
    let unkId: number | null = null;
    if (o.unkToken !== null) {
      unkId = front.indexOf(o.unkToken);
      if (unkId < 0) {
        front.unshift(o.unkToken);
        unkId = 0;
      }
    }
    if (o.byteFallback) for (let b = 0; b < 256; b++) front.push(bytePiece(b));
    const reserved = new Set(front);
    const budget = o.vocabSize - front.length;
    const existing = new Map(model.entries());
    const pieces = new Map<string, number>();
    let penalty = 0;
    for (const [ch] of [...required].sort(byScoreThenPiece)) {
      if (reserved.has(ch)) continue;
      const score = existing.get(ch);
      if (score !== undefined) {
        pieces.set(ch, score);
      } else {
        pieces.set(ch, model.minScore + penalty);
        penalty += 0.0001;
      }
    }
    for (const [piece, score] of model.entries().sort(byScoreThenPiece)) {
      if (pieces.size >= budget) break;
      if (pieces.has(piece) || reserved.has(piece)) continue;
      pieces.set(piece, Number.isNaN(score) ? 0 : score);
    }
    const vocab: [string, number][] = front.map((t) => [t, 0]);
    vocab.push(...[...pieces].sort(byScoreThenPiece));
    return new Unigram(vocab, { unkId, byteFallback: o.byteFallback });
  }
}
