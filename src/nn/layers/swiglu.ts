/**
 * SwiGLU feed-forward gate: silu(x·Wᵀ) ⊙ (x·Vᵀ) (Shazeer 2020), holding W and V as two Linear layers
 * named `w` (the SiLU-gated projection) and `v`, so weights are `w.weight` and `v.weight`. It maps
 * [..., inFeatures] → [..., hiddenFeatures]; a transformer block follows it with its own down
 * projection.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { swiglu } from "../functional/swiglu.js";
import { Module } from "../module.js";
import { Linear, type LinearOptions } from "./linear.js";

export class SwiGLU extends Module {
  readonly w: Linear;
  readonly v: Linear;

  /** `bias` defaults to true, as Linear's (LLaMA-style blocks pass `{ bias: false }`). */
  constructor(inFeatures: number, hiddenFeatures: number, options: LinearOptions = {}) {
    super();
    this.w = new Linear(inFeatures, hiddenFeatures, options);
    this.v = new Linear(inFeatures, hiddenFeatures, options);
  }

  forward(x: Tensor): Tensor {
    return swiglu(x, this.w.weight, this.v.weight, this.w.bias, this.v.bias);
  }
}
