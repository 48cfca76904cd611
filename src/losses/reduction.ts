/** The `reduction` option every loss takes, as in PyTorch. */
import { ValueError } from "../errors.js";
import { mean, sum } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";

/** How a loss reduces its per-element values: their mean, their sum, or none (the values themselves). */
export type Reduction = "mean" | "sum" | "none";

/** The `reduction` option every loss takes (default "mean"). */
export interface ReductionOptions {
  /** "mean" (default), "sum" or "none" (per-element losses). */
  reduction?: Reduction;
}

export function reduce(losses: Tensor, reduction: Reduction | undefined, op: string): Tensor {
  switch (reduction ?? "mean") {
    case "mean":
      return mean(losses);
    case "sum":
      return sum(losses);
    case "none":
      return losses;
    default:
      throw new ValueError(`${op}: reduction must be "mean", "sum" or "none", got "${String(reduction)}"`);
  }
}
