/**
 * Additive attention (Bahdanau, Cho & Bengio 2015, eq. 6 / appendix A.1.2):
 *   score(q, k) = vᵀ tanh(W_q q + W_k k + b)
 * Shapes as in attention.ts; A is the attention size.
 */
import { squeeze, tanh, unsqueeze, add } from "../../ops/index.js";
import { Linear } from "../../nn/layers/linear.js";
import type { LayerOptions } from "../../nn/layers/options.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Attention } from "./attention.js";

/** Sizes of additive (Bahdanau) attention. */
export interface AdditiveAttentionOptions extends LayerOptions {
  /** Size A of the hidden layer inside the score (default the query size). */
  attentionDim?: number;
}

export class BahdanauAttention extends Attention {
  readonly attentionDim: number;
  /** W_q: [A, Dq], no bias (one bias, on the key side, is enough). */
  query_proj: Linear;
  /** W_k, b: [A, Dk], [A] */
  key_proj: Linear;
  /** v: [1, A] */
  energy: Linear;

  constructor(queryDim: number, keyDim: number, options: AdditiveAttentionOptions = {}) {
    super(queryDim, keyDim);
    this.attentionDim = options.attentionDim ?? queryDim;
    const dtype = options.dtype === undefined ? {} : { dtype: options.dtype };
    this.query_proj = new Linear(queryDim, this.attentionDim, { ...dtype, bias: false });
    this.key_proj = new Linear(keyDim, this.attentionDim, dtype);
    this.energy = new Linear(this.attentionDim, 1, { ...dtype, bias: false });
  }

  protected override projectKeys(values: Tensor): Tensor {
    return this.key_proj.forward(values); // [B, S, A]
  }

  protected score(query: Tensor, keys: Tensor): Tensor {
    const q = unsqueeze(this.query_proj.forward(query), 2); // [B, T, 1, A]
    const hidden = tanh(add(q, unsqueeze(keys, 1))); // [B, T, S, A]
    return squeeze(this.energy.forward(hidden), 3); // [B, T, S]
  }

  override extraRepr(): string {
    return `${super.extraRepr()}, attentionDim=${this.attentionDim}`;
  }
}
