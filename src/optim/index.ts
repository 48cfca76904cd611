/** Optimisers, gradient clipping and learning-rate schedules (PyTorch's `torch.optim`), exported as `optim`. */
export {
  Optimizer, type OptimizerOptions, type ParamGroup, type ParamGroupSpec, type ParamsInput, type ParamState,
} from "./optimizer.js";
export { SGD, type SGDOptions, type SGDState, defaultSGDOptions, sgdUpdate } from "./sgd.js";
export { RMSprop, type RMSpropOptions, type RMSpropState, defaultRMSpropOptions, rmspropUpdate } from "./rmsprop.js";
export { Adam, type AdamOptions, type AdamState, defaultAdamOptions } from "./adam.js";
export { AdamW, defaultAdamWOptions } from "./adamw.js";
export { adamwUpdate, type AdamWHyperparameters } from "../backend/reference/adamw.js";
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from "./clip-grad.js";
export {
  type OptimizerStateDict, type ParamStateDict, type SavedParamGroup, type StateBuffer, type JsonOptimizerStateDict,
  type JsonStateBuffer, stateDictToJSON, stateDictFromJSON,
} from "./state-dict.js";
/** Learning-rate schedules (step, exponential, cosine, warmup + cosine, lambda), as `torch.optim.lr_scheduler`. */
export * as lrScheduler from "./lr-scheduler/index.js";
export { GradScaler, type GradScalerOptions, type GradScalerState } from "./grad-scaler.js";
