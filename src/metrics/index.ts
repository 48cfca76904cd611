/**
 * loom's metrics, with scikit-learn's conventions: `(yTrue, yPred)` argument order, MAPE as a
 * fraction, `zeroDivision` for undefined precision/recall/F. Inputs are plain arrays, typed arrays,
 * nested rows or loom Tensors (see `MetricInput`); results are float64 numbers.
 */
export type { MetricInput, TensorLike } from "./input.js";
export { accuracy, type AccuracyOptions } from "./accuracy.js";
export {
  precision,
  recall,
  f1,
  fbeta,
  type Average,
  type ZeroDivision,
  type AveragedOptions,
  type PerClassOptions,
  type SetWiseOptions,
} from "./precision-recall.js";
export { confusionMatrix, type ConfusionMatrixOptions, type ConfusionNormalize } from "./confusion-matrix.js";
export { rocCurve, auc, aucRoc, type RocCurve, type RocCurveOptions, type AucRocOptions } from "./roc.js";
export { mse, rmse, mae, mape, r2, MAPE_EPSILON, type R2Options } from "./regression.js";
export { perplexity, perplexityFromLogProbs } from "./perplexity.js";
export type { StreamingMetric } from "./streaming/metric.js";
export { Accuracy } from "./streaming/accuracy.js";
export { ConfusionMatrixAccumulator } from "./streaming/confusion-matrix.js";
export { MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, R2Score } from "./streaming/regression.js";
export { AucRoc } from "./streaming/auc-roc.js";
export { Perplexity } from "./streaming/perplexity.js";
export { editDistance } from "./edit-distance.js";
export { sequenceErrorRates, closestReference, type SequenceErrorRates } from "./sequence-error-rates.js";
