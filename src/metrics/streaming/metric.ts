/**
 * Streaming metrics for evaluation loops: `update` with each batch, `compute` at the end, `reset`
 * before the next epoch. Each keeps exact sufficient statistics, so streaming a data set in any
 * chunking gives the one-shot result.
 */
import type { MetricInput } from "../input.js";

/** A metric accumulated batch by batch: `update` with each batch, `compute` the value so far, `reset` to start over. */
export interface StreamingMetric<T> {
  /** Adds one batch. */
  update(yTrue: MetricInput, yPred: MetricInput): void;
  /** The metric over everything added since construction or the last reset. */
  compute(): T;
  /** Forgets everything added. */
  reset(): void;
}
