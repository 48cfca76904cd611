/**
 * Fused scaled dot-product attention, forward and backward (Vaswani et al. 2017, eq. 1):
 *   O = dropout(softmax(scale · Q Kᵀ + M + A)) V      (M a mask, A an optional ALiBi bias)
 * N = number of (batch, head) row-blocks, T = query length, S = key length, D = q/k head dim,
 * Dv = v head dim. Per row-block n and query row i the forward computes the S scores, their
 * logsumexp L_i and the output row; it saves nothing but O and L (flash-attention style, Dao et al.
 * 2022), so the backward recomputes P_ij = exp(s_ij − L_i) instead of keeping the [N,T,S] matrix:
 *   D_i  = dO_i · O_i                      (= Σ_j P_ij dP_ij, also with dropout)
 *   dV_j += P̃_ij dO_i,  dP̃_ij = dO_i · V_j,  dP_ij = z_ij dP̃_ij,  dS_ij = P_ij (dP_ij − D_i)
 *   dQ_i += scale Σ_j dS_ij K_j,  dK_j += scale dS_ij Q_i,  dM_ij = dS_ij
 * where P̃ = P ⊙ z is the dropped-out matrix, z_ij = keep_ij / (1 − p).
 *
 * Operands are read in place through per-block offsets and a row stride (the last dim must be
 * contiguous), so broadcast or cached (narrowed) k/v need no copy. Arithmetic is in float64 JS numbers;
 * results are stored in the output arrays' type.
 *
 * Dropout keeps are a pure function of (seed, element index) — a counter-based hash, as flash-attention
 * uses Philox — so the backward regenerates the mask instead of saving it, and any faster backend can
 * reproduce it with `attentionDropoutKeep`.
 */
import type { FloatArray } from "../backend.js";

/** A [N, rows, cols] operand read in place: block n row r col c is at offsets[n] + r·strideRow + c. */
export interface AttentionOperand {
  data: FloatArray;
  offsets: Int32Array;
  strideRow: number;
}

/** An `AttentionOperand` of half bits, bfloat16 or float16 (backend.ts `attentionForwardHalf`). */
export interface AttentionOperandHalf {
  data: Uint16Array;
  offsets: Int32Array;
  strideRow: number;
}

/**
 * An attention mask over [N, T, S]: element (n, i, j) at offsets[n] + i·strideT + j·strideS. Boolean
 * masks (bytes) keep where non-zero (PyTorch's `attn_mask` convention: true = take part); additive masks
 * are added to the scaled scores (−∞ removes a key).
 */
export interface AttentionMask {
  data: FloatArray | Uint8Array;
  additive: boolean;
  offsets: Int32Array;
  strideT: number;
  strideS: number;
}

/**
 * Where the rows of an [N, rows, cols] output or gradient array live: row r of block n starts at
 * offsets[n] + r·strideRow, its cols elements contiguous. Lets a result be written straight into the
 * layout of a permuted view (e.g. heads of a [B, T, H, D] tensor) instead of contiguous [N, rows, cols].
 */
export interface AttentionRowLayout {
  offsets: Int32Array;
  strideRow: number;
}

/** Row layouts of the attention output and gradients; an absent one is contiguous [N, rows, cols]. */
export interface AttentionLayouts {
  out?: AttentionRowLayout;
  dOut?: AttentionRowLayout;
  dq?: AttentionRowLayout;
  dk?: AttentionRowLayout;
  dv?: AttentionRowLayout;
}

/** First element of row r of block n under `layout` (contiguous [N, rows, cols] when absent). */
export function rowStart(layout: AttentionRowLayout | undefined, n: number, r: number, rows: number, cols: number): number {
  return layout ? (layout.offsets[n] as number) + r * layout.strideRow : (n * rows + r) * cols;
}

export interface AttentionSizes {
  n: number;
  t: number;
  s: number;
  d: number;
  dv: number;
  /** Multiplier of Q Kᵀ (usually 1/√D). */
  scale: number;
  /**
   * null: no causal mask. Otherwise query i may attend to keys j ≤ i + causalOffset: 0 is PyTorch's
   * top-left `is_causal`, S − T aligns the queries with the last T keys (cached decoding).
   */
  causalOffset: number | null;
  /**
   * ALiBi (Press et al. 2022) computed in place of a materialised bias: score(i, j) −= slopes[n] ·
   * |i + offset − j|, with one slope per row-block n; null for none.
   */
  alibi: { slopes: Float64Array; offset: number } | null;
  /** Probability of dropping an attention weight (0 for none). */
  dropout: number;
  /** Two 32-bit words seeding the dropout hash. */
  seed: readonly [number, number];
}

function fmix32(h: number): number {
  // MurmurHash3's finaliser: a bijective avalanche of 32 bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Whether element `index` (= (n·T + i)·S + j) survives dropout with probability p of dropping. */
export function attentionDropoutKeep(seed: readonly [number, number], index: number, p: number): boolean {
  const lo = index >>> 0;
  const hi = Math.floor(index / 4294967296) >>> 0;
  const h = fmix32(fmix32(lo ^ seed[0]) ^ Math.imul(hi + 1, 0x9e3779b1) ^ seed[1]);
  return h / 4294967296 >= p;
}

/** Number of keys query row i may see (keys at j ≥ the result are causally masked). */
function keyEnd(sz: AttentionSizes, i: number): number {
  if (sz.causalOffset === null) return sz.s;
  return Math.max(0, Math.min(sz.s, i + sz.causalOffset + 1));
}

/** Fills row[0..end) with the masked, scaled scores of query row i of block n; returns their max. */
function scoreRow(
  row: Float64Array, n: number, i: number, end: number,
  q: AttentionOperand, k: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): number {
  const qd = q.data;
  const kd = k.data;
  const qBase = (q.offsets[n] as number) + i * q.strideRow;
  const kBlock = k.offsets[n] as number;
  const mBase = mask ? (mask.offsets[n] as number) + i * mask.strideT : 0;
  const slope = sz.alibi ? (sz.alibi.slopes[n] as number) : 0;
  const qPos = sz.alibi ? i + sz.alibi.offset : 0;
  let max = -Infinity;
  for (let j = 0; j < end; j++) {
    let s: number;
    if (mask && !mask.additive && mask.data[mBase + j * mask.strideS] === 0) {
      s = -Infinity;
    } else {
      const kBase = kBlock + j * k.strideRow;
      let dot = 0;
      for (let c = 0; c < sz.d; c++) dot += (qd[qBase + c] as number) * (kd[kBase + c] as number);
      s = dot * sz.scale;
      if (mask && mask.additive) s += mask.data[mBase + j * mask.strideS] as number;
      if (slope !== 0) s -= slope * Math.abs(qPos - j);
    }
    row[j] = s;
    if (s > max) max = s;
  }
  return max;
}

/**
 * out: [N, T, Dv] (contiguous, or rows as layouts.out says); lse: [N, T] logsumexp of each score row (−∞ for a fully masked row, whose
 * output is 0, as flash-attention returns); weights: optional contiguous [N, T, S] softmax
 * probabilities before dropout, filled only when given.
 */
export function attentionForward(
  out: FloatArray, lse: Float64Array, weights: FloatArray | null,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
  layouts: AttentionLayouts = {},
): void {
  const { n: N, t: T, s: S, dv: Dv } = sz;
  const row = new Float64Array(S);
  const acc = new Float64Array(Dv);
  const dropScale = sz.dropout > 0 ? 1 / (1 - sz.dropout) : 1;
  const vd = v.data;
  if (weights) weights.fill(0);
  for (let n = 0; n < N; n++) {
    const vBlock = v.offsets[n] as number;
    for (let i = 0; i < T; i++) {
      const r = n * T + i;
      const end = keyEnd(sz, i);
      const max = scoreRow(row, n, i, end, q, k, mask, sz);
      const outBase = rowStart(layouts.out, n, i, T, Dv);
      if (max === -Infinity) {
        lse[r] = -Infinity;
        for (let c = 0; c < Dv; c++) out[outBase + c] = 0;
        continue;
      }
      let sum = 0;
      for (let j = 0; j < end; j++) sum += Math.exp((row[j] as number) - max);
      const l = max + Math.log(sum);
      lse[r] = l;
      acc.fill(0);
      for (let j = 0; j < end; j++) {
        let p = Math.exp((row[j] as number) - l);
        if (weights) weights[r * S + j] = p;
        if (sz.dropout > 0) p = attentionDropoutKeep(sz.seed, r * S + j, sz.dropout) ? p * dropScale : 0;
        if (p === 0) continue;
        const vBase = vBlock + j * v.strideRow;
        for (let c = 0; c < Dv; c++) acc[c] = (acc[c] as number) + p * (vd[vBase + c] as number);
      }
      for (let c = 0; c < Dv; c++) out[outBase + c] = acc[c] as number;
    }
  }
}

/**
 * Gradients of attentionForward. dq: contiguous [N,T,D], dk: [N,S,D], dv: [N,S,Dv], dMask: [N,T,S]
 * (the score gradient, for additive masks), each null when not wanted; dOut and out: [N,T,Dv]; lse
 * from the forward. Arrays are contiguous or laid out as `layouts` says (dMask always contiguous).
 * Outputs are overwritten, not accumulated into.
 */
export function attentionBackward(
  dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null, dMask: FloatArray | null,
  dOut: FloatArray, out: FloatArray, lse: Float64Array,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
  layouts: AttentionLayouts = {},
): void {
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  const row = new Float64Array(S);
  const dqRow = new Float64Array(D);
  const dkBlock = new Float64Array(S * D);
  const dvBlock = new Float64Array(S * Dv);
  const dropScale = sz.dropout > 0 ? 1 / (1 - sz.dropout) : 1;
  const qd = q.data;
  const kd = k.data;
  const vd = v.data;
  if (dMask) dMask.fill(0);
  for (let n = 0; n < N; n++) {
    dkBlock.fill(0);
    dvBlock.fill(0);
    const kBlock = k.offsets[n] as number;
    const vBlock = v.offsets[n] as number;
    for (let i = 0; i < T; i++) {
      const r = n * T + i;
      const l = lse[r] as number;
      const oBase = rowStart(layouts.out, n, i, T, Dv);
      const gBase = rowStart(layouts.dOut, n, i, T, Dv);
      dqRow.fill(0);
      if (l !== -Infinity) {
        const end = keyEnd(sz, i);
        scoreRow(row, n, i, end, q, k, mask, sz);
        let Di = 0;
        for (let c = 0; c < Dv; c++) Di += (dOut[gBase + c] as number) * (out[oBase + c] as number);
        const qBase = (q.offsets[n] as number) + i * q.strideRow;
        for (let j = 0; j < end; j++) {
          const p = Math.exp((row[j] as number) - l);
          if (p === 0) continue;
          const z = sz.dropout > 0 ? (attentionDropoutKeep(sz.seed, r * S + j, sz.dropout) ? dropScale : 0) : 1;
          const vBase = vBlock + j * v.strideRow;
          let dp = 0;
          if (z !== 0) {
            const pz = p * z;
            for (let c = 0; c < Dv; c++) {
              const g = dOut[gBase + c] as number;
              dp += g * (vd[vBase + c] as number);
              dvBlock[j * Dv + c] = (dvBlock[j * Dv + c] as number) + pz * g;
            }
            dp *= z;
          }
          const ds = p * (dp - Di);
          if (dMask) dMask[r * S + j] = ds;
          const dss = ds * sz.scale;
          const kBase = kBlock + j * k.strideRow;
          for (let c = 0; c < D; c++) {
            dqRow[c] = (dqRow[c] as number) + dss * (kd[kBase + c] as number);
            dkBlock[j * D + c] = (dkBlock[j * D + c] as number) + dss * (qd[qBase + c] as number);
          }
        }
      }
      if (dq) {
        const dqBase = rowStart(layouts.dq, n, i, T, D);
        for (let c = 0; c < D; c++) dq[dqBase + c] = dqRow[c] as number;
      }
    }
    for (let j = 0; j < S; j++) {
      if (dk) {
        const dkBase = rowStart(layouts.dk, n, j, S, D);
        for (let c = 0; c < D; c++) dk[dkBase + c] = dkBlock[j * D + c] as number;
      }
      if (dv) {
        const dvBase = rowStart(layouts.dv, n, j, S, Dv);
        for (let c = 0; c < Dv; c++) dv[dvBase + c] = dvBlock[j * Dv + c] as number;
      }
    }
  }
}
