/**
 * LambdaLR, as torch 1.13: lr_t = base · f(t), with one function for all groups or one per group.
 * The functions are not part of `stateDict()` (they are code); the epoch and base lrs are.
 */
import { ValueError } from "../../errors.js";
import { LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** The factor of the base learning rate at an epoch (or step). */
export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions {
  lrLambdas: LrLambda[];
}

export class LambdaLR extends LRScheduler<LambdaLROptions> {
  constructor(optimizer: SchedulableOptimizer, lrLambda: LrLambda | LrLambda[], lastEpoch = -1) {
    const groups = optimizer.paramGroups.length;
    const lrLambdas = Array.isArray(lrLambda) ? [...lrLambda] : Array.from({ length: groups }, () => lrLambda);
    if (lrLambdas.length !== groups) throw new ValueError(`LambdaLR: expected ${groups} lr functions (one per group), got ${lrLambdas.length}`);
    super(optimizer, { lrLambdas }, lastEpoch);
  }

  protected override getLr(): number[] {
    return this.baseLrs.map((base, i) => base * (this.options.lrLambdas[i] as LrLambda)(this.lastEpoch));
  }
}
