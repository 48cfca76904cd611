/**
 * ConstantLR, as torch 1.13: lr = base · factor for the first `totalIters` epochs, then base.
 */
import { ValueError } from "../../errors.js";
import { LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

export interface ConstantLROptions {
  factor: number;
  totalIters: number;
}

export class ConstantLR extends LRScheduler<ConstantLROptions> {
  constructor(optimizer: SchedulableOptimizer, factor = 1 / 3, totalIters = 5, lastEpoch = -1) {
    if (!(factor >= 0 && factor <= 1)) throw new ValueError(`ConstantLR: factor must be in [0, 1], got ${factor}`);
    if (!Number.isInteger(totalIters) || totalIters < 0) throw new ValueError(`ConstantLR: totalIters must be an integer ≥ 0, got ${totalIters}`);
    super(optimizer, { factor, totalIters }, lastEpoch);
  }

  protected override getLr(): number[] {
    const { factor, totalIters } = this.options;
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * factor);
    if (this.lastEpoch !== totalIters) return lrs;
    return lrs.map((lr) => lr * (1 / factor));
  }

  protected override closedFormLr(): number[] {
    const { factor, totalIters } = this.options;
    return this.baseLrs.map((base) => base * (this.lastEpoch >= totalIters ? 1 : factor));
  }
}
