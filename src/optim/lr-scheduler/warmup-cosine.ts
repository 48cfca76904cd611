/**
 * Linear warmup then cosine decay to a floor — the schedule GPT-2/3-style training uses (nanoGPT's
 * `get_lr`). For a group with initial lr `base`, at step t:
 *
 *   t < W:        lr = base · (t + 1) / W                                  (reaches base at t = W − 1)
 *   W ≤ t ≤ T:    lr = minLr + (base − minLr) · (1 + cos(π·(t − W)/(T − W))) / 2
 *   t > T:        lr = minLr
 *
 * with W = warmupSteps and T = totalSteps. A closed form of the step, so it restarts cleanly inside a
 * SequentialLR and resumes from `stateDict()`.
 */
import { ValueError } from "../../errors.js";
import { LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** Options of the warmup + cosine schedule: warmup steps, total steps, final learning rate. */
export interface WarmupCosineOptions {
  warmupSteps: number;
  totalSteps: number;
  /** The floor the cosine decays to, the same for every group (default 0). */
  minLr?: number;
}

export class WarmupCosineLR extends LRScheduler<Required<WarmupCosineOptions>> {
  constructor(optimizer: SchedulableOptimizer, options: WarmupCosineOptions, lastEpoch = -1) {
    const { warmupSteps, totalSteps, minLr = 0 } = options;
    if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new ValueError(`warmupCosine: warmupSteps must be an integer ≥ 0, got ${warmupSteps}`);
    if (!Number.isInteger(totalSteps) || totalSteps <= warmupSteps) {
      throw new ValueError(`warmupCosine: totalSteps must be an integer > warmupSteps (${warmupSteps}), got ${totalSteps}`);
    }
    if (!(minLr >= 0)) throw new ValueError(`warmupCosine: minLr must be ≥ 0, got ${minLr}`);
    super(optimizer, { warmupSteps, totalSteps, minLr }, lastEpoch);
  }

  protected override getLr(): number[] {
    return this.closedFormLr();
  }

  protected override closedFormLr(): number[] {
    const { warmupSteps, totalSteps, minLr } = this.options;
    const t = this.lastEpoch;
    return this.baseLrs.map((base) => {
      if (t < warmupSteps) return (base * (t + 1)) / warmupSteps;
      if (t > totalSteps) return minLr;
      const progress = (t - warmupSteps) / (totalSteps - warmupSteps);
      return minLr + ((base - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
    });
  }
}

/** Linear warmup over `warmupSteps`, then cosine decay to `minLr` at `totalSteps` (see WarmupCosineLR). */
export function warmupCosine(optimizer: SchedulableOptimizer, options: WarmupCosineOptions): WarmupCosineLR {
  return new WarmupCosineLR(optimizer, options);
}
