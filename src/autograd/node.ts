/**
 * A node of the autograd graph: the op that made a tensor, its inputs, and its backward rule. The rule
 * closes over what the forward saved; `release()` drops it after a backward without `retainGraph`, so
 * a second backward through the same graph fails clearly instead of silently using stale values.
 */
import type { Tensor } from "../tensor/tensor.js";

/** Maps the gradient of the output to the gradient of each input (null where an input needs none). */
export type BackwardRule = (gradOutput: Tensor) => readonly (Tensor | null)[];

/** A node of the autograd graph: the op that made a tensor, its inputs and its backward rule. */
export class Node {
  private rule: BackwardRule | null;

  constructor(
    readonly name: string,
    readonly inputs: readonly Tensor[],
    rule: BackwardRule,
  ) {
    this.rule = rule;
  }

  get released(): boolean {
    return this.rule === null;
  }

  apply(gradOutput: Tensor): readonly (Tensor | null)[] | null {
    return this.rule === null ? null : this.rule(gradOutput);
  }

  release(): void {
    this.rule = null;
  }
}
