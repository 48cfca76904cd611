/**
 * Scaled dot-product attention computed with batched matrix products, for backends whose matmul is
 * fast: the same function as `attentionForward`/`attentionBackward` in attention.ts (same masks, causal
 * alignment, ALiBi, and the same counter-based dropout keeps, so results agree up to rounding), but
 * the O(N·T·S·D) work runs as GEMMs and the row softmax as the backend's softmax kernel:
 *   forward:  S = scale·Q Kᵀ (+ mask, ALiBi), P = softmax(S) (z-dropped), O = P V
 *   backward: recompute P from the saved logsumexp; dV = P̃ᵀ dO, dP̃ = dO Vᵀ,
 *             dS = P ⊙ (z ⊙ dP̃ − rowsum(dO ⊙ O)), dQ = scale·dS K, dK = scale·dSᵀ Q.
 * The [N, T, S] score matrix exists only inside one call (nothing of that size is kept between
 * forward and backward); callers fall back to the streaming kernel when it would be large.
 */
import type { FloatArray, MatmulLayout } from "../backend.js";
import { type AttentionMask, type AttentionOperand, type AttentionSizes, attentionDropoutKeep } from "./attention.js";

/** The two kernels this formulation runs on: a backend's GEMM and its row softmax. */
export interface AttentionKernels {
  matmul(out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout): void;
  softmaxForward(out: FloatArray, x: FloatArray, rows: number, cols: number, log: boolean): void;
}

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

/**
 * Turns raw Q Kᵀ products into masked, scaled scores in place (entries that cannot be attended become
 * −∞) and returns, per row, whether every entry is masked (such rows attend to nothing: output 0).
 */
function scoresInPlace(scores: FloatArray, mask: AttentionMask | null, sz: AttentionSizes): Uint8Array {
  const { n: N, t: T, s: S } = sz;
  const empty = new Uint8Array(N * T);
  for (let n = 0; n < N; n++) {
    const slope = sz.alibi ? (sz.alibi.slopes[n] as number) : 0;
    const mBlock = mask ? (mask.offsets[n] as number) : 0;
    for (let i = 0; i < T; i++) {
      const base = (n * T + i) * S;
      const end = sz.causalOffset === null ? S : Math.max(0, Math.min(S, i + sz.causalOffset + 1));
      const mBase = mBlock + (mask ? i * mask.strideT : 0);
      const qPos = sz.alibi ? i + sz.alibi.offset : 0;
      let any = false;
      for (let j = 0; j < S; j++) {
        let s: number;
        if (j >= end || (mask && !mask.additive && mask.data[mBase + j * mask.strideS] === 0)) s = -Infinity;
        else {
          s = (scores[base + j] as number) * sz.scale;
          if (mask && mask.additive) s += mask.data[mBase + j * mask.strideS] as number;
          if (slope !== 0) s -= slope * Math.abs(qPos - j);
        }
        if (s !== -Infinity) any = true;
        scores[base + j] = s;
      }
      if (!any) empty[n * T + i] = 1;
    }
  }
  return empty;
}

/** The gathered operands, the masked scores S and P = softmax(S) (rows with no attendable key all 0). */
interface Probabilities {
  qc: FloatArray;
  kc: FloatArray;
  vc: FloatArray;
  scores: FloatArray;
  p: FloatArray;
  empty: Uint8Array;
}

/** Forward and backward both start here, so the backward's P is exactly the forward's. */
function probabilities(
  kernels: AttentionKernels, dtypeOf: FloatArray, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand,
  mask: AttentionMask | null, sz: AttentionSizes,
): Probabilities {
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  const qc = gather(q, N, T, D);
  const kc = gather(k, N, S, D);
  const vc = gather(v, N, S, Dv);
  const scores = like(dtypeOf, N * T * S);
  kernels.matmul(scores, qc, kc, layout(N, T, S, D, false, true, T * D, S * D));
  const empty = scoresInPlace(scores, mask, sz);
  const p = like(dtypeOf, N * T * S);
  kernels.softmaxForward(p, scores, N * T, S, false);
  for (let r = 0; r < N * T; r++) if (empty[r]) p.fill(0, r * S, r * S + S);
  return { qc, kc, vc, scores, p, empty };
}

export function attentionForwardMatmul(
  kernels: AttentionKernels, out: FloatArray, lse: Float64Array, weights: FloatArray | null,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): void {
  const { n: N, t: T, s: S, dv: Dv } = sz;
  const { vc, scores, p, empty } = probabilities(kernels, out, q, k, v, mask, sz);
  // The logsumexp the interface returns: L_i = s_ij − log p_ij at the row's most likely key.
  for (let r = 0; r < N * T; r++) {
    if (empty[r]) {
      lse[r] = -Infinity;
      continue;
    }
    const base = r * S;
    let best = base;
    for (let j = base + 1; j < base + S; j++) if ((p[j] as number) > (p[best] as number)) best = j;
    lse[r] = (scores[best] as number) - Math.log(p[best] as number);
  }
  if (weights) weights.set(p);
  if (sz.dropout > 0) {
    const dropScale = 1 / (1 - sz.dropout);
    for (let i = 0; i < p.length; i++) p[i] = attentionDropoutKeep(sz.seed, i, sz.dropout) ? (p[i] as number) * dropScale : 0;
  }
  kernels.matmul(out, p, vc, layout(N, T, Dv, S, false, false, T * S, S * Dv));
}

export function attentionBackwardMatmul(
  kernels: AttentionKernels, dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null, dMask: FloatArray | null,
  // The saved logsumexp is not needed: P is recomputed with the forward's own kernels.
  dOut: FloatArray, out: FloatArray, _lse: Float64Array,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): void {
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  // P recomputed exactly as the forward computed it, and its dropped-out version P̃.
  const { qc, kc, vc, scores, p } = probabilities(kernels, dOut, q, k, v, mask, sz);
  const dropScale = sz.dropout > 0 ? 1 / (1 - sz.dropout) : 1;
  const pt = sz.dropout > 0 ? scores : p;
  if (sz.dropout > 0) for (let i = 0; i < p.length; i++) pt[i] = attentionDropoutKeep(sz.seed, i, sz.dropout) ? (p[i] as number) * dropScale : 0;
  if (dv) kernels.matmul(dv, pt, dOut, layout(N, S, Dv, T, true, false, T * S, T * Dv));
  // dP̃ = dO Vᵀ, then dS = P ⊙ (z ⊙ dP̃ − D_i) with D_i = dO_i · O_i.
  const ds = like(dOut, N * T * S);
  kernels.matmul(ds, dOut, vc, layout(N, T, S, Dv, false, true, T * Dv, S * Dv));
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
  if (dq) kernels.matmul(dq, ds, kc, layout(N, T, D, S, false, false, T * S, S * D));
  if (dk) kernels.matmul(dk, ds, qc, layout(N, S, D, T, true, false, T * S, T * D));
}
