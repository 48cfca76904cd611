/** Streaming regression metrics over the same running sums as the one-shot functions. */
import type { MetricInput } from "../input.js";
import { ErrorSum, type R2Options, R2Sums, absoluteError, squaredError } from "../regression.js";
import type { StreamingMetric } from "./metric.js";

/** Mean squared error accumulated over batches. */
export class MeanSquaredError implements StreamingMetric<number> {
  protected readonly sum = new ErrorSum(squaredError);
  protected readonly metricName: string = "MeanSquaredError";

  update(yTrue: MetricInput, yPred: MetricInput): void {
    this.sum.add(this.metricName, yTrue, yPred);
  }

  compute(): number {
    return this.sum.mean();
  }

  reset(): void {
    this.sum.reset();
  }
}

/** Root mean squared error accumulated over batches. */
export class RootMeanSquaredError extends MeanSquaredError {
  protected override readonly metricName: string = "RootMeanSquaredError";

  override compute(): number {
    return Math.sqrt(this.sum.mean());
  }
}

/** Mean absolute error accumulated over batches. */
export class MeanAbsoluteError implements StreamingMetric<number> {
  private readonly sum = new ErrorSum(absoluteError);

  update(yTrue: MetricInput, yPred: MetricInput): void {
    this.sum.add("MeanAbsoluteError", yTrue, yPred);
  }

  compute(): number {
    return this.sum.mean();
  }

  reset(): void {
    this.sum.reset();
  }
}

/** Exact R² from running sums (Welford's mean and squared deviations of yTrue, and Σ(y - ŷ)²). */
export class R2Score implements StreamingMetric<number> {
  private readonly sums = new R2Sums();

  constructor(private readonly options: R2Options = {}) {}

  update(yTrue: MetricInput, yPred: MetricInput): void {
    this.sums.add("R2Score", yTrue, yPred);
  }

  compute(): number {
    return this.sums.value(this.options.forceFinite ?? true);
  }

  reset(): void {
    this.sums.reset();
  }
}
