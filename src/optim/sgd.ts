/**
 * Stochastic gradient descent with momentum, as `torch.optim.SGD` (torch 1.13, single-tensor path):
 *
 *   g ← ±∇ (negated when maximising) + λ·p
 *   b ← g at the first step, then b ← μ·b + (1 − τ)·g        (μ momentum, τ dampening)
 *   d ← g + μ·b with Nesterov, else d ← b;   d ← g without momentum
 *   p ← p − lr·d
 *
 * Nesterov momentum follows Sutskever et al. (2013) in PyTorch's formulation.
 */
import { ValueError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { type OptimizerOptions, type ParamGroup, type ParamsInput, Optimizer } from "./optimizer.js";
import type { FloatArray } from "./state-dict.js";

export interface SGDOptions extends OptimizerOptions {
  /** Required in PyTorch; 1e-3 here so `new SGD(params)` works. */
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
}

/** SGD's defaults: no momentum, dampening or weight decay (lr must be given). */
export const defaultSGDOptions: SGDOptions = {
  lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false,
};

/** SGD's state per parameter: the momentum buffer (null until the first step with momentum). */
export type SGDState = { momentumBuffer: FloatArray | null };

export interface SGDHyperparameters {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
}

/**
 * One SGD update of one parameter, in place. `momentumBuffer` is null without momentum;
 * `firstStep` makes the buffer start as a copy of the gradient (PyTorch's `clone(d_p)`).
 */
export function sgdUpdate(
  param: FloatArray, grad: FloatArray, momentumBuffer: FloatArray | null, firstStep: boolean, h: SGDHyperparameters,
): void {
  const { lr, momentum, dampening, nesterov, weightDecay } = h;
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < param.length; i++) {
    let d = sign * grad[i] + weightDecay * param[i];
    if (momentumBuffer !== null) {
      const b = firstStep ? d : momentum * momentumBuffer[i] + (1 - dampening) * d;
      momentumBuffer[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    param[i] -= lr * d;
  }
}

export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, { ...defaultSGDOptions, ...options });
  }

  protected override updateParameter(p: Tensor, data: FloatArray, grad: FloatArray, group: ParamGroup<SGDOptions>): void {
    const s = this.stateOf(p, () => ({ momentumBuffer: null }));
    let firstStep = false;
    if (group.momentum !== 0 && s.momentumBuffer === null) {
      s.momentumBuffer = this.zerosFor(p);
      firstStep = true;
    }
    sgdUpdate(data, grad, group.momentum !== 0 ? s.momentumBuffer : null, firstStep, group);
  }

  protected override validateOptions(o: SGDOptions, where: string): void {
    for (const key of ["lr", "momentum", "dampening", "weightDecay"] as const) this.checkNonNegative(o, key, where);
    for (const key of ["nesterov", "maximize"] as const) this.checkBoolean(o, key, where);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ValueError(`SGD: Nesterov momentum requires a momentum > 0 and zero dampening (${where})`);
    }
  }

  protected override requiredStateKeys(): string[] {
    return ["momentumBuffer"];
  }
}
