/**
 * Multiplicative and concat attention (Luong, Pham & Manning 2015, eq. 8):
 *   "dot"      score(q, k) = qᵀ k                    (Dq = Dk)
 *   "general"  score(q, k) = qᵀ W k                  W: [Dq, Dk]
 *   "concat"   score(q, k) = vᵀ tanh(W [q; k])        W: [A, Dq + Dk]
 * Shapes as in attention.ts.
 */
import { ShapeError } from "../../errors.js";
import { add, bmm, linear, narrow, squeeze, tanh, transpose, unsqueeze } from "../../ops/index.js";
import { Linear } from "../../nn/layers/linear.js";
import type { LayerOptions } from "../../nn/layers/options.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Attention } from "./attention.js";

/** Luong's attention scores: dot (h·s), general (h·W·s), concat (v·tanh(W[h; s])). */
export type LuongScore = "dot" | "general" | "concat";

/** Sizes and score of Luong attention. */
export interface LuongAttentionOptions extends LayerOptions {
  /** Attention size A of the concat score (default the query size). */
  attentionDim?: number;
}

export class LuongAttention extends Attention {
  readonly scoreName: LuongScore;
  /**
   * "general": Wᵀ as a Linear(Dq → Dk), so that W q is one product per step instead of W k per key:
   *   qᵀ W k = (Wᵀ q)ᵀ k. "concat": the single W over [q; k], [A, Dq + Dk] with bias.
   */
  linear_in: Linear | null = null;
  /** "concat": v, [1, A] */
  energy: Linear | null = null;

  constructor(queryDim: number, keyDim: number, score: LuongScore, options: LuongAttentionOptions = {}) {
    super(queryDim, keyDim);
    this.scoreName = score;
    const dtype = options.dtype === undefined ? {} : { dtype: options.dtype };
    if (score === "dot") {
      if (queryDim !== keyDim) throw new ShapeError(`LuongAttention: "dot" needs equal query and key sizes, got ${queryDim} and ${keyDim}`);
    } else if (score === "general") {
      this.linear_in = new Linear(queryDim, keyDim, { ...dtype, bias: false });
    } else {
      const a = options.attentionDim ?? queryDim;
      this.linear_in = new Linear(queryDim + keyDim, a, dtype);
      this.energy = new Linear(a, 1, { ...dtype, bias: false });
    }
  }

  /** The key-side columns of the concat W: W [q; k] = W_:q q + W_:k k + b, the second half computed once. */
  protected override projectKeys(values: Tensor): Tensor {
    if (this.scoreName !== "concat") return values;
    const w = (this.linear_in as Linear).weight;
    return linear(values, narrow(w, 1, this.queryDim, this.keyDim), (this.linear_in as Linear).bias); // [B, S, A]
  }

  protected score(query: Tensor, keys: Tensor): Tensor {
    if (this.scoreName === "concat") {
      const w = (this.linear_in as Linear).weight;
      const q = unsqueeze(linear(query, narrow(w, 1, 0, this.queryDim)), 2); // [B, T, 1, A]
      const hidden = tanh(add(q, unsqueeze(keys, 1))); // [B, T, S, A]
      return squeeze((this.energy as Linear).forward(hidden), 3); // [B, T, S]
    }
    const q = this.scoreName === "general" ? (this.linear_in as Linear).forward(query) : query; // [B, T, Dk]
    return bmm(q, transpose(keys, 1, 2)); // [B, T, Dk] x [B, Dk, S] → [B, T, S]
  }

  override extraRepr(): string {
    return `${super.extraRepr()}, score=${this.scoreName}`;
  }
}
