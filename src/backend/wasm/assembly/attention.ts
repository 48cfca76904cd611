// Fused float32 attention, forward and backward, flash-attention style (Dao et al. 2022): the same
// function as the reference kernel (src/backend/reference/attention.ts) for the case without dropout,
// ALiBi or additive masks. Per row-block n (one of N = B·H) and query row i:
//
//   forward:  keys in tiles of BK; per tile the scores s_j = scale·q_i·k_j (−∞ where masked), then the
//             online softmax: m' = max(m, max_j s_j), acc ← acc·e^(m−m') + Σ_j e^(s_j−m') v_j,
//             l ← l·e^(m−m') + Σ_j e^(s_j−m'); finally O_i = acc / l and L_i = m + log l.
//   backward: P recomputed from L: p_j = e^(s_j − L_i); D_i = dO_i·O_i;
//             dV_j += p_j dO_i,  ds_j = p_j (dO_i·V_j − D_i),  dQ_i += scale ds_j K_j,  dK_j += scale ds_j Q_i.
//
// Only keys j < end(i) = min(S, i + causalOffset + 1) are visited under a causal mask, and nothing of
// size T·S is stored: the working set is one tile of BK scores in the thread's scratch, and the output
// rows themselves serve as accumulators. Operands are contiguous per block: q [T, D], k [S, D],
// v [S, Dv], out/dOut [T, Dv], lse [T]; the boolean mask is bytes (non-zero = attend), [S] per block
// (a key-padding mask, row stride 0) or [T, S] (row stride S).
//
// Jobs: one unit is one row-block, claimed from an atomic counter, so any number of threads share a
// job as with the other kernels (job.ts). The pool's single entry point is `runJobOrAttention`, which
// runs attention jobs here and hands every other kind to job.ts.
import { exp1, exp4, hmax, hsum } from "./exp";
import { JOB_KIND } from "./job-kind";
import { runJob } from "./job";

// Kinds far above job-kind.ts's, so the two lists can grow independently.
export const KIND_ATTENTION_FORWARD: i32 = 64;
export const KIND_ATTENTION_BACKWARD: i32 = 65;

/** Keys per tile: two tiles of 64 floats (512 bytes) of scratch, far below the GEMM scratch every thread has. */
const BK: i32 = 64;

// Job descriptor fields (i32 / f32 at byte offsets after the JOB_KIND word); the counter has its own line.
const A_N = 4, A_T = 8, A_S = 12, A_D = 16, A_DV = 20, A_SCALE = 24, A_CAUSAL = 28, A_OFFSET = 32;
const A_MASK_STRIDE = 36, A_Q = 40, A_K = 44, A_V = 48, A_MASK = 52, A_OUT = 56, A_LSE = 60;
const A_DOUT = 64, A_DQ = 68, A_DK = 72, A_DVG = 76;
const A_NEXT = 128;

/** acc + a·b per lane: fused in the relaxed-SIMD build, multiply then add in the plain one (as kernel.ts). */
function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/** a·b over d floats; two accumulators so consecutive multiply-adds do not wait on each other. */
function dot(a: usize, b: usize, d: i32): f32 {
  let s0 = f32x4.splat(0);
  let s1 = s0;
  let c = 0;
  for (; c + 8 <= d; c += 8) {
    const o = <usize>c << 2;
    s0 = madd(v128.load(a + o), v128.load(b + o), s0);
    s1 = madd(v128.load(a + o, 16), v128.load(b + o, 16), s1);
  }
  if (c + 4 <= d) {
    const o = <usize>c << 2;
    s0 = madd(v128.load(a + o), v128.load(b + o), s0);
    c += 4;
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; c < d; c++) s += load<f32>(a + (<usize>c << 2)) * load<f32>(b + (<usize>c << 2));
  return s;
}

/** y += alpha·x over d floats. */
function axpy(y: usize, x: usize, alpha: f32, d: i32): void {
  const a4 = f32x4.splat(alpha);
  let c = 0;
  for (; c + 4 <= d; c += 4) {
    const o = <usize>c << 2;
    v128.store(y + o, madd(a4, v128.load(x + o), v128.load(y + o)));
  }
  for (; c < d; c++) {
    const o = <usize>c << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/**
 * y += Σ_jj w[jj]·row(j0 + jj) over the block at `base` (rows rowBytes apart), for jj < nk, skipping zero
 * weights (masked keys, whose rows the reference never reads). Four rows at a time go through y in one
 * pass, in the same order of additions as one row at a time.
 */
function accumulateRows(y: usize, w: usize, base: usize, rowBytes: usize, j0: i32, nk: i32, d: i32): void {
  const zero = f32x4.splat(0);
  let jj = 0;
  for (; jj + 4 <= nk; jj += 4) {
    let w4 = v128.load(w + (<usize>jj << 2));
    const x0 = base + <usize>(j0 + jj) * rowBytes;
    if (v128.any_true(f32x4.eq(w4, zero))) {
      for (let r = 0; r < 4; r++) {
        const a = f32x4.extract_lane(w4, 0);
        if (a != 0) axpy(y, x0 + <usize>r * rowBytes, a, d);
        w4 = v128.shuffle<f32>(w4, w4, 1, 2, 3, 0);
      }
      continue;
    }
    const x1 = x0 + rowBytes, x2 = x1 + rowBytes, x3 = x2 + rowBytes;
    const a0 = v128.shuffle<f32>(w4, w4, 0, 0, 0, 0), a1 = v128.shuffle<f32>(w4, w4, 1, 1, 1, 1);
    const a2 = v128.shuffle<f32>(w4, w4, 2, 2, 2, 2), a3 = v128.shuffle<f32>(w4, w4, 3, 3, 3, 3);
    let c = 0;
    for (; c + 4 <= d; c += 4) {
      const o = <usize>c << 2;
      let acc = madd(a0, v128.load(x0 + o), v128.load(y + o));
      acc = madd(a1, v128.load(x1 + o), acc);
      acc = madd(a2, v128.load(x2 + o), acc);
      v128.store(y + o, madd(a3, v128.load(x3 + o), acc));
    }
    for (; c < d; c++) {
      const o = <usize>c << 2;
      let acc = load<f32>(y + o) + f32x4.extract_lane(a0, 0) * load<f32>(x0 + o);
      acc += f32x4.extract_lane(a1, 0) * load<f32>(x1 + o);
      acc += f32x4.extract_lane(a2, 0) * load<f32>(x2 + o);
      store<f32>(y + o, acc + f32x4.extract_lane(a3, 0) * load<f32>(x3 + o));
    }
  }
  for (; jj < nk; jj++) {
    const a = load<f32>(w + (<usize>jj << 2));
    if (a != 0) axpy(y, base + <usize>(j0 + jj) * rowBytes, a, d);
  }
}

/** y *= alpha over d floats. */
function scaleRow(y: usize, alpha: f32, d: i32): void {
  const a4 = f32x4.splat(alpha);
  let c = 0;
  for (; c + 4 <= d; c += 4) {
    const o = <usize>c << 2;
    v128.store(y + o, f32x4.mul(v128.load(y + o), a4));
  }
  for (; c < d; c++) {
    const o = <usize>c << 2;
    store<f32>(y + o, load<f32>(y + o) * alpha);
  }
}

/**
 * The dot products of x with rows k0 .. k0 + 3 (rowBytes apart) over d floats, d a multiple of 4, as
 * one vector: four lane-wise accumulators, then a 4 × 4 transpose-and-add instead of four horizontal sums.
 */
function dot4(x: usize, k0: usize, rowBytes: usize, d: i32): v128 {
  const k1 = k0 + rowBytes, k2 = k1 + rowBytes, k3 = k2 + rowBytes;
  let a0 = f32x4.splat(0);
  let a1 = a0, a2 = a0, a3 = a0;
  for (let c = 0; c < d; c += 4) {
    const o = <usize>c << 2;
    const xv = v128.load(x + o);
    a0 = madd(xv, v128.load(k0 + o), a0);
    a1 = madd(xv, v128.load(k1 + o), a1);
    a2 = madd(xv, v128.load(k2 + o), a2);
    a3 = madd(xv, v128.load(k3 + o), a3);
  }
  // [a0₀+a0₂, a1₀+a1₂, a0₁+a0₃, a1₁+a1₃] and likewise for a2, a3; then the halves of each sum meet.
  const h01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const h23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(h01, h23, 0, 1, 4, 5), v128.shuffle<f32>(h01, h23, 2, 3, 6, 7));
}

/** tile[jj] = x · row (j0 + jj) of the block at `base` (rows rowBytes apart), for jj < nk. */
function dotTile(tile: usize, x: usize, base: usize, rowBytes: usize, j0: i32, nk: i32, d: i32): void {
  let jj = 0;
  if ((d & 3) == 0) {
    for (; jj + 4 <= nk; jj += 4) v128.store(tile + (<usize>jj << 2), dot4(x, base + <usize>(j0 + jj) * rowBytes, rowBytes, d));
  }
  for (; jj < nk; jj++) store<f32>(tile + (<usize>jj << 2), dot(x, base + <usize>(j0 + jj) * rowBytes, d));
}

/**
 * Writes the scaled scores of keys [j0, j0+nk) for query row qi into tile[0, nk) (−∞ where the mask
 * byte is 0), pads the tile with −∞ up to a multiple of 4 and returns the tile's largest score.
 */
function scoreTile(tile: usize, qi: usize, kBlock: usize, maskRow: usize, j0: i32, nk: i32, d: i32, scale: f32): f32 {
  dotTile(tile, qi, kBlock, <usize>d << 2, j0, nk, d);
  let top: f32 = -Infinity;
  let jj = 0;
  if (maskRow == 0) {
    const scale4 = f32x4.splat(scale);
    let top4 = f32x4.splat(-Infinity);
    for (; jj + 4 <= nk; jj += 4) {
      const at = tile + (<usize>jj << 2);
      const s4 = f32x4.mul(v128.load(at), scale4);
      v128.store(at, s4);
      top4 = f32x4.max(top4, s4);
    }
    top = hmax(top4);
  }
  for (; jj < nk; jj++) {
    const at = tile + (<usize>jj << 2);
    const s: f32 = maskRow != 0 && load<u8>(maskRow + <usize>(j0 + jj)) == 0 ? -Infinity : load<f32>(at) * scale;
    store<f32>(at, s);
    top = max(top, s);
  }
  for (let jj = nk; (jj & 3) != 0; jj++) store<f32>(tile + (<usize>jj << 2), -Infinity);
  return top;
}

/** tile[jj] ← e^(tile[jj] − m) over the padded tile; returns the sum (padding adds e^−∞ = 0). */
function expTile(tile: usize, nk: i32, m: f32): f32 {
  const m4 = f32x4.splat(m);
  let s4 = f32x4.splat(0);
  for (let jj = 0; jj < nk; jj += 4) {
    const o = <usize>jj << 2;
    const p = exp4(f32x4.sub(v128.load(tile + o), m4));
    v128.store(tile + o, p);
    s4 = f32x4.add(s4, p);
  }
  return hsum(s4);
}

/** Number of keys query row i may see. */
function keyEnd(i: i32, s: i32, causal: bool, offset: i32): i32 {
  if (!causal) return s;
  return max(0, min(s, i + offset + 1));
}

/**
 * Writes an attention job. Pointers are byte offsets (mask 0 = no mask; maskStride = bytes between a
 * block's mask rows, 0 for a key-padding mask). The forward reads q, k, v and writes out, lse; the
 * backward also reads out, lse and dOut and writes dq [N,T,D], dk [N,S,D], dvGrad [N,S,Dv].
 */
export function setAttentionJob(
  job: usize, kind: i32, n: i32, t: i32, s: i32, d: i32, dv: i32, scale: f32, causal: i32, causalOffset: i32,
  maskStride: i32, q: usize, k: usize, v: usize, mask: usize, out: usize, lse: usize,
  dOut: usize, dq: usize, dk: usize, dvGrad: usize,
): void {
  store<i32>(job, kind, JOB_KIND);
  store<i32>(job, n, A_N);
  store<i32>(job, t, A_T);
  store<i32>(job, s, A_S);
  store<i32>(job, d, A_D);
  store<i32>(job, dv, A_DV);
  store<f32>(job, scale, A_SCALE);
  store<i32>(job, causal, A_CAUSAL);
  store<i32>(job, causalOffset, A_OFFSET);
  store<i32>(job, maskStride, A_MASK_STRIDE);
  store<i32>(job, q, A_Q);
  store<i32>(job, k, A_K);
  store<i32>(job, v, A_V);
  store<i32>(job, mask, A_MASK);
  store<i32>(job, out, A_OUT);
  store<i32>(job, lse, A_LSE);
  store<i32>(job, dOut, A_DOUT);
  store<i32>(job, dq, A_DQ);
  store<i32>(job, dk, A_DK);
  store<i32>(job, dvGrad, A_DVG);
  atomic.store<i32>(job + A_NEXT, 0);
}

/** The pool's entry point: attention jobs run here, every other kind in job.ts. */
export function runJobOrAttention(job: usize, scratch: usize): void {
  const kind = load<i32>(job, JOB_KIND);
  if (kind == KIND_ATTENTION_FORWARD || kind == KIND_ATTENTION_BACKWARD) runAttentionJob(job, kind == KIND_ATTENTION_BACKWARD, scratch);
  else runJob(job, scratch);
}

function runAttentionJob(job: usize, backward: bool, scratch: usize): void {
  const n = load<i32>(job, A_N);
  while (true) {
    const b = atomic.add<i32>(job + A_NEXT, 1);
    if (b >= n) break;
    if (backward) attentionBackwardBlock(job, b, scratch);
    else attentionForwardBlock(job, b, scratch);
  }
}

function attentionForwardBlock(job: usize, b: i32, tile: usize): void {
  const T = load<i32>(job, A_T), S = load<i32>(job, A_S), D = load<i32>(job, A_D), Dv = load<i32>(job, A_DV);
  const scale = load<f32>(job, A_SCALE);
  const causal = load<i32>(job, A_CAUSAL) != 0;
  const offset = load<i32>(job, A_OFFSET);
  const maskStride = <usize>load<i32>(job, A_MASK_STRIDE);
  const mask = <usize>load<i32>(job, A_MASK);
  const qB = <usize>load<i32>(job, A_Q) + <usize>b * <usize>T * <usize>D * 4;
  const kB = <usize>load<i32>(job, A_K) + <usize>b * <usize>S * <usize>D * 4;
  const vB = <usize>load<i32>(job, A_V) + <usize>b * <usize>S * <usize>Dv * 4;
  const oB = <usize>load<i32>(job, A_OUT) + <usize>b * <usize>T * <usize>Dv * 4;
  const lB = <usize>load<i32>(job, A_LSE) + <usize>b * <usize>T * 4;
  const mB = mask == 0 ? 0 : mask + <usize>b * (maskStride == 0 ? <usize>S : maskStride * <usize>T);
  const vRow = <usize>Dv << 2;
  for (let i = 0; i < T; i++) {
    const qi = qB + <usize>i * (<usize>D << 2);
    const oi = oB + <usize>i * vRow;
    const maskRow = mB == 0 ? 0 : mB + <usize>i * maskStride;
    const end = keyEnd(i, S, causal, offset);
    memory.fill(oi, 0, vRow);
    let m: f32 = -Infinity;
    let l: f32 = 0;
    for (let j0 = 0; j0 < end; j0 += BK) {
      const nk = min(BK, end - j0);
      const top = scoreTile(tile, qi, kB, maskRow, j0, nk, D, scale);
      if (top == -Infinity) continue; // every key of the tile masked
      if (top > m) {
        if (m != -Infinity) {
          // Rescale what was accumulated under the old maximum.
          const c = exp1(m - top);
          l *= c;
          scaleRow(oi, c, Dv);
        }
        m = top;
      }
      l += expTile(tile, nk, m);
      accumulateRows(oi, tile, vB, vRow, j0, nk, Dv);
    }
    if (m == -Infinity) {
      store<f32>(lB + (<usize>i << 2), -Infinity); // no key to attend: output 0, as flash-attention
    } else {
      scaleRow(oi, 1 / l, Dv);
      store<f32>(lB + (<usize>i << 2), m + Mathf.log(l));
    }
  }
}

function attentionBackwardBlock(job: usize, b: i32, tile: usize): void {
  const T = load<i32>(job, A_T), S = load<i32>(job, A_S), D = load<i32>(job, A_D), Dv = load<i32>(job, A_DV);
  const scale = load<f32>(job, A_SCALE);
  const causal = load<i32>(job, A_CAUSAL) != 0;
  const offset = load<i32>(job, A_OFFSET);
  const maskStride = <usize>load<i32>(job, A_MASK_STRIDE);
  const mask = <usize>load<i32>(job, A_MASK);
  const qB = <usize>load<i32>(job, A_Q) + <usize>b * <usize>T * <usize>D * 4;
  const kB = <usize>load<i32>(job, A_K) + <usize>b * <usize>S * <usize>D * 4;
  const vB = <usize>load<i32>(job, A_V) + <usize>b * <usize>S * <usize>Dv * 4;
  const oB = <usize>load<i32>(job, A_OUT) + <usize>b * <usize>T * <usize>Dv * 4;
  const lB = <usize>load<i32>(job, A_LSE) + <usize>b * <usize>T * 4;
  const gB = <usize>load<i32>(job, A_DOUT) + <usize>b * <usize>T * <usize>Dv * 4;
  const dqB = <usize>load<i32>(job, A_DQ) + <usize>b * <usize>T * <usize>D * 4;
  const dkB = <usize>load<i32>(job, A_DK) + <usize>b * <usize>S * <usize>D * 4;
  const dvB = <usize>load<i32>(job, A_DVG) + <usize>b * <usize>S * <usize>Dv * 4;
  const mB = mask == 0 ? 0 : mask + <usize>b * (maskStride == 0 ? <usize>S : maskStride * <usize>T);
  const qRow = <usize>D << 2;
  const vRow = <usize>Dv << 2;
  const dpTile = tile + (<usize>BK << 2);
  memory.fill(dkB, 0, <usize>S * qRow);
  memory.fill(dvB, 0, <usize>S * vRow);
  for (let i = 0; i < T; i++) {
    const qi = qB + <usize>i * qRow;
    const dqi = dqB + <usize>i * qRow;
    memory.fill(dqi, 0, qRow);
    const L = load<f32>(lB + (<usize>i << 2));
    if (L == -Infinity) continue; // the row attended to nothing: no gradient flows through it
    const gi = gB + <usize>i * vRow;
    const Di = dot(gi, oB + <usize>i * vRow, Dv);
    const maskRow = mB == 0 ? 0 : mB + <usize>i * maskStride;
    const end = keyEnd(i, S, causal, offset);
    for (let j0 = 0; j0 < end; j0 += BK) {
      const nk = min(BK, end - j0);
      if (scoreTile(tile, qi, kB, maskRow, j0, nk, D, scale) == -Infinity) continue;
      expTile(tile, nk, L);
      dotTile(dpTile, gi, vB, vRow, j0, nk, Dv); // dP_ij = dO_i · V_j
      for (let jj = 0; jj < nk; jj++) {
        const p = load<f32>(tile + (<usize>jj << 2));
        const at = dpTile + (<usize>jj << 2);
        if (p == 0) {
          store<f32>(at, 0); // a masked key: no gradient reaches it
          continue;
        }
        const j = <usize>(j0 + jj);
        axpy(dvB + j * vRow, gi, p, Dv);
        const ds = p * (load<f32>(at) - Di) * scale;
        store<f32>(at, ds);
        axpy(dkB + j * qRow, qi, ds, D);
      }
      accumulateRows(dqi, dpTile, kB, qRow, j0, nk, D); // dQ_i += scale Σ_j dS_ij K_j
    }
  }
}
