/**
 * Scaled dot-product attention computed with batched matrix products, for backends whose matmul is
 * fast: the same function as `attentionForward`/`attentionBackward` in attention.ts (same masks, causal
 * alignment, ALiBi, and the same counter-based dropout keeps, so results agree up to rounding), but
 * the O(N·T·S·D) work runs as four GEMMs per pass instead of scalar loops:
 *   forward:  S = scale·Q Kᵀ (+ mask, ALiBi), P = softmax(S) (z-dropped), O = P V
 *   backward: recompute P from the saved logsumexp; dV = P̃ᵀ dO, dP̃ = dO Vᵀ,
 *             dS = P ⊙ (z ⊙ dP̃ − rowsum(dO ⊙ O)), dQ = scale·dS K, dK = scale·dSᵀ Q.
 * The [N, T, S] score matrix exists only inside one call (nothing of that size is kept between
 * forward and backward); callers fall back to the streaming kernel when it would be large.
 */
import type { FloatArray, MatmulLayout } from "../backend.js";
import { type AttentionMask, type AttentionOperand, type AttentionSizes, attentionDropoutKeep } from "./attention.js";

export type MatmulFn = (out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout) => void;

/** Above this many score elements (N·T·S) the streaming kernel is used instead. */
export const MATMUL_ATTENTION_MAX_SCORES = 1 << 24;

function like(a: FloatArray, n: number): FloatArray {
  return a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** Copies a [N, rows, cols] operand read through offsets/strides into a contiguous array. */
function gather(op: AttentionOperand, n: number, rows: number, cols: number): FloatArray {
  const out = like(op.data, n * rows * cols);
  const d = op.data;
  for (let b = 0; b < n; b++) {
    const base = op.offsets[b] as number;
    for (let r = 0; r < rows; r++) {
      const src = base + r * op.strideRow;
      const dst = (b * rows + r) * cols;
      for (let c = 0; c < cols; c++) out[dst + c] = d[src + c] as number;
    }
  }
  return out;
}

function layout(batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, strideA: number, strideB: number): MatmulLayout {
  return { batch, m, n, k, transA, transB, strideA, strideB, offsetA: 0, offsetB: 0, accumulate: false };
}

/** Turns raw Q Kᵀ products into masked, scaled scores in place; entries that cannot be attended become −∞. */
function scoresInPlace(scores: FloatArray, mask: AttentionMask | null, sz: AttentionSizes): void {
  const { n: N, t: T, s: S } = sz;
  for (let n = 0; n < N; n++) {
    const slope = sz.alibi ? (sz.alibi.slopes[n] as number) : 0;
    const mBlock = mask ? (mask.offsets[n] as number) : 0;
    for (let i = 0; i < T; i++) {
      const base = (n * T + i) * S;
      const end = sz.causalOffset === null ? S : Math.max(0, Math.min(S, i + sz.causalOffset + 1));
      const mBase = mBlock + (mask ? i * mask.strideT : 0);
      const qPos = sz.alibi ? i + sz.alibi.offset : 0;
      for (let j = 0; j < S; j++) {
        let s: number;
        if (j >= end || (mask && !mask.additive && mask.data[mBase + j * mask.strideS] === 0)) s = -Infinity;
        else {
          s = (scores[base + j] as number) * sz.scale;
          if (mask && mask.additive) s += mask.data[mBase + j * mask.strideS] as number;
          if (slope !== 0) s -= slope * Math.abs(qPos - j);
        }
        scores[base + j] = s;
      }
    }
  }
}

export function attentionForwardMatmul(
  matmul: MatmulFn, out: FloatArray, lse: Float64Array, weights: FloatArray | null,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): void {
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  const qc = gather(q, N, T, D);
  const kc = gather(k, N, S, D);
  const vc = gather(v, N, S, Dv);
  const p = like(out, N * T * S);
  matmul(p, qc, kc, layout(N, T, S, D, false, true, T * D, S * D));
  scoresInPlace(p, mask, sz);
  const dropScale = sz.dropout > 0 ? 1 / (1 - sz.dropout) : 1;
  for (let r = 0; r < N * T; r++) {
    const base = r * S;
    let max = -Infinity;
    for (let j = 0; j < S; j++) max = Math.max(max, p[base + j] as number);
    if (max === -Infinity) {
      lse[r] = -Infinity;
      p.fill(0, base, base + S);
      if (weights) weights.fill(0, base, base + S);
      continue;
    }
    let sum = 0;
    for (let j = 0; j < S; j++) sum += Math.exp((p[base + j] as number) - max);
    const l = max + Math.log(sum);
    lse[r] = l;
    for (let j = 0; j < S; j++) {
      let e = Math.exp((p[base + j] as number) - l);
      if (weights) weights[base + j] = e;
      if (sz.dropout > 0) e = attentionDropoutKeep(sz.seed, base + j, sz.dropout) ? e * dropScale : 0;
      p[base + j] = e;
    }
  }
  matmul(out, p, vc, layout(N, T, Dv, S, false, false, T * S, S * Dv));
}

export function attentionBackwardMatmul(
  matmul: MatmulFn, dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null, dMask: FloatArray | null,
  dOut: FloatArray, out: FloatArray, lse: Float64Array,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): void {
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  const qc = gather(q, N, T, D);
  const kc = gather(k, N, S, D);
  const vc = gather(v, N, S, Dv);
  // P (recomputed from the saved logsumexp) and its dropped-out version P̃.
  const p = like(dOut, N * T * S);
  matmul(p, qc, kc, layout(N, T, S, D, false, true, T * D, S * D));
  scoresInPlace(p, mask, sz);
  const pt = sz.dropout > 0 ? like(dOut, N * T * S) : p;
  const dropScale = sz.dropout > 0 ? 1 / (1 - sz.dropout) : 1;
  for (let r = 0; r < N * T; r++) {
    const base = r * S;
    const l = lse[r] as number;
    for (let j = 0; j < S; j++) {
      const e = l === -Infinity ? 0 : Math.exp((p[base + j] as number) - l);
      p[base + j] = e;
      if (sz.dropout > 0) pt[base + j] = attentionDropoutKeep(sz.seed, base + j, sz.dropout) ? e * dropScale : 0;
    }
  }
  if (dv) matmul(dv, pt, dOut, layout(N, S, Dv, T, true, false, T * S, T * Dv));
  // dP̃ = dO Vᵀ, then dS = P ⊙ (z ⊙ dP̃ − D_i) with D_i = dO_i · O_i.
  const ds = like(dOut, N * T * S);
  matmul(ds, dOut, vc, layout(N, T, S, Dv, false, true, T * Dv, S * Dv));
  for (let r = 0; r < N * T; r++) {
    const base = r * S;
    let di = 0;
    for (let c = 0; c < Dv; c++) di += (dOut[r * Dv + c] as number) * (out[r * Dv + c] as number);
    for (let j = 0; j < S; j++) {
      const pij = p[base + j] as number;
      if (pij === 0) {
        ds[base + j] = 0;
        continue;
      }
      const z = sz.dropout > 0 ? (attentionDropoutKeep(sz.seed, base + j, sz.dropout) ? dropScale : 0) : 1;
      const g = pij * (z * (ds[base + j] as number) - di);
      if (dMask) dMask[base + j] = g;
      ds[base + j] = g * sz.scale;
    }
  }
  if (dq) matmul(dq, ds, kc, layout(N, T, D, S, false, false, T * S, S * D));
  if (dk) matmul(dk, ds, qc, layout(N, S, D, T, true, false, T * S, T * D));
}
