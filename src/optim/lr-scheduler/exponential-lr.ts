/** ExponentialLR, as torch 1.13: multiplies the lr by `gamma` every epoch, lr_t = base · γ^t. */
import { LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

export interface ExponentialLROptions {
  gamma: number;
}

export class ExponentialLR extends LRScheduler<ExponentialLROptions> {
  constructor(optimizer: SchedulableOptimizer, gamma: number, lastEpoch = -1) {
    super(optimizer, { gamma }, lastEpoch);
  }

  protected override getLr(): number[] {
    const lrs = this.groupLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.options.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * Math.pow(this.options.gamma, this.lastEpoch));
  }
}
