/**
 * Regression metrics with scikit-learn's definitions, over vectors ([n] or [n, 1]) in float64. Each
 * is a running sum, so the streaming accumulators reuse these sums and agree with the one-shot
 * functions exactly. An empty input gives NaN.
 */
import { type MetricInput, checkFinite, readPair } from "./input.js";

/** Machine epsilon of float64: sklearn's floor for |yTrue| in MAPE's denominator. */
export const MAPE_EPSILON = 2.220446049250313e-16;

function readTargets(metric: string, yTrue: MetricInput, yPred: MetricInput) {
  const pair = readPair(metric, yTrue, yPred);
  checkFinite(metric, "yTrue", pair.yTrue);
  checkFinite(metric, "yPred", pair.yPred);
  return pair;
}

/** Running sum of a per-sample error and the number of samples. */
export class ErrorSum {
  sum = 0;
  count = 0;

  constructor(private readonly error: (t: number, p: number) => number) {}

  add(metric: string, yTrue: MetricInput, yPred: MetricInput): void {
    const pair = readTargets(metric, yTrue, yPred);
    for (let i = 0; i < pair.yTrue.length; i++) this.sum += this.error(pair.yTrue[i], pair.yPred[i]);
    this.count += pair.yTrue.length;
  }

  mean(): number {
    return this.sum / this.count;
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
}

export const squaredError = (t: number, p: number): number => (t - p) * (t - p);
export const absoluteError = (t: number, p: number): number => Math.abs(t - p);
export const absolutePercentageError = (t: number, p: number): number =>
  Math.abs(p - t) / Math.max(Math.abs(t), MAPE_EPSILON);

function meanError(metric: string, error: (t: number, p: number) => number, yTrue: MetricInput, yPred: MetricInput) {
  const sum = new ErrorSum(error);
  sum.add(metric, yTrue, yPred);
  return sum.mean();
}

/**
 * Mean squared error.
 * @example mse([1, 2, 3], [1, 2, 5]) // 4/3
 */
export function mse(yTrue: MetricInput, yPred: MetricInput): number {
  return meanError("mse", squaredError, yTrue, yPred);
}

/**
 * Root mean squared error, sqrt(mse) (sklearn's `mean_squared_error(squared=False)`).
 * @example rmse([0, 0], [3, 4]) // sqrt(12.5)
 */
export function rmse(yTrue: MetricInput, yPred: MetricInput): number {
  return Math.sqrt(meanError("rmse", squaredError, yTrue, yPred));
}

/**
 * Mean absolute error.
 * @example mae([1, 2, 3], [2, 2, 1]) // 1
 */
export function mae(yTrue: MetricInput, yPred: MetricInput): number {
  return meanError("mae", absoluteError, yTrue, yPred);
}

/**
 * Mean absolute percentage error as a fraction (0.1 means 10%): mean |yPred - yTrue| / max(|yTrue|, ε)
 * with ε = 2.220446049250313e-16, so a zero in yTrue gives a huge but finite term, as sklearn.
 * @example mape([100, 200], [110, 180]) // 0.1
 */
export function mape(yTrue: MetricInput, yPred: MetricInput): number {
  return meanError("mape", absolutePercentageError, yTrue, yPred);
}

/**
 * Running sums for R² = 1 - SS_res / SS_tot. SS_tot comes from Welford's update of the mean and the
 * sum of squared deviations, which is numerically stable and exactly 0 for a constant yTrue.
 */
export class R2Sums {
  private count = 0;
  private mean = 0;
  private ssTot = 0;
  private ssRes = 0;

  add(metric: string, yTrue: MetricInput, yPred: MetricInput): void {
    const pair = readTargets(metric, yTrue, yPred);
    for (let i = 0; i < pair.yTrue.length; i++) {
      const t = pair.yTrue[i];
      const p = pair.yPred[i];
      this.count++;
      const delta = t - this.mean;
      this.mean += delta / this.count;
      this.ssTot += delta * (t - this.mean);
      this.ssRes += (t - p) * (t - p);
    }
  }

  /** See `r2` for the constant-yTrue and fewer-than-two-samples cases. */
  value(forceFinite = true): number {
    if (this.count < 2) return Number.NaN;
    if (!forceFinite) return 1 - this.ssRes / this.ssTot;
    if (this.ssRes === 0) return 1;
    if (this.ssTot === 0) return 0;
    return 1 - this.ssRes / this.ssTot;
  }

  reset(): void {
    this.count = 0;
    this.mean = 0;
    this.ssTot = 0;
    this.ssRes = 0;
  }
}

/** Options of `r2Score`: how several outputs are averaged. */
export interface R2Options {
  /**
   * Default true, as sklearn: for a constant yTrue (SS_tot = 0) give 1 if the predictions are perfect
   * and 0 otherwise, instead of NaN or -Infinity.
   */
  forceFinite?: boolean;
}

/**
 * Coefficient of determination R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)². Fewer than two samples give NaN.
 * @example r2([1, 2, 3], [1, 2, 4]) // 1 - 1/2 = 0.5
 */
export function r2(yTrue: MetricInput, yPred: MetricInput, options: R2Options = {}): number {
  const sums = new R2Sums();
  sums.add("r2", yTrue, yPred);
  return sums.value(options.forceFinite ?? true);
}
