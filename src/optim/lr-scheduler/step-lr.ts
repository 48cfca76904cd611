/**
 * StepLR, as torch 1.13: multiplies the lr by `gamma` every `stepSize` epochs,
 * lr_t = base · γ^⌊t / stepSize⌋.
 */
import { ValueError } from "../../errors.js";
import { LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

export interface StepLROptions {
  stepSize: number;
  gamma: number;
}

export class StepLR extends LRScheduler<StepLROptions> {
  constructor(optimizer: SchedulableOptimizer, stepSize: number, gamma = 0.1, lastEpoch = -1) {
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new ValueError(`StepLR: stepSize must be an integer ≥ 1, got ${stepSize}`);
    super(optimizer, { stepSize, gamma }, lastEpoch);
  }

  protected override getLr(): number[] {
    const { stepSize, gamma } = this.options;
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * gamma);
  }

  protected override closedFormLr(): number[] {
    const { stepSize, gamma } = this.options;
    return this.baseLrs.map((base) => base * Math.pow(gamma, Math.floor(this.lastEpoch / stepSize)));
  }
}
