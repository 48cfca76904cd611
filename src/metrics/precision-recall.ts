/**
 * Precision, recall and F-beta with scikit-learn's conventions (`precision_recall_fscore_support`):
 * `average` "binary" (default; scores `posLabel` only), "micro" (global tp/fp/fn), "macro" (unweighted
 * mean over labels), "weighted" (mean weighted by support) or null (one score per label).
 *
 *   precision = tp / (tp + fp)     recall = tp / (tp + fn)
 *   F_beta    = (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp)
 *
 * A zero denominator gives `zeroDivision` (0, 1 or NaN). The count form of F_beta equals sklearn
 * 1.2's (1 + β²)·P·R / (β²·P + R) whenever both are defined, and also covers zeroDivision = "nan" the
 * way sklearn ≥ 1.3 does. With "nan", averages skip NaN entries, as sklearn ≥ 1.3's `_nanaverage`.
 */
import { ValueError } from "../errors.js";
import { type MetricInput, readPair } from "./input.js";
import { LabelPairCounts, checkLabelList } from "./label-counts.js";

/**
 * How per-class scores combine: one positive class (binary), global counts (micro), the plain mean (macro), or the support-
 * weighted mean (weighted).
 */
export type Average = "binary" | "micro" | "macro" | "weighted";

/** Value of a score whose denominator is zero; sklearn's default warns and uses 0. */
export type ZeroDivision = 0 | 1 | "nan";

interface CommonOptions {
  /** The positive class when average is "binary". Default 1. Ignored by the other averages, as in sklearn. */
  posLabel?: number;
  /**
   * Labels to score and average over, in this order (not used by "binary"). A label absent from both
   * yTrue and yPred still counts in "macro", with its scores set by zeroDivision. Default: the sorted
   * labels present in yTrue or yPred.
   */
  labels?: readonly number[];
  /** Default 0. */
  zeroDivision?: ZeroDivision;
}

/** Options giving one averaged score. */
export interface AveragedOptions extends CommonOptions {
  /** Default "binary". */
  average?: Average;
}

/** Options giving one score per label (in the order of `labels`). */
export interface PerClassOptions extends CommonOptions {
  average: null;
}

/** Options of precision, recall and F-scores: averaged, or per class. */
export type SetWiseOptions = AveragedOptions | PerClassOptions;

/** Precision, recall and F-beta from one pass over the counts. */
export interface SetWiseScores<T extends number | number[]> {
  precision: T;
  recall: T;
  fbeta: T;
}

function zeroDivisionValue(metric: string, zeroDivision: unknown): number {
  if (zeroDivision === 0 || zeroDivision === 1) return zeroDivision;
  if (zeroDivision === "nan") return Number.NaN;
  throw new ValueError(`${metric}: zeroDivision must be 0, 1 or "nan", got ${String(zeroDivision)}`);
}

function resolveLabels(metric: string, counts: LabelPairCounts, options: SetWiseOptions): readonly number[] {
  const present = counts.presentLabels();
  if (options.average === "binary") {
    // sklearn: average="binary" needs at most two distinct labels across yTrue and yPred.
    if (present.length > 2) {
      throw new ValueError(
        `${metric}: average "binary" needs at most 2 labels but yTrue and yPred hold [${present.join(",")}]; ` +
          `use average "micro", "macro", "weighted" or null`,
      );
    }
    const posLabel = options.posLabel ?? 1;
    if (!present.includes(posLabel) && present.length === 2) {
      throw new ValueError(`${metric}: posLabel ${posLabel} is not one of the labels [${present.join(",")}]`);
    }
    return [posLabel];
  }
  if (options.labels === undefined) return present;
  checkLabelList(metric, options.labels);
  return options.labels;
}

function safeDivide(num: number, den: number, zero: number): number {
  return den === 0 ? zero : num / den;
}

/** Weighted mean skipping NaN entries; NaN when nothing is left (sklearn ≥ 1.3 `_nanaverage`). */
function nanAverage(values: readonly number[], weights?: readonly number[]): number {
  let num = 0;
  let den = 0;
  values.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    const w = weights === undefined ? 1 : weights[i];
    num += w * v;
    den += w;
  });
  return den === 0 ? Number.NaN : num / den;
}

/** Scores from pair counts; shared by the one-shot functions and the streaming accumulator. */
export function setWiseScoresFromCounts(
  metric: string,
  counts: LabelPairCounts,
  beta: number,
  options: SetWiseOptions = {},
): SetWiseScores<number | number[]> {
  const average = options.average === undefined ? "binary" : options.average;
  if (average !== null && !["binary", "micro", "macro", "weighted"].includes(average)) {
    throw new ValueError(`${metric}: average must be "binary", "micro", "macro", "weighted" or null, got ${String(average)}`);
  }
  if (!(beta >= 0)) throw new ValueError(`${metric}: beta must be >= 0, got ${beta}`);
  const zero = zeroDivisionValue(metric, options.zeroDivision ?? 0);
  const labels = resolveLabels(metric, counts, { ...options, average } as SetWiseOptions);
  let { tp, predSum, trueSum } = counts.totals(labels);
  if (average === "micro") {
    const sum = (a: number[]): number[] => [a.reduce((x, y) => x + y, 0)];
    tp = sum(tp);
    predSum = sum(predSum);
    trueSum = sum(trueSum);
  }
  const beta2 = beta * beta;
  const precision = tp.map((t, i) => safeDivide(t, predSum[i], zero));
  const recall = tp.map((t, i) => safeDivide(t, trueSum[i], zero));
  const fbeta = tp.map((t, i) => {
    if (beta === Number.POSITIVE_INFINITY) return recall[i];
    const fn = trueSum[i] - t;
    const fp = predSum[i] - t;
    return safeDivide((1 + beta2) * t, (1 + beta2) * t + beta2 * fn + fp, zero);
  });
  if (average === null) return { precision, recall, fbeta };
  if (average === "weighted") {
    const totalTrue = trueSum.reduce((a, b) => a + b, 0);
    if (totalTrue === 0) {
      // sklearn: no sample has any of the labels. Precision is ill-defined only without predictions.
      const totalPred = predSum.reduce((a, b) => a + b, 0);
      return totalPred === 0
        ? { precision: zero, recall: zero, fbeta: zero }
        : { precision: 0, recall: zero, fbeta: 0 };
    }
    return {
      precision: nanAverage(precision, trueSum),
      recall: nanAverage(recall, trueSum),
      fbeta: nanAverage(fbeta, trueSum),
    };
  }
  return { precision: nanAverage(precision), recall: nanAverage(recall), fbeta: nanAverage(fbeta) };
}

function scores(metric: string, yTrue: MetricInput, yPred: MetricInput, beta: number, options?: SetWiseOptions) {
  const pair = readPair(metric, yTrue, yPred);
  const counts = new LabelPairCounts();
  counts.add(metric, pair.yTrue, pair.yPred);
  return setWiseScoresFromCounts(metric, counts, beta, options);
}

/**
 * Precision tp / (tp + fp).
 * @example precision([0, 1, 1, 1], [1, 1, 0, 1]) // 2/3
 */
export function precision(yTrue: MetricInput, yPred: MetricInput, options: PerClassOptions): number[];
export function precision(yTrue: MetricInput, yPred: MetricInput, options?: AveragedOptions): number;
export function precision(yTrue: MetricInput, yPred: MetricInput, options?: SetWiseOptions): number | number[] {
  return scores("precision", yTrue, yPred, 1, options).precision;
}

/**
 * Recall tp / (tp + fn).
 * @example recall([0, 1, 1, 1], [1, 1, 0, 1]) // 2/3
 */
export function recall(yTrue: MetricInput, yPred: MetricInput, options: PerClassOptions): number[];
export function recall(yTrue: MetricInput, yPred: MetricInput, options?: AveragedOptions): number;
export function recall(yTrue: MetricInput, yPred: MetricInput, options?: SetWiseOptions): number | number[] {
  return scores("recall", yTrue, yPred, 1, options).recall;
}

/**
 * F-beta: recall weighted beta times as much as precision (beta = Infinity gives recall).
 * @example fbeta([0, 1, 1, 1], [1, 1, 1, 1], 2) // 5·3 / (5·3 + 0 + 1) = 15/16
 */
export function fbeta(yTrue: MetricInput, yPred: MetricInput, beta: number, options: PerClassOptions): number[];
export function fbeta(yTrue: MetricInput, yPred: MetricInput, beta: number, options?: AveragedOptions): number;
export function fbeta(yTrue: MetricInput, yPred: MetricInput, beta: number, options?: SetWiseOptions): number | number[] {
  return scores("fbeta", yTrue, yPred, beta, options).fbeta;
}

/**
 * F1, the harmonic mean of precision and recall.
 * @example f1([0, 1, 1, 1], [1, 1, 0, 1]) // 2/3
 */
export function f1(yTrue: MetricInput, yPred: MetricInput, options: PerClassOptions): number[];
export function f1(yTrue: MetricInput, yPred: MetricInput, options?: AveragedOptions): number;
export function f1(yTrue: MetricInput, yPred: MetricInput, options?: SetWiseOptions): number | number[] {
  return scores("f1", yTrue, yPred, 1, options).fbeta;
}
