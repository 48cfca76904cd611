/**
 * Counts of (true label, predicted label) pairs: the sufficient statistic of every set-wise
 * classification metric (confusion matrix, accuracy, precision, recall, F-beta). One-shot metrics and
 * the streaming ConfusionMatrixAccumulator both build one of these, so their results agree exactly.
 */
import { ValueError } from "../errors.js";
import { checkFinite } from "./input.js";

/** Per-label counts for set-wise metrics: true positives, predicted and true totals. */
export interface LabelTotals {
  readonly tp: number[];
  /** Samples predicted as the label (tp + fp). */
  readonly predSum: number[];
  /** Samples whose true label is the label (tp + fn); sklearn's "support". */
  readonly trueSum: number[];
}

/** A sparse table of counts keyed by true label, then predicted label. */
export class LabelPairCounts {
  private readonly table = new Map<number, Map<number, number>>();
  private samples = 0;

  /** Adds one count per index of two equal-length label arrays. */
  add(metric: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
    checkFinite(metric, "yTrue", yTrue);
    checkFinite(metric, "yPred", yPred);
    for (let i = 0; i < yTrue.length; i++) {
      let row = this.table.get(yTrue[i]);
      if (row === undefined) {
        row = new Map();
        this.table.set(yTrue[i], row);
      }
      row.set(yPred[i], (row.get(yPred[i]) ?? 0) + 1);
    }
    this.samples += yTrue.length;
  }

  clear(): void {
    this.table.clear();
    this.samples = 0;
  }

  /** Number of samples counted. */
  get total(): number {
    return this.samples;
  }

  /** Count of samples with true label `t` predicted as `p`. */
  count(t: number, p: number): number {
    return this.table.get(t)?.get(p) ?? 0;
  }

  /** Samples predicted correctly. */
  correct(): number {
    let sum = 0;
    for (const [t, row] of this.table) sum += row.get(t) ?? 0;
    return sum;
  }

  /** Sorted labels seen in yTrue. */
  trueLabels(): number[] {
    return [...this.table.keys()].sort((a, b) => a - b);
  }

  /** Sorted labels seen in yTrue or yPred (sklearn's `unique_labels`). */
  presentLabels(): number[] {
    const seen = new Set<number>(this.table.keys());
    for (const row of this.table.values()) for (const p of row.keys()) seen.add(p);
    return [...seen].sort((a, b) => a - b);
  }

  /** tp, predicted and true totals for each of `labels`, counted over all samples. */
  totals(labels: readonly number[]): LabelTotals {
    const trueTotals = new Map<number, number>();
    const predTotals = new Map<number, number>();
    for (const [t, row] of this.table) {
      for (const [p, c] of row) {
        trueTotals.set(t, (trueTotals.get(t) ?? 0) + c);
        predTotals.set(p, (predTotals.get(p) ?? 0) + c);
      }
    }
    return {
      tp: labels.map((l) => this.count(l, l)),
      predSum: labels.map((l) => predTotals.get(l) ?? 0),
      trueSum: labels.map((l) => trueTotals.get(l) ?? 0),
    };
  }
}

/** Validates a user-supplied label list: finite and without duplicates. */
export function checkLabelList(metric: string, labels: readonly number[]): void {
  checkFinite(metric, "labels", labels);
  if (new Set(labels).size !== labels.length) {
    throw new ValueError(`${metric}: labels contains duplicates: [${labels.join(",")}]`);
  }
  if (labels.length === 0) throw new ValueError(`${metric}: labels must not be empty`);
}
