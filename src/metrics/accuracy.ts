/**
 * Accuracy and top-k accuracy (scikit-learn's `accuracy_score` and `top_k_accuracy_score`).
 *
 * When yPred is a matrix it holds scores [n, classes] and column j scores class j, so yTrue must hold
 * class indices. (sklearn instead maps columns to the sorted labels of yTrue; the two agree whenever
 * yTrue holds every class 0..classes-1.) A sample is a hit when fewer than k columns outrank its
 * true column; a tie is won by the higher column index, as in sklearn's reversed stable argsort.
 */
import { ValueError } from "../errors.js";
import { type MatrixInput, type MetricInput, checkFinite, checkSameLength, readInput, readMatrix, readPair, readVector } from "./input.js";

/** Options of `accuracy`: top-k, and a threshold for binary probabilities. */
export interface AccuracyOptions {
  /** With scores [n, classes]: a hit when the true class is among the k best. Default 1. */
  topK?: number;
  /** true (default): the fraction of hits; false: their count. */
  normalize?: boolean;
}

/** Number of hits and samples; the streaming Accuracy adds these up. */
export interface HitCount {
  hits: number;
  samples: number;
}

function checkTopK(metric: string, topK: number): void {
  if (!Number.isInteger(topK) || topK < 1) {
    throw new ValueError(`${metric}: topK must be an integer >= 1, got ${topK}`);
  }
}

function topKHits(metric: string, yTrue: ArrayLike<number>, scores: MatrixInput, k: number): number {
  const { data, rows, cols } = scores;
  checkFinite(metric, "yPred", data);
  let hits = 0;
  for (let i = 0; i < rows; i++) {
    const t = yTrue[i];
    if (!Number.isInteger(t) || t < 0 || t >= cols) {
      throw new ValueError(`${metric}: yTrue[${i}] = ${t} is not a class index in [0, ${cols})`);
    }
    const own = data[i * cols + t];
    let outranked = 0;
    for (let j = 0; j < cols && outranked < k; j++) {
      const s = data[i * cols + j];
      if (s > own || (s === own && j > t)) outranked++;
    }
    if (outranked < k) hits++;
  }
  return hits;
}

/** Hits of one batch: label equality for a label vector, top-k membership for a score matrix. */
export function countHits(metric: string, yTrue: MetricInput, yPred: MetricInput, topK = 1): HitCount {
  checkTopK(metric, topK);
  const predShape = readInput(metric, "yPred", yPred).shape;
  if (predShape.length === 2 && predShape[1] > 1) {
    const scores = readMatrix(metric, "yPred", yPred);
    const labels = readVector(metric, "yTrue", yTrue);
    checkSameLength(metric, labels.length, scores.rows, "yPred");
    return { hits: topKHits(metric, labels, scores, topK), samples: scores.rows };
  }
  if (topK !== 1) {
    throw new ValueError(`${metric}: topK ${topK} needs scores of shape [n, classes] as yPred, got labels`);
  }
  const pair = readPair(metric, yTrue, yPred);
  // NaN equals nothing, so an unchecked NaN label would count silently as a miss.
  checkFinite(metric, "yTrue", pair.yTrue);
  checkFinite(metric, "yPred", pair.yPred);
  let hits = 0;
  for (let i = 0; i < pair.yTrue.length; i++) if (pair.yTrue[i] === pair.yPred[i]) hits++;
  return { hits, samples: pair.yTrue.length };
}

/**
 * Fraction (or count) of samples predicted correctly. yPred holds labels, or scores [n, classes].
 * An empty input gives NaN, as sklearn's mean of nothing.
 * @example accuracy([0, 1, 2], [0, 2, 2]) // 2/3
 * @example accuracy([2, 0], [[0.1, 0.5, 0.4], [0.2, 0.3, 0.5]], { topK: 2 }) // 0.5
 */
export function accuracy(yTrue: MetricInput, yPred: MetricInput, options: AccuracyOptions = {}): number {
  const { hits, samples } = countHits("accuracy", yTrue, yPred, options.topK ?? 1);
  return options.normalize === false ? hits : hits / samples;
}
