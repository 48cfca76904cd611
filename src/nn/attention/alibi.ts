/**
 * ALiBi, Attention with Linear Biases (Press, Smith & Lewis 2022): no position embeddings; each head h
 * adds −m_h · distance(query, key) to its attention scores, with head slopes m_h a geometric sequence.
 * Shapes: H heads, T queries, S keys.
 */
import { ValueError } from "../../errors.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocate } from "../../tensor/dtype.js";

/** Slopes for a power-of-two head count n: 2^(−8/n), 2^(−16/n), …, 2^(−8). */
function powerOfTwoSlopes(n: number): number[] {
  const start = 2 ** (-8 / n);
  return Array.from({ length: n }, (_, i) => start ** (i + 1));
}

/**
 * The paper's head slopes. For a head count that is not a power of two, the slopes of the closest
 * lower power of two 2^k, followed by every other slope of 2^(k+1) heads until n are reached (the
 * reference implementation's rule).
 */
export function alibiSlopes(numHeads: number): number[] {
  if (!Number.isInteger(numHeads) || numHeads < 1) throw new ValueError(`alibiSlopes: numHeads must be a positive integer, got ${numHeads}`);
  const closest = 2 ** Math.floor(Math.log2(numHeads));
  const slopes = powerOfTwoSlopes(closest);
  if (closest === numHeads) return slopes;
  const extra = powerOfTwoSlopes(2 * closest).filter((_, i) => i % 2 === 0);
  return [...slopes, ...extra.slice(0, numHeads - closest)];
}

/** Options of the ALiBi bias: the number of heads (which sets the slopes) and causality. */
export interface AlibiBiasOptions {
  /** Absolute position of query 0 (default S − T: the queries are the last T of the S keys). */
  offset?: number;
  dtype?: FloatDType;
}

/**
 * The additive bias [H, T, S]: bias[h, i, j] = −m_h · |(i + offset) − j|. For causal attention (keys
 * j ≤ query position) this is the paper's −m_h (i − j); keys after the query (bidirectional use) are
 * penalised by the same distance rule.
 */
export function alibiBias(numHeads: number, T: number, S: number, options: AlibiBiasOptions = {}): Tensor {
  const slopes = alibiSlopes(numHeads);
  const offset = options.offset ?? S - T;
  const data = allocate(options.dtype ?? "float32", numHeads * T * S);
  for (let h = 0; h < numHeads; h++) {
    const m = slopes[h] as number;
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < S; j++) data[(h * T + i) * S + j] = -m * Math.abs(i + offset - j);
    }
  }
  return new Tensor(data, [numHeads, T, S]);
}
