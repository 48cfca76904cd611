/**
 * Position-wise feed-forward network of a transformer block (Vaswani et al. 2017, §3.3), with
 * PyTorch's names (`torch.nn.TransformerEncoderLayer`'s linear1, dropout, linear2):
 *   FFN(x) = linear2(dropout(act(linear1(x))))
 * The activation is a name from nn's activation table (Hugging Face's names). A gated one ("swiglu",
 * "geglu", "reglu"; Shazeer 2020) makes linear1 project to 2F, gate and value side by side, and
 * act(gate) ⊙ value enters linear2: the one gated FFN, also what GPT's c_fc/c_proj MLP computes.
 * Shapes: x [..., C] → [..., C] with C = dModel, hidden size F = dFF.
 */
import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../functional/dropout.js";
import { ACTIVATION_NAMES, type ActivationName, activationFunction, isGatedActivation } from "../layers/activation.js";
import { Linear } from "../layers/linear.js";
import { type LayerOptions, checkSize } from "../layers/options.js";
import { Module } from "../module.js";

/** A gated FFN's hidden width for model width C: ⌈(2/3)·4C / m⌉·m, keeping a 4C MLP's parameter count (the LLaMA recipe; m = 8 as GPT's, 256 for LLaMA-7B's 11008). */
export function gatedHiddenSize(dModel: number, multipleOf = 8): number {
  return Math.ceil(((2 / 3) * 4 * dModel) / multipleOf) * multipleOf;
}

/** The default hidden size: 4·C, or gatedHiddenSize for a gated activation. */
export function defaultFeedForwardSize(dModel: number, activation: ActivationName, multipleOf = 8): number {
  return isGatedActivation(activation) ? gatedHiddenSize(dModel, multipleOf) : 4 * dModel;
}

export interface FeedForwardOptions extends LayerOptions {
  /** Hidden size F (default defaultFeedForwardSize). */
  dFF?: number;
  /** Activation by Hugging Face name (default "gelu", exact). */
  activation?: ActivationName;
  /** Dropout on the hidden activations while training, as PyTorch's (default 0). */
  dropout?: number;
  /** Biases in the projections (default true). */
  bias?: boolean;
  /** A gated FFN's default hidden size is rounded up to a multiple of this (default 8). */
  multipleOf?: number;
}

/** linear2(dropout(act(linear1(x)))): the computation of FeedForward, for blocks that hold linear1/linear2 themselves (PyTorch's TransformerEncoderLayer names). */
export function feedForward(x: Tensor, linear1: Linear, linear2: Linear, act: (h: Tensor) => Tensor, dropoutP: number): Tensor {
  const h = act(linear1.forward(x)); // [..., F]
  return linear2.forward(dropout(h, dropoutP, dropoutP > 0));
}

export class FeedForward extends Module {
  readonly dModel: number;
  readonly dFF: number;
  readonly activation: ActivationName;
  readonly dropout: number;
  /** [F, C], or [2F, C] for a gated activation (gate rows first). */
  linear1: Linear;
  /** [C, F] */
  linear2: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(dModel: number, options: FeedForwardOptions = {}) {
    super();
    this.dModel = checkSize(dModel, "dModel", "FeedForward");
    this.activation = options.activation ?? "gelu";
    if (!ACTIVATION_NAMES.includes(this.activation)) {
      throw new ValueError(`FeedForward: unknown activation "${this.activation}" (known: ${ACTIVATION_NAMES.join(", ")})`);
    }
    this.act = activationFunction(this.activation);
    const multipleOf = options.multipleOf ?? 8;
    if (!Number.isInteger(multipleOf) || multipleOf < 1) throw new ValueError(`FeedForward: multipleOf must be a positive integer, got ${multipleOf}`);
    this.dFF = checkSize(options.dFF ?? defaultFeedForwardSize(dModel, this.activation, multipleOf), "dFF", "FeedForward");
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ValueError(`FeedForward: dropout must be in [0, 1), got ${this.dropout}`);
    const lin = { bias: options.bias ?? true, dtype: options.dtype ?? "float32" } as const;
    this.linear1 = new Linear(dModel, isGatedActivation(this.activation) ? 2 * this.dFF : this.dFF, lin);
    this.linear2 = new Linear(this.dFF, dModel, lin);
  }

  /** [..., C] → [..., C] */
  forward(x: Tensor): Tensor {
    return feedForward(x, this.linear1, this.linear2, this.act, this.training ? this.dropout : 0);
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, dFF=${this.dFF}, activation=${this.activation}${this.dropout > 0 ? `, dropout=${this.dropout}` : ""}`;
  }
}
