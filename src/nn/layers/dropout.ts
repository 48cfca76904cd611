/** Dropout(p): inverted dropout while training, the identity in eval mode (torch.nn.Dropout). */
import { ValueError } from "../../errors.js";
import type { Generator } from "../../tensor/rng.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../functional/dropout.js";
import { Module } from "../module.js";

export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator | undefined;

  /** Masks come from the seeded default generator unless `generator` is given. */
  constructor(p = 0.5, options: { generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: probability must be in [0, 1], got ${p}`);
    this.p = p;
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator ? { generator: this.generator } : {});
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
