/**
 * AdamW (Loshchilov & Hutter, 2019), as `torch.optim.AdamW` (torch 1.13): Adam with decoupled weight
 * decay p ← p·(1 − lr·λ) applied before the moment update, default λ = 0.01. The optimiser GPT-style
 * models train with (usually with weightDecay 0 for biases and norms, through a second group).
 */
import { Adam, type AdamOptions, defaultAdamOptions } from "./adam.js";
import type { ParamsInput } from "./optimizer.js";

/** AdamW's defaults: Adam's with decoupled weight decay 0.01, as PyTorch's. */
export const defaultAdamWOptions: AdamOptions = { ...defaultAdamOptions, weightDecay: 0.01 };

export class AdamW extends Adam {
  protected override get decoupledWeightDecay(): boolean {
    return true;
  }

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { ...defaultAdamWOptions, ...options });
  }
}
