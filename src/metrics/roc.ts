/**
 * ROC curve, trapezoidal area and ROC AUC, following scikit-learn's `roc_curve`, `auc` and
 * `roc_auc_score`.
 *
 * Thresholds are the distinct scores in decreasing order (tied scores collapse into one point). A
 * leading point (0, 0) makes the curve start at the origin; its threshold is `max score + 1`, which is
 * what the scikit-learn installed for the fixtures (1.2.1) returns. sklearn ≥ 1.3 uses +Infinity there
 * instead; only that first threshold differs, never fpr, tpr or any area.
 */
import { ValueError } from "../errors.js";
import {
  type MetricInput,
  checkFinite,
  checkSameLength,
  readInput,
  readMatrix,
  readVector,
  uniqueSorted,
} from "./input.js";

/** A ROC curve: false- and true-positive rates at each threshold. */
export interface RocCurve {
  /** False-positive rate fp / negatives at each threshold (NaN when yTrue has no negatives). */
  fpr: number[];
  /** True-positive rate tp / positives at each threshold (NaN when yTrue has no positives). */
  tpr: number[];
  /** Decreasing; a sample counts as positive when its score >= threshold. */
  thresholds: number[];
}

/** Options of `rocCurve`: the positive label and whether to drop collinear points. */
export interface RocCurveOptions {
  /** The positive class. Default 1, allowed only when yTrue's labels are within {0, 1} or {-1, 1}. */
  posLabel?: number;
  /** Drop points collinear with their neighbours; they do not change the area. Default true. */
  dropIntermediate?: boolean;
}

function readBinaryTargets(metric: string, yTrue: MetricInput, scores: MetricInput) {
  const t = readVector(metric, "yTrue", yTrue);
  const s = readVector(metric, "scores", scores);
  checkSameLength(metric, t.length, s.length, "scores");
  checkFinite(metric, "yTrue", t);
  checkFinite(metric, "scores", s);
  if (t.length === 0) throw new ValueError(`${metric}: yTrue is empty`);
  const classes = uniqueSorted(t);
  if (classes.length > 2) {
    throw new ValueError(
      `${metric}: yTrue holds ${classes.length} labels [${classes.join(",")}]; a binary curve needs at most 2 ` +
        `(for multi-class AUC pass scores of shape [n, classes] to aucRoc)`,
    );
  }
  return { yTrue: t, scores: s, classes };
}

/** sklearn's `_check_pos_label_consistency`: the default 1 only for {0,1} or {-1,1} labels. */
function defaultPosLabel(metric: string, classes: readonly number[]): number {
  const isSigned = classes.every((c) => c === -1 || c === 1);
  const isBinary = classes.every((c) => c === 0 || c === 1);
  if (isSigned || isBinary) return 1;
  throw new ValueError(`${metric}: yTrue holds labels [${classes.join(",")}]; pass posLabel to say which is positive`);
}

/** fps and tps at each distinct score, scores in decreasing order (sklearn's `_binary_clf_curve`). */
function cumulativeCounts(isPositive: (i: number) => boolean, scores: ArrayLike<number>) {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  order.forEach((idx, rank) => {
    if (isPositive(idx)) tp++;
    const last = rank === order.length - 1;
    if (last || scores[order[rank + 1]] !== scores[idx]) {
      tps.push(tp);
      fps.push(rank + 1 - tp);
      thresholds.push(scores[idx]);
    }
  });
  return { fps, tps, thresholds };
}

function curveFromCounts(
  fps: number[],
  tps: number[],
  thresholds: number[],
  dropIntermediate: boolean,
): RocCurve {
  let keep = fps.map((_, i) => i);
  if (dropIntermediate && fps.length > 2) {
    // A point is a corner when the second difference of fps or tps is nonzero there.
    keep = keep.filter(
      (i) =>
        i === 0 ||
        i === fps.length - 1 ||
        fps[i - 1] - 2 * fps[i] + fps[i + 1] !== 0 ||
        tps[i - 1] - 2 * tps[i] + tps[i + 1] !== 0,
    );
  }
  const f = [0, ...keep.map((i) => fps[i])];
  const t = [0, ...keep.map((i) => tps[i])];
  const th = [thresholds[keep[0]] + 1, ...keep.map((i) => thresholds[i])];
  const negatives = f[f.length - 1];
  const positives = t[t.length - 1];
  return {
    fpr: f.map((x) => (negatives > 0 ? x / negatives : Number.NaN)),
    tpr: t.map((x) => (positives > 0 ? x / positives : Number.NaN)),
    thresholds: th,
  };
}

/**
 * Receiver operating characteristic of binary scores.
 * @example rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
 * // { fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1], thresholds: [1.8, 0.8, 0.4, 0.35, 0.1] }
 */
export function rocCurve(yTrue: MetricInput, scores: MetricInput, options: RocCurveOptions = {}): RocCurve {
  const metric = "rocCurve";
  const input = readBinaryTargets(metric, yTrue, scores);
  const posLabel = options.posLabel ?? defaultPosLabel(metric, input.classes);
  const { fps, tps, thresholds } = cumulativeCounts((i) => input.yTrue[i] === posLabel, input.scores);
  return curveFromCounts(fps, tps, thresholds, options.dropIntermediate ?? true);
}

/**
 * Area under a curve by the trapezoidal rule. x must be monotonic; a decreasing x gives the area
 * with a positive sign, as sklearn's `auc`.
 * @example auc([0, 1, 2], [0, 1, 1]) // 1.5
 */
export function auc(x: MetricInput, y: MetricInput): number {
  const metric = "auc";
  const xs = readVector(metric, "x", x);
  const ys = readVector(metric, "y", y);
  if (xs.length !== ys.length) throw new ValueError(`${metric}: x has ${xs.length} values but y has ${ys.length}`);
  if (xs.length < 2) throw new ValueError(`${metric}: needs at least 2 points, got ${xs.length}`);
  checkFinite(metric, "x", xs);
  checkFinite(metric, "y", ys);
  let increasing = true;
  let decreasing = true;
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] < xs[i - 1]) increasing = false;
    if (xs[i] > xs[i - 1]) decreasing = false;
  }
  if (!increasing && !decreasing) throw new ValueError(`${metric}: x is neither increasing nor decreasing`);
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += ((xs[i] - xs[i - 1]) * (ys[i] + ys[i - 1])) / 2;
  return increasing ? area : -area;
}

/** Options of `aucRoc`: multi-class averaging (one-vs-rest) and the positive label. */
export interface AucRocOptions {
  /**
   * Binary scores: the positive class. Default: the greater of yTrue's two labels, as sklearn's
   * `roc_auc_score`.
   */
  posLabel?: number;
  /** Scores [n, classes]: "macro" (default) or "weighted" (by class prevalence) mean of one-vs-rest AUCs. */
  average?: "macro" | "weighted";
}

function binaryAuc(metric: string, isPositive: (i: number) => boolean, scores: ArrayLike<number>): number {
  const { fps, tps, thresholds } = cumulativeCounts(isPositive, scores);
  if (fps[fps.length - 1] === 0 || tps[tps.length - 1] === 0) {
    throw new ValueError(`${metric}: yTrue holds only one class; ROC AUC is not defined`);
  }
  const curve = curveFromCounts(fps, tps, thresholds, true);
  return auc(curve.fpr, curve.tpr);
}

/** Per-class one-vs-rest AUCs of scores [n, classes], with yTrue holding class indices. */
function oneVsRestAucs(metric: string, yTrue: ArrayLike<number>, scores: MetricInput) {
  const { data, rows, cols } = readMatrix(metric, "scores", scores);
  checkSameLength(metric, yTrue.length, rows, "scores");
  checkFinite(metric, "scores", data);
  const support = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) {
    const t = yTrue[i];
    if (!Number.isInteger(t) || t < 0 || t >= cols) {
      throw new ValueError(`${metric}: yTrue[${i}] = ${t} is not a class index in [0, ${cols})`);
    }
    support[t]++;
  }
  const missing = support.findIndex((count) => count === 0);
  if (missing >= 0) {
    throw new ValueError(`${metric}: class ${missing} never occurs in yTrue; its one-vs-rest AUC is not defined`);
  }
  const aucs = support.map((_, c) => {
    const column = Float64Array.from({ length: rows }, (_, i) => data[i * cols + c]);
    return binaryAuc(metric, (i) => yTrue[i] === c, column);
  });
  return { aucs, support };
}

/**
 * Area under the ROC curve. 1-D scores: binary AUC. Scores [n, classes]: one-vs-rest AUC per class
 * (yTrue holds class indices, and every class must occur), averaged. Unlike sklearn, rows need not sum
 * to 1: one-vs-rest AUC of a column does not depend on the other columns.
 * @example aucRoc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.75
 */
export function aucRoc(yTrue: MetricInput, scores: MetricInput, options: AucRocOptions = {}): number {
  const metric = "aucRoc";
  const shape = readInput(metric, "scores", scores).shape;
  if (shape.length === 2 && shape[1] > 1) {
    const t = readVector(metric, "yTrue", yTrue);
    const { aucs, support } = oneVsRestAucs(metric, t, scores);
    const average = options.average ?? "macro";
    if (average === "macro") return aucs.reduce((a, b) => a + b, 0) / aucs.length;
    if (average === "weighted") return aucs.reduce((a, v, c) => a + v * support[c], 0) / t.length;
    throw new ValueError(`${metric}: average must be "macro" or "weighted", got ${String(average)}`);
  }
  const input = readBinaryTargets(metric, yTrue, scores);
  const posLabel = options.posLabel ?? input.classes[input.classes.length - 1];
  return binaryAuc(metric, (i) => input.yTrue[i] === posLabel, input.scores);
}
