/** Shape-only layers: Identity and Flatten. */
import { flatten } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

/** Returns its input (a placeholder layer). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Merges dims startDim..endDim (default 1..−1: everything but the batch dim), as torch.nn.Flatten. */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
