/** Streaming accuracy: hits and samples added up over batches. */
import { type AccuracyOptions, countHits } from "../accuracy.js";
import type { MetricInput } from "../input.js";
import type { StreamingMetric } from "./metric.js";

/** Accuracy accumulated over batches: `update(predictions, targets)` per batch, `compute()` at the end. */
export class Accuracy implements StreamingMetric<number> {
  private hits = 0;
  private samples = 0;

  /** `topK` and `normalize` as for `accuracy`. */
  constructor(private readonly options: AccuracyOptions = {}) {}

  /** yPred holds labels, or scores [n, classes] (top-k). */
  update(yTrue: MetricInput, yPred: MetricInput): void {
    const batch = countHits("Accuracy", yTrue, yPred, this.options.topK ?? 1);
    this.hits += batch.hits;
    this.samples += batch.samples;
  }

  /** Fraction of hits (NaN before any sample), or their count with normalize: false. */
  compute(): number {
    return this.options.normalize === false ? this.hits : this.hits / this.samples;
  }

  reset(): void {
    this.hits = 0;
    this.samples = 0;
  }
}
