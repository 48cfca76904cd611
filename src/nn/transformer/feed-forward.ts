/**
 * Position-wise feed-forward network of a transformer block (Vaswani et al. 2017, §3.3).
 * Shapes: x [..., C] → [..., C] with C = dModel and hidden size F = dFF.
 *  - "relu" | "gelu" | "gelu_tanh": c_proj(act(c_fc(x))) with `c_fc` [F, C] and `c_proj` [C, F]
 *    (GPT-2's names; "gelu_tanh" is GPT-2's tanh approximation);
 *  - "swiglu" (Shazeer 2020, "GLU Variants Improve Transformer"): w2(SiLU(x W) ⊙ x V) with three
 *    projections `w`, `v` [F, C] and `w2` [C, F]. To keep the parameter count of a 4C MLP, F defaults
 *    to round(2/3 · 4C), rounded up to a multiple of `multipleOf` (the LLaMA recipe).
 * Dropout, when set, applies to the output (GPT-2's MLP dropout), while training only.
 */
import { ValueError } from "../../errors.js";
import { gelu, relu } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../functional/dropout.js";
import { swiglu } from "../functional/swiglu.js";
import { Linear } from "../layers/linear.js";
import { type LayerOptions, checkSize } from "../layers/options.js";
import { Module } from "../module.js";

export type FeedForwardActivation = "relu" | "gelu" | "gelu_tanh" | "swiglu";

export interface FeedForwardOptions extends LayerOptions {
  /** Hidden size F (default 4·C, or the 2/3 rule for SwiGLU). */
  dFF?: number;
  /** Default "gelu". */
  activation?: FeedForwardActivation;
  /** Dropout on the output while training (default 0). */
  dropout?: number;
  /** Biases in the projections (default true). */
  bias?: boolean;
  /** SwiGLU default hidden size rounded up to a multiple of this (default 1). */
  multipleOf?: number;
}

/** The default hidden size: 4·C, or for SwiGLU round(2/3 · 4C) rounded up to a multiple of `multipleOf`. */
export function defaultFeedForwardSize(dModel: number, activation: FeedForwardActivation, multipleOf = 1): number {
  if (activation !== "swiglu") return 4 * dModel;
  const f = Math.round((2 / 3) * 4 * dModel);
  return Math.ceil(f / multipleOf) * multipleOf;
}

export class FeedForward extends Module {
  readonly dModel: number;
  readonly dFF: number;
  readonly activation: FeedForwardActivation;
  readonly dropout: number;
  c_fc: Linear | null = null;
  c_proj: Linear | null = null;
  w: Linear | null = null;
  v: Linear | null = null;
  w2: Linear | null = null;

  constructor(dModel: number, options: FeedForwardOptions = {}) {
    super();
    this.dModel = checkSize(dModel, "dModel", "FeedForward");
    this.activation = options.activation ?? "gelu";
    if (!["relu", "gelu", "gelu_tanh", "swiglu"].includes(this.activation)) {
      throw new ValueError(`FeedForward: unknown activation "${this.activation}"`);
    }
    const multipleOf = options.multipleOf ?? 1;
    if (!Number.isInteger(multipleOf) || multipleOf < 1) throw new ValueError(`FeedForward: multipleOf must be a positive integer, got ${multipleOf}`);
    this.dFF = checkSize(options.dFF ?? defaultFeedForwardSize(dModel, this.activation, multipleOf), "dFF", "FeedForward");
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ValueError(`FeedForward: dropout must be in [0, 1), got ${this.dropout}`);
    const lin = { bias: options.bias ?? true, dtype: options.dtype ?? "float32" } as const;
    if (this.activation === "swiglu") {
      this.w = new Linear(dModel, this.dFF, lin);
      this.v = new Linear(dModel, this.dFF, lin);
      this.w2 = new Linear(this.dFF, dModel, lin);
    } else {
      this.c_fc = new Linear(dModel, this.dFF, lin);
      this.c_proj = new Linear(this.dFF, dModel, lin);
    }
  }

  /** [..., C] → [..., C] */
  forward(x: Tensor): Tensor {
    let y: Tensor;
    if (this.w && this.v && this.w2) {
      y = this.w2.forward(swiglu(x, this.w.weight, this.v.weight, this.w.bias, this.v.bias));
    } else {
      const h = (this.c_fc as Linear).forward(x); // [..., F]
      const a = this.activation === "relu" ? relu(h) : this.activation === "gelu" ? gelu(h) : gelu(h, { approximate: "tanh" });
      y = (this.c_proj as Linear).forward(a);
    }
    return dropout(y, this.dropout, this.training);
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, dFF=${this.dFF}, activation=${this.activation}${this.dropout > 0 ? `, dropout=${this.dropout}` : ""}`;
  }
}
