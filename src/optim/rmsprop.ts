/**
 * RMSprop (Tieleman & Hinton, 2012), as `torch.optim.RMSprop` (torch 1.13, single-tensor path):
 *
 *   g ← ±∇ + λ·p
 *   s ← α·s + (1 − α)·g²
 *   centered (Graves, 2013):  ḡ ← α·ḡ + (1 − α)·g,  a ← √(s − ḡ²) + ε;   otherwise a ← √s + ε
 *   with momentum μ > 0:  b ← μ·b + g/a,  p ← p − lr·b;   otherwise p ← p − lr·g/a
 */
import type { Tensor } from "../tensor/tensor.js";
import { type OptimizerOptions, type ParamGroup, type ParamsInput, Optimizer } from "./optimizer.js";
import type { FloatArray } from "./state-dict.js";

export interface RMSpropOptions extends OptimizerOptions {
  lr: number;
  /** Smoothing constant of the squared-gradient average. */
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment. */
  centered: boolean;
  maximize: boolean;
}

/** RMSprop's defaults, as PyTorch's: lr 1e-2, alpha 0.99, eps 1e-8. */
export const defaultRMSpropOptions: RMSpropOptions = {
  lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false,
};

/** RMSprop's state per parameter: the running mean of squared gradients, and momentum and mean-gradient buffers when used. */
export type RMSpropState = {
  step: number;
  squareAvg: FloatArray;
  /** Present when momentum > 0. */
  momentumBuffer?: FloatArray;
  /** Present when centered. */
  gradAvg?: FloatArray;
};

export interface RMSpropHyperparameters {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * One RMSprop update of one parameter, in place. `gradAvg` is null unless centered;
 * `momentumBuffer` is null without momentum (then `momentum` is ignored).
 */
export function rmspropUpdate(
  param: FloatArray, grad: FloatArray, squareAvg: FloatArray, gradAvg: FloatArray | null,
  momentumBuffer: FloatArray | null, momentum: number, h: RMSpropHyperparameters,
): void {
  const { lr, alpha, eps, weightDecay } = h;
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < param.length; i++) {
    const g = sign * grad[i] + weightDecay * param[i];
    const s = alpha * squareAvg[i] + (1 - alpha) * g * g;
    squareAvg[i] = s;
    let a: number;
    if (gradAvg !== null) {
      const m = alpha * gradAvg[i] + (1 - alpha) * g;
      gradAvg[i] = m;
      a = Math.sqrt(s - m * m) + eps;
    } else {
      a = Math.sqrt(s) + eps;
    }
    if (momentumBuffer !== null) {
      const b = momentum * momentumBuffer[i] + g / a;
      momentumBuffer[i] = b;
      param[i] -= lr * b;
    } else {
      param[i] -= (lr * g) / a;
    }
  }
}

export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, { ...defaultRMSpropOptions, ...options });
  }

  protected override updateParameter(p: Tensor, data: FloatArray, grad: FloatArray, group: ParamGroup<RMSpropOptions>): void {
    const s = this.stateOf(p, () => ({ step: 0, squareAvg: this.zerosFor(p) }));
    if (group.momentum > 0) s.momentumBuffer ??= this.zerosFor(p);
    if (group.centered) s.gradAvg ??= this.zerosFor(p);
    s.step += 1;
    rmspropUpdate(
      data, grad, s.squareAvg, group.centered ? (s.gradAvg ?? null) : null,
      group.momentum > 0 ? (s.momentumBuffer ?? null) : null, group.momentum, group,
    );
  }

  protected override validateOptions(o: RMSpropOptions, where: string): void {
    for (const key of ["lr", "alpha", "eps", "weightDecay", "momentum"] as const) this.checkNonNegative(o, key, where);
    for (const key of ["centered", "maximize"] as const) this.checkBoolean(o, key, where);
  }

  protected override requiredStateKeys(group: ParamGroup<RMSpropOptions>): string[] {
    return ["step", "squareAvg", ...(group.momentum > 0 ? ["momentumBuffer"] : []), ...(group.centered ? ["gradAvg"] : [])];
  }
}
