/**
 * Attention of a decoder query over all encoder states, with padded source positions masked out.
 *
 * Shapes: B batch, S source length, T query steps (a single step when the query is [B, Dq]),
 * Dq query size (decoder hidden), Dk encoder state size, A attention size.
 *   query [B, Dq] → context [B, Dk], weights [B, S]
 *   query [B, T, Dq] → context [B, T, Dk], weights [B, T, S]
 * weights = softmax over s of score(q, k_s), with weight exactly 0 on padding; context = Σ_s w_s k_s.
 *
 * The key-side work of a score (W_k k for additive attention) does not depend on the query, so a
 * decoder calls `prepare` once per source batch and `attend` at every step; `forward` does both.
 */
import { ShapeError, formatShape } from "../../errors.js";
import { bmm, squeeze, unsqueeze } from "../../ops/index.js";
import { Module } from "../../nn/module.js";
import type { Tensor } from "../../tensor/tensor.js";
import { maskedSoftmax } from "./masking.js";

/** The encoder outputs an attention reads, with their projected keys and the source mask. */
export interface AttentionMemory {
  /** Encoder states [B, S, Dk]: what the context averages. */
  values: Tensor;
  /** The keys in the form this score reads them (projected for additive attention). */
  keys: Tensor;
  /** bool [B, S], true at real source tokens; null when nothing is padded. */
  mask: Tensor | null;
}

/** An attention step's result: the context vector and the weights over source positions. */
export interface AttentionOutput {
  /** [B, Dk] or [B, T, Dk] */
  context: Tensor;
  /** [B, S] or [B, T, S]; rows sum to 1, zero at padding. */
  weights: Tensor;
}

export abstract class Attention extends Module {
  constructor(readonly queryDim: number, readonly keyDim: number) {
    super();
  }

  /** Unnormalised scores [B, T, S] of queries [B, T, Dq] against prepared keys. */
  protected abstract score(query: Tensor, keys: Tensor): Tensor;

  /** The query-independent part of the score, computed once per source batch. */
  protected projectKeys(values: Tensor): Tensor {
    return values;
  }

  prepare(values: Tensor, mask: Tensor | null = null): AttentionMemory {
    if (values.ndim !== 3 || values.shape[2] !== this.keyDim) {
      throw new ShapeError(`${this.constructor.name}: expected encoder states [B, S, ${this.keyDim}], got ${formatShape(values.shape)}`);
    }
    return { values, keys: this.projectKeys(values), mask };
  }

  attend(query: Tensor, memory: AttentionMemory): AttentionOutput {
    const single = query.ndim === 2;
    if ((query.ndim !== 2 && query.ndim !== 3) || query.shape[query.ndim - 1] !== this.queryDim || query.shape[0] !== memory.values.shape[0]) {
      throw new ShapeError(
        `${this.constructor.name}: expected query [${memory.values.shape[0]}, (T,) ${this.queryDim}], got ${formatShape(query.shape)}`,
      );
    }
    const q = single ? unsqueeze(query, 1) : query; // [B, T, Dq]
    const weights = maskedSoftmax(this.score(q, memory.keys), memory.mask); // [B, T, S]
    const context = bmm(weights, memory.values); // [B, T, Dk]
    return single ? { context: squeeze(context, 1), weights: squeeze(weights, 1) } : { context, weights };
  }

  /** query [B, (T,) Dq], encoder states [B, S, Dk], mask bool [B, S] (true = real token). */
  forward(query: Tensor, values: Tensor, mask: Tensor | null = null): AttentionOutput {
    return this.attend(query, this.prepare(values, mask));
  }

  override extraRepr(): string {
    return `queryDim=${this.queryDim}, keyDim=${this.keyDim}`;
  }
}
