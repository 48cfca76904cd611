/** Loss functions, PyTorch-shaped: each takes (input, target, options) with a `reduction` option. */
export { mseLoss, l1Loss, huberLoss, smoothL1Loss, type HuberOptions, type SmoothL1Options } from "./regression.js";
export {
  crossEntropy, nllLoss, binaryCrossEntropy, bceWithLogits, focalLoss,
  type CrossEntropyOptions, type NllOptions, type BceOptions, type BceWithLogitsOptions, type FocalOptions,
} from "./classification.js";
export type { Reduction, ReductionOptions } from "./reduction.js";
export { distillationLoss, type DistillationInputs, type DistillationOptions, type DistillationLoss } from "./distillation.js";
