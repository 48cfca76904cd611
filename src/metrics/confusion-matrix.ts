/**
 * Confusion matrix with scikit-learn's conventions: row i counts samples whose true label is
 * labels[i], column j those predicted as labels[j]; labels default to the sorted union of yTrue and
 * yPred, and samples whose true or predicted label is not in `labels` are left out.
 */
import { ValueError } from "../errors.js";
import { type MetricInput, readPair } from "./input.js";
import { LabelPairCounts, checkLabelList } from "./label-counts.js";

/** "true": rows sum to 1; "pred": columns sum to 1; "all": the whole matrix sums to 1. */
export type ConfusionNormalize = "true" | "pred" | "all";

/** Options of `confusionMatrix`: the number of classes and normalisation. */
export interface ConfusionMatrixOptions {
  /** Labels indexing rows and columns, in this order. Default: sorted labels of yTrue and yPred. */
  labels?: readonly number[];
  /** Divide counts by row, column or grand totals; a zero total gives 0, as sklearn's nan_to_num. */
  normalize?: ConfusionNormalize;
}

/** Builds the matrix from pair counts; shared by `confusionMatrix` and the streaming accumulator. */
export function confusionMatrixFromCounts(
  metric: string,
  counts: LabelPairCounts,
  options: ConfusionMatrixOptions = {},
): number[][] {
  const { normalize } = options;
  if (normalize !== undefined && normalize !== "true" && normalize !== "pred" && normalize !== "all") {
    throw new ValueError(`${metric}: normalize must be "true", "pred" or "all", got ${String(normalize)}`);
  }
  let labels: readonly number[];
  if (options.labels === undefined) {
    labels = counts.presentLabels();
  } else {
    labels = options.labels;
    checkLabelList(metric, labels);
    const trueLabels = new Set(counts.trueLabels());
    // sklearn: "At least one label specified must be in y_true".
    if (!labels.some((l) => trueLabels.has(l))) {
      throw new ValueError(`${metric}: none of labels [${labels.join(",")}] occurs in yTrue`);
    }
  }
  const cm = labels.map((t) => labels.map((p) => counts.count(t, p)));
  if (normalize === undefined) return cm;
  const k = labels.length;
  const divide = (x: number, d: number): number => (d === 0 ? 0 : x / d);
  if (normalize === "true") {
    return cm.map((row) => {
      const sum = row.reduce((a, b) => a + b, 0);
      return row.map((x) => divide(x, sum));
    });
  }
  if (normalize === "pred") {
    const colSums = Array.from({ length: k }, (_, j) => cm.reduce((a, row) => a + row[j], 0));
    return cm.map((row) => row.map((x, j) => divide(x, colSums[j])));
  }
  const all = cm.reduce((a, row) => a + row.reduce((b, x) => b + x, 0), 0);
  return cm.map((row) => row.map((x) => divide(x, all)));
}

/**
 * Confusion matrix [labels, labels] of integer counts (or fractions with `normalize`).
 * @example confusionMatrix([0, 1, 1], [0, 1, 0]) // [[1, 0], [1, 1]]
 */
export function confusionMatrix(yTrue: MetricInput, yPred: MetricInput, options: ConfusionMatrixOptions = {}): number[][] {
  const metric = "confusionMatrix";
  const pair = readPair(metric, yTrue, yPred);
  const counts = new LabelPairCounts();
  counts.add(metric, pair.yTrue, pair.yPred);
  return confusionMatrixFromCounts(metric, counts, options);
}
