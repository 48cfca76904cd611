/** Learning-rate schedules (PyTorch's `torch.optim.lr_scheduler`), exported as `optim.lrScheduler`. */
export { LRScheduler, type Scheduler, type SchedulerStateDict, type SchedulableOptimizer } from "./scheduler.js";
export { StepLR } from "./step-lr.js";
export { ExponentialLR } from "./exponential-lr.js";
export { CosineAnnealingLR } from "./cosine-annealing-lr.js";
export { LinearLR } from "./linear-lr.js";
export { ConstantLR } from "./constant-lr.js";
export { LambdaLR, type LrLambda } from "./lambda-lr.js";
export { SequentialLR } from "./sequential-lr.js";
export { WarmupCosineLR, warmupCosine, type WarmupCosineOptions } from "./warmup-cosine.js";
