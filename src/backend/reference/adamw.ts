/**
 * One fused Adam/AdamW update of a single parameter, in place, as a pure function over typed arrays
 * (the shape of llm.c's adamw_kernel). Follows PyTorch's single-tensor Adam/AdamW (torch 1.13), with
 * t = `step` already incremented and g the gradient (negated when maximising):
 *
 *   AdamW (decoupled):  p ← p·(1 − lr·λ)                          (Loshchilov & Hutter, 2019)
 *   Adam  (L2):         g ← g + λ·p
 *   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
 *   v̂ ← max(v̂, v) with amsgrad (the running maximum is kept in `maxExpAvgSq`), else v̂ = v
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)            (ε outside the square root)
 *
 * All arrays have the parameter's length. `grad` may have a different float type from `param`.
 */
import type { FloatArray } from "../backend.js";

/** Hyperparameters of one Adam/AdamW update. */
export interface AdamWHyperparameters {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** true: AdamW's decoupled decay p ← p·(1 − lr·λ); false: Adam's L2 term added to the gradient. */
  decoupledWeightDecay: boolean;
  /** The step number t ≥ 1 of this update, for the bias corrections. */
  step: number;
  maximize: boolean;
}

/**
 * One Adam/AdamW step over flat arrays, in place: moment updates, bias correction, weight decay (decoupled for AdamW, L2 for
 * Adam), as `torch.optim.AdamW`.
 */
export function adamwUpdate(
  param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray,
  maxExpAvgSq: FloatArray | null, h: AdamWHyperparameters,
): void {
  const n = param.length;
  const { lr, beta1, beta2, eps, weightDecay, step } = h;
  const stepSize = lr / (1 - Math.pow(beta1, step));
  const biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
  const decay = h.decoupledWeightDecay ? 1 - lr * weightDecay : 1;
  const l2 = h.decoupledWeightDecay ? 0 : weightDecay;
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const p = param[i] * decay;
    const g = sign * grad[i] + l2 * param[i];
    const m = beta1 * expAvg[i] + (1 - beta1) * g;
    const v = beta2 * expAvgSq[i] + (1 - beta2) * g * g;
    expAvg[i] = m;
    expAvgSq[i] = v;
    let vHat = v;
    if (maxExpAvgSq !== null) {
      vHat = Math.max(maxExpAvgSq[i], v);
      maxExpAvgSq[i] = vHat;
    }
    param[i] = p - (stepSize * m) / (Math.sqrt(vHat) / biasCorrection2Sqrt + eps);
  }
}
