/** Regression losses: MSE, MAE (L1), Huber and Smooth L1. */
import { abs, add, div, minimum, mul, square, sub } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../errors.js";
import { checkSameShape } from "./check.js";
import { reduce, type ReductionOptions } from "./reduction.js";

/** Mean squared error (x − y)². */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkSameShape("mseLoss", input, target);
  return reduce(square(sub(input, target)), options.reduction, "mseLoss");
}

/** Mean absolute error |x − y| (L1). */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkSameShape("l1Loss", input, target);
  return reduce(abs(sub(input, target)), options.reduction, "l1Loss");
}

export interface HuberOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/**
 * Huber loss: ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond, with d = x − y. Written as ½q² + δ(|d| − q) with
 * q = min(|d|, δ), which is the same function and differentiable through ops.
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  checkSameShape("huberLoss", input, target);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new ValueError(`huberLoss: delta must be positive, got ${delta}`);
  const a = abs(sub(input, target));
  const q = minimum(a, delta);
  return reduce(add(mul(square(q), 0.5), mul(sub(a, q), delta)), options.reduction, "huberLoss");
}

export interface SmoothL1Options extends ReductionOptions {
  /** Threshold between the quadratic and linear parts (default 1). */
  beta?: number;
}

/** Smooth L1 = Huber / β (PyTorch's smooth_l1_loss): 0.5d²/β for |d| < β, |d| − 0.5β beyond. */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1Options = {}): Tensor {
  const beta = options.beta ?? 1;
  if (beta === 0) return l1Loss(input, target, options);
  const h = huberLoss(input, target, { delta: beta, reduction: "none" });
  return reduce(div(h, beta), options.reduction, "smoothL1Loss");
}

