/**
 * CosineAnnealingLR (SGDR without restarts; Loshchilov & Hutter, 2017), as torch 1.13. Closed form:
 *
 *   lr_t = η_min + (base − η_min) · (1 + cos(π·t / T_max)) / 2
 *
 * The chainable form used by `step()` is PyTorch's recursive one, which equals the closed form when
 * this scheduler alone sets the lr, and keeps following the cosine (rising again after T_max).
 */
import { ValueError } from "../../errors.js";
import { LRScheduler, type SchedulableOptimizer, pyMod } from "./scheduler.js";

export interface CosineAnnealingLROptions {
  tMax: number;
  etaMin: number;
}

export class CosineAnnealingLR extends LRScheduler<CosineAnnealingLROptions> {
  constructor(optimizer: SchedulableOptimizer, tMax: number, etaMin = 0, lastEpoch = -1) {
    if (!(tMax > 0)) throw new ValueError(`CosineAnnealingLR: tMax must be > 0, got ${tMax}`);
    super(optimizer, { tMax, etaMin }, lastEpoch);
  }

  protected override getLr(): number[] {
    const { tMax, etaMin } = this.options;
    const t = this.lastEpoch;
    const lrs = this.groupLrs();
    if (t === 0) return lrs;
    if (this.stepCount === 1 && t > 0) return this.closedFormLr();
    if (pyMod(t - 1 - tMax, 2 * tMax) === 0) {
      // At the bottom of the cosine the ratio below is 0/0: step up by the first increment instead.
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] as number) - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    const { tMax, etaMin } = this.options;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / tMax))) / 2);
  }
}
