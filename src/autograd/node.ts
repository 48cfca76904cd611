/**
 * A node of the autograd graph: the op that made a tensor, its inputs, and its backward rule. The rule
 * closes over what the forward saved; `release()` drops it and the inputs after a backward without
 * `retainGraph`, so the activations die as the backward consumes them (not when the loss is dropped), and a
 * second backward through the same graph fails clearly instead of silently using stale values.
 */
import type { Tensor } from "../tensor/tensor.js";

/** Maps the gradient of the output to the gradient of each input (null where an input needs none). */
export type BackwardRule = (gradOutput: Tensor) => readonly (Tensor | null)[];

/** A node of the autograd graph: the op that made a tensor, its inputs and its backward rule. */
export class Node {
  private rule: BackwardRule | null;
  private inputList: readonly Tensor[];
  /**
   * Where the entries of the rule's last result go, when not one per input: set by a rule that hands
   * back several separate contributions for one input (checkpoint does, so that they are summed in the
   * order they would have arrived without it). Null: the result lines up with `inputs`.
   */
  gradInputs: readonly Tensor[] | null = null;

  constructor(
    readonly name: string,
    inputs: readonly Tensor[],
    rule: BackwardRule,
  ) {
    this.rule = rule;
    this.inputList = inputs;
  }

  /** The op's inputs; empty once released, so a consumed graph keeps none of its activations alive. */
  get inputs(): readonly Tensor[] {
    return this.inputList;
  }

  get released(): boolean {
    return this.rule === null;
  }

  apply(gradOutput: Tensor): readonly (Tensor | null)[] | null {
    return this.rule === null ? null : this.rule(gradOutput);
  }

  release(): void {
    this.rule = null;
    this.inputList = [];
    this.gradInputs = null;
  }
}
