/**
 * LinearLR, as torch 1.13: scales the lr by a factor that moves linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs, then stays there — linear warmup (startFactor < 1 = endFactor)
 * or linear decay. Closed form: lr_t = base · (s + (e − s) · min(t, T) / T).
 */
import { ValueError } from "../../errors.js";
import { LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

export interface LinearLROptions {
  startFactor: number;
  endFactor: number;
  totalIters: number;
}

export class LinearLR extends LRScheduler<LinearLROptions> {
  constructor(optimizer: SchedulableOptimizer, startFactor = 1 / 3, endFactor = 1, totalIters = 5, lastEpoch = -1) {
    // PyTorch's ranges; startFactor > 0 also keeps the chainable form's divisor non-zero.
    if (!(startFactor > 0 && startFactor <= 1)) throw new ValueError(`LinearLR: startFactor must be in (0, 1], got ${startFactor}`);
    if (!(endFactor >= 0 && endFactor <= 1)) throw new ValueError(`LinearLR: endFactor must be in [0, 1], got ${endFactor}`);
    if (!Number.isInteger(totalIters) || totalIters < 1) throw new ValueError(`LinearLR: totalIters must be an integer ≥ 1, got ${totalIters}`);
    super(optimizer, { startFactor, endFactor, totalIters }, lastEpoch);
  }

  protected override getLr(): number[] {
    const { startFactor, endFactor, totalIters } = this.options;
    const t = this.lastEpoch;
    const lrs = this.groupLrs();
    if (t === 0) return lrs.map((lr) => lr * startFactor);
    if (t > totalIters) return lrs;
    // factor(t) / factor(t − 1), so the change composes with other schedulers.
    const ratio = 1 + (endFactor - startFactor) / (totalIters * startFactor + (t - 1) * (endFactor - startFactor));
    return lrs.map((lr) => lr * ratio);
  }

  protected override closedFormLr(): number[] {
    const { startFactor, endFactor, totalIters } = this.options;
    const factor = startFactor + ((endFactor - startFactor) * Math.min(totalIters, this.lastEpoch)) / totalIters;
    return this.baseLrs.map((base) => base * factor);
  }
}
