/**
 * What the seq2seq trainer trains on and scores, behind one interface: the loss of the batch of each
 * step, and an evaluation of a split (greedy or beam search) as named figures. A pair task (g2p, p2g:
 * token lists over a PairVocabulary, batches of similar-length pairs) and a text-to-text mixture
 * (text-to-text.ts) both implement it.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { batchesPerEpoch, epochBatches, type EncodedPair } from "./batches.js";
import { formatRates, scoreExamples } from "./evaluate.js";
import { batchLoss, type TaskModel } from "./models.js";
import type { Seq2SeqExample } from "./task.js";
import type { PairVocabulary } from "./vocabulary.js";

/** The figures of one decoding of (part of) a split. */
export interface TaskEvaluation {
  /** Named figures, e.g. { wer, per } (fractions); metrics.jsonl and results.json carry them. */
  metrics: Record<string, number>;
  /** One line for the log, e.g. "WER 24.10% PER 5.90%". */
  summary: string;
  /** Examples decoded. */
  examples: number;
  /** Wall-clock seconds of the decoding. */
  seconds: number;
}

/** A task as the trainer sees it. */
export interface TrainingTask {
  /** Batches in one pass over the training data (what "epochs" count). */
  readonly batchesPerEpoch: number;
  /** Examples in the test split (the trainer scales the timed validation decoding to it). */
  readonly testSize: number;
  /** The mean loss of the batch of step `step` (0-based) and the target tokens it holds. */
  batch(model: TaskModel, step: number): { loss: Tensor; tokens: number };
  /** Decodes the first `limit` examples of a split (all when absent), greedy or with `numBeams` beams. */
  evaluate(model: TaskModel, split: "validation" | "test", options: { numBeams: number; limit?: number }): TaskEvaluation;
}

/**
 * A task of token-list pairs (g2p, p2g) over a PairVocabulary: batches of similar-length pairs in an
 * order fixed by (seed, epoch), WER and token error rate against every reference.
 */
export class PairTrainingTask implements TrainingTask {
  readonly batchesPerEpoch: number;
  private epoch = -1;
  private batches: EncodedPair[][] = [];

  constructor(
    readonly vocab: PairVocabulary,
    readonly train: readonly EncodedPair[],
    readonly splits: { validation: readonly Seq2SeqExample[]; test: readonly Seq2SeqExample[] },
    readonly batchSize: number,
    readonly seed: number,
  ) {
    this.batchesPerEpoch = batchesPerEpoch(train.length, batchSize);
  }

  get testSize(): number {
    return this.splits.test.length;
  }

  batch(model: TaskModel, step: number): { loss: Tensor; tokens: number } {
    const e = Math.floor(step / this.batchesPerEpoch);
    if (e !== this.epoch) {
      this.epoch = e;
      this.batches = epochBatches(this.train, this.batchSize, this.seed, e);
    }
    const batch = this.batches[step % this.batchesPerEpoch] as EncodedPair[];
    return { loss: batchLoss(model, batch, this.vocab), tokens: batch.reduce((n, p) => n + p.target.length + 1, 0) };
  }

  evaluate(model: TaskModel, split: "validation" | "test", options: { numBeams: number; limit?: number }): TaskEvaluation {
    const examples = this.splits[split].slice(0, options.limit);
    const s = scoreExamples(model, this.vocab, examples, { numBeams: options.numBeams });
    return { metrics: { wer: s.rates.wordErrorRate, per: s.rates.tokenErrorRate }, summary: formatRates(s.rates), examples: examples.length, seconds: s.seconds };
  }
}
