/**
 * Adam (Kingma & Ba, 2015), as `torch.optim.Adam` (torch 1.13): weight decay is an L2 term added to
 * the gradient, ε is added outside the square root, and `amsgrad` (Reddi et al., 2018) normalises by
 * the running maximum of the second moment. The update itself is the fused kernel `adamwUpdate` in
 * src/backend/reference/adamw.ts, shared with AdamW.
 */
import { getBackend } from "../backend/index.js";
import { ValueError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { type OptimizerOptions, type ParamGroup, type ParamsInput, Optimizer } from "./optimizer.js";
import type { FloatArray } from "./state-dict.js";

export interface AdamOptions extends OptimizerOptions {
  lr: number;
  /** Decay rates (β₁, β₂) of the first and second moment averages. */
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** Adam's defaults, as PyTorch's: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
export const defaultAdamOptions: AdamOptions = {
  lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false,
};

/** Adam's state per parameter: the step and the first and second moment estimates. */
export type AdamState = {
  step: number;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
  /** Present with amsgrad. */
  maxExpAvgSq?: FloatArray;
};

/** Adam and AdamW differ only in how weight decay enters; the subclass says which. */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  /** AdamW sets this: decay the weights directly instead of adding λ·p to the gradient. */
  protected get decoupledWeightDecay(): boolean {
    return false;
  }

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { ...defaultAdamOptions, ...options });
  }

  protected override updateParameter(p: Tensor, data: FloatArray, grad: FloatArray, group: ParamGroup<AdamOptions>): void {
    const s = this.stateOf(p, () => ({ step: 0, expAvg: this.zerosFor(p), expAvgSq: this.zerosFor(p) }));
    if (group.amsgrad) s.maxExpAvgSq ??= this.zerosFor(p);
    s.step += 1;
    getBackend().adamwUpdate(data, grad, s.expAvg, s.expAvgSq, group.amsgrad ? (s.maxExpAvgSq ?? null) : null, {
      lr: group.lr,
      beta1: group.betas[0],
      beta2: group.betas[1],
      eps: group.eps,
      weightDecay: group.weightDecay,
      decoupledWeightDecay: this.decoupledWeightDecay,
      step: s.step,
      maximize: group.maximize,
    });
  }

  protected override validateOptions(o: AdamOptions, where: string): void {
    for (const key of ["lr", "eps", "weightDecay"] as const) this.checkNonNegative(o, key, where);
    for (const key of ["amsgrad", "maximize"] as const) this.checkBoolean(o, key, where);
    const betas: unknown = o.betas;
    if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === "number" && b >= 0 && b < 1)) {
      throw new ValueError(`${this.name}: invalid betas ${JSON.stringify(betas)} in ${where} (expected [β₁, β₂] with 0 ≤ β < 1)`);
    }
  }

  protected override requiredStateKeys(group: ParamGroup<AdamOptions>): string[] {
    return ["step", "expAvg", "expAvgSq", ...(group.amsgrad ? ["maxExpAvgSq"] : [])];
  }
}
