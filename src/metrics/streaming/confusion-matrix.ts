/**
 * Streaming confusion counts: a sparse table of (true, predicted) label pairs, from which the
 * confusion matrix, accuracy and precision/recall/F-beta of any average are computed exactly as the
 * one-shot functions compute them over the concatenated batches.
 */
import { type ConfusionMatrixOptions, confusionMatrixFromCounts } from "../confusion-matrix.js";
import { type MetricInput, readPair } from "../input.js";
import { LabelPairCounts } from "../label-counts.js";
import {
  type AveragedOptions,
  type PerClassOptions,
  type SetWiseOptions,
  setWiseScoresFromCounts,
} from "../precision-recall.js";
import type { StreamingMetric } from "./metric.js";

const NAME = "ConfusionMatrixAccumulator";

/** A confusion matrix accumulated over batches. */
export class ConfusionMatrixAccumulator implements StreamingMetric<number[][]> {
  private readonly counts = new LabelPairCounts();

  /** Adds a batch of true and predicted labels. */
  update(yTrue: MetricInput, yPred: MetricInput): void {
    const pair = readPair(NAME, yTrue, yPred);
    this.counts.add(NAME, pair.yTrue, pair.yPred);
  }

  /** Confusion matrix, with options as `confusionMatrix`. */
  compute(options: ConfusionMatrixOptions = {}): number[][] {
    return confusionMatrixFromCounts(NAME, this.counts, options);
  }

  /** Sorted labels seen so far in yTrue or yPred: the default rows and columns of `compute()`. */
  labels(): number[] {
    return this.counts.presentLabels();
  }

  /** Fraction of samples predicted correctly (NaN before any sample). */
  accuracy(): number {
    return this.counts.correct() / this.counts.total;
  }

  precision(options: PerClassOptions): number[];
  precision(options?: AveragedOptions): number;
  precision(options?: SetWiseOptions): number | number[] {
    return setWiseScoresFromCounts(NAME, this.counts, 1, options).precision;
  }

  recall(options: PerClassOptions): number[];
  recall(options?: AveragedOptions): number;
  recall(options?: SetWiseOptions): number | number[] {
    return setWiseScoresFromCounts(NAME, this.counts, 1, options).recall;
  }

  f1(options: PerClassOptions): number[];
  f1(options?: AveragedOptions): number;
  f1(options?: SetWiseOptions): number | number[] {
    return setWiseScoresFromCounts(NAME, this.counts, 1, options).fbeta;
  }

  fbeta(beta: number, options: PerClassOptions): number[];
  fbeta(beta: number, options?: AveragedOptions): number;
  fbeta(beta: number, options?: SetWiseOptions): number | number[] {
    return setWiseScoresFromCounts(NAME, this.counts, beta, options).fbeta;
  }

  reset(): void {
    this.counts.clear();
  }
}
