// Fused float32 attention, forward and backward, flash-attention style (Dao et al. 2022; the backward
// as in FlashAttention-2): the same function as the reference kernel (src/backend/reference/attention.ts)
// for the case without dropout, ALiBi or additive masks. Per row-block n and query row i, with scores
// s_ij = scale·q_i·k_j (−∞ where masked) and L_i = log Σ_j e^(s_ij):
//
//   forward:  O_i = Σ_j e^(s_ij − m_i) v_j / Σ_j e^(s_ij − m_i) with m_i = max_j s_ij;  L_i = m_i + log l_i.
//   backward: P recomputed from L: p_ij = e^(s_ij − L_i); D_i = dO_i·O_i; dp_ij = dO_i·V_j;
//             ds_ij = scale·p_ij (dp_ij − D_i);  dV = Pᵀ dO,  dQ = dS K,  dK = dSᵀ Q.
//
// Every product above is a small GEMM, run by one register-blocked 4 × 8 SIMD micro-kernel (`tile4x8`:
// eight f32x4 accumulators, two B vectors and four broadcast A values per step, as the GEMM kernel).
// Queries go in micro-tiles of 4 rows. The forward computes a micro-tile's whole score row-block
// (4 × S floats of scratch, no T×S matrix), its exact softmax, and O = P·V; the backward takes groups of
// G query rows: scores, dP, P and dS for the group (2 × G × S floats of scratch), dQ of those rows, then
// dK and dV of every key the group sees, accumulated over the group's rows in one pass per key tile.
// Under a causal mask nothing past a micro-tile's last visible key is computed (scores in steps of 8
// keys), and the key-side products start at the first query row that sees the key.
//
// Operands are read, and results written, through row tables ([row stride in bytes, then the address of
// row 0 of each block], built by the glue, ../attention.ts), so a permuted view such as the heads of a
// [B, T, H, D] tensor is used where it lies. K and V are transposed straight from their rows into the
// thread's slot (Kᵀ, Vᵀ, zero past S) and read in place where they are a product's B operand (P·V,
// dS·K: only rows below S); query-side rows that padding rows take part in are copied, zero-padded:
// the forward 4 query rows per micro-tile (and writes their 4 output rows), the backward q [Tp, Dp] and
// dOut [Tp, Dvp], with its results dq [Tp, Dp], dk [Sp, Dp], dv [Sp, Dvp] made in the slot and copied
// out. Tp = T rounded up to 4, Sp = S to 8, Dp and Dvp = D and Dv to 4, so no loop has a scalar tail;
// padded query rows see no key. Rows are read in 4-float steps, past a row's end when its length is
// not a multiple of 4 (the glue leaves slack after each operand; those lanes only reach padding
// columns). lse is contiguous [N, Tp]. The boolean mask is bytes (non-zero = attend), [S] per block (a
// key-padding mask, row stride 0) or [T, S] (row stride S), readable 8 bytes past its end.
//
// Jobs: one unit is one row-block, claimed from an atomic counter, so any number of threads share a job
// as with the other kernels (job.ts). Each participating thread takes one work slot (slotBytes) from the
// area right after the job descriptor. The pool's single entry point is `runJobOrAttention`, which runs
// attention jobs here and hands every other kind to job.ts.
import { Lanes, hmax, hsum } from "./exp";
import { JOB_BYTES, JOB_KIND } from "./job-kind";
import { runJob } from "./job";

// Kinds far above job-kind.ts's, so the two lists can grow independently.
export const KIND_ATTENTION_FORWARD: i32 = 64;
export const KIND_ATTENTION_BACKWARD: i32 = 65;

/** Query rows per backward group: dK and dV accumulators are loaded and stored once per G rows. */
const G: i32 = 16;
/** Reduction steps per pass of product4. */
const KB: i32 = 64;
/**
 * Extra floats per row of the transposed Kᵀ, Vᵀ and the score tiles, so rows Sp floats apart (a power
 * of two for the usual lengths) do not all map to the same few L1 sets.
 */
const ROW_PAD: i32 = 16;

// Job descriptor fields (i32 / f32 at byte offsets after the JOB_KIND word); the counters have their own lines.
const A_N = 4, A_T = 8, A_S = 12, A_D = 16, A_DV = 20, A_SCALE = 24, A_CAUSAL = 28, A_OFFSET = 32;
const A_MASK_STRIDE = 36, A_Q = 40, A_K = 44, A_V = 48, A_MASK = 52, A_OUT = 56, A_LSE = 60;
const A_DOUT = 64, A_DQ = 68, A_DK = 72, A_DVG = 76;
const A_NEXT = 128, A_SLOT = 192;

// Lane constants read from memory (one broadcast or plain load) inside loops: V8 re-materialises every
// v128.const per use with three instructions and hoists none out of loops (see exp.ts).
const NEG_INF = memory.data<f32>([-Infinity], 16);
const KEY_STEP = memory.data<i32>([4], 16);
const KEY_LANES = memory.data<i32>([0, 1, 2, 3], 16);

function up4(x: i32): i32 {
  return (x + 3) & ~3;
}

function up8(x: i32): i32 {
  return (x + 7) & ~7;
}

/**
 * Bytes of one thread's work slot: Kᵀ [Dp, Sp] and Vᵀ [Dvp, Sp] and two G × Sp score tiles (rows
 * Sp + ROW_PAD floats apart), then the backward's zero-padded copies of q [Tp, Dp] and dOut [Tp, Dvp]
 * and its results dq [Tp, Dp], dk [Sp, Dp], dv [Sp, Dvp] (the forward needs less). The glue
 * (../attention.ts `slotBytes`) uses the same formula.
 */
function slotBytes(t: i32, s: i32, d: i32, dv: i32): usize {
  const sr = <usize>(up8(s) + ROW_PAD), tp = <usize>up4(t), sp = <usize>up8(s), dp = <usize>up4(d), dvp = <usize>up4(dv);
  return ((dp + dvp) * sr + 2 * <usize>G * sr + 2 * tp * dp + tp * dvp + sp * dp + sp * dvp) * 4;
}

/**
 * Small helpers that are always inlined (`@inline` sits on static methods because TypeScript tooling
 * parses decorators only on class members).
 */
class Att {
  /** Address of row r of block b of a row table: [row stride in bytes, then one row-0 address per block]. */
  @inline static rowAt(table: usize, b: i32, r: i32): usize {
    return <usize>load<i32>(table + 4 + (<usize>b << 2)) + <usize>r * <usize>load<i32>(table);
  }

  /** Lanes of keys j .. j + 3 that may be attended: j < end and (no mask, or the mask byte non-zero). */
  @inline static keepLanes(index: v128, end4: v128, maskRow: usize, j: i32): v128 {
    let keep = i32x4.lt_s(index, end4);
    if (maskRow != 0) {
      const bytes = i32x4.extend_low_i16x8_u(v128.load8x8_u(maskRow + <usize>j));
      keep = v128.andnot(keep, i32x4.eq(bytes, v128.xor(bytes, bytes)));
    }
    return keep;
  }
}

/**
 * Copies rows r0 .. r0 + rows − 1 (`cols` floats each) of block b of a row table to dst [rowsP, colsP]
 * (contiguous), zero in the padding columns and rows.
 */
function copyIn(dst: usize, table: usize, b: i32, r0: i32, rows: i32, rowsP: i32, cols: i32, colsP: i32): void {
  const dRow = <usize>colsP << 2;
  const stride = <usize>load<i32>(table);
  let src = Att.rowAt(table, b, r0);
  const full = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const d = dst + <usize>r * dRow;
    let c = 0;
    for (; c < full; c += 4) v128.store(d + (<usize>c << 2), v128.load(src + (<usize>c << 2)));
    for (; c < cols; c++) store<f32>(d + (<usize>c << 2), load<f32>(src + (<usize>c << 2)));
    for (; c < colsP; c++) store<f32>(d + (<usize>c << 2), 0);
    src += stride;
  }
  if (rowsP > rows) memory.fill(dst + <usize>rows * dRow, 0, <usize>(rowsP - rows) * dRow);
}

/** Copies `rows` rows of `cols` floats of src [·, colsP] to rows r0 .. of block b of a row table. */
function copyOut(table: usize, b: i32, r0: i32, rows: i32, cols: i32, src: usize, colsP: i32): void {
  const sRow = <usize>colsP << 2;
  const stride = <usize>load<i32>(table);
  let dst = Att.rowAt(table, b, r0);
  const full = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * sRow;
    let c = 0;
    for (; c < full; c += 4) v128.store(dst + (<usize>c << 2), v128.load(s + (<usize>c << 2)));
    for (; c < cols; c++) store<f32>(dst + (<usize>c << 2), load<f32>(s + (<usize>c << 2)));
    dst += stride;
  }
}


/**
 * C[4 × 8] = (C +) Σ_{x<n} A(r, x)·B(x, ·): A(r, x) is the float at a + r·aRow + x·aCol, row x of B the
 * 8 floats at b + x·bRow, C's rows cRow apart (all in bytes).
 */
function tile4x8(c: usize, cRow: usize, a: usize, aRow: usize, aCol: usize, b: usize, bRow: usize, n: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let a0 = a, a1 = a + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
  let bp = b;
  for (let x = 0; x < n; x++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let s = v128.load32_splat(a0);
    c00 = Lanes.madd(s, b0, c00);
    c01 = Lanes.madd(s, b1, c01);
    s = v128.load32_splat(a1);
    c10 = Lanes.madd(s, b0, c10);
    c11 = Lanes.madd(s, b1, c11);
    s = v128.load32_splat(a2);
    c20 = Lanes.madd(s, b0, c20);
    c21 = Lanes.madd(s, b1, c21);
    s = v128.load32_splat(a3);
    c30 = Lanes.madd(s, b0, c30);
    c31 = Lanes.madd(s, b1, c31);
    a0 += aCol;
    a1 += aCol;
    a2 += aCol;
    a3 += aCol;
    bp += bRow;
  }
  const r1 = c + cRow, r2 = r1 + cRow, r3 = r2 + cRow;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(r1));
    c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2));
    c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3));
    c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(r1, c10);
  v128.store(r1, c11, 16);
  v128.store(r2, c20);
  v128.store(r2, c21, 16);
  v128.store(r3, c30);
  v128.store(r3, c31, 16);
}

/** tile4x8 for the last 4 columns of a row whose width is 4 mod 8. */
function tile4x4(c: usize, cRow: usize, a: usize, aRow: usize, aCol: usize, b: usize, bRow: usize, n: i32, accumulate: bool): void {
  let c0 = f32x4.splat(0);
  let c1 = c0, c2 = c0, c3 = c0;
  let a0 = a, a1 = a + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
  let bp = b;
  for (let x = 0; x < n; x++) {
    const b0 = v128.load(bp);
    c0 = Lanes.madd(v128.load32_splat(a0), b0, c0);
    c1 = Lanes.madd(v128.load32_splat(a1), b0, c1);
    c2 = Lanes.madd(v128.load32_splat(a2), b0, c2);
    c3 = Lanes.madd(v128.load32_splat(a3), b0, c3);
    a0 += aCol;
    a1 += aCol;
    a2 += aCol;
    a3 += aCol;
    bp += bRow;
  }
  const r1 = c + cRow, r2 = r1 + cRow, r3 = r2 + cRow;
  if (accumulate) {
    c0 = f32x4.add(c0, v128.load(c));
    c1 = f32x4.add(c1, v128.load(r1));
    c2 = f32x4.add(c2, v128.load(r2));
    c3 = f32x4.add(c3, v128.load(r3));
  }
  v128.store(c, c0);
  v128.store(r1, c1);
  v128.store(r2, c2);
  v128.store(r3, c3);
}

/**
 * C[4 × cols] (+)= A · B over n reduction steps, cols a multiple of 4 (B's and C's columns are contiguous
 * floats). The reduction goes in chunks of KB steps so the B rows one chunk reads stay in L1 across C's
 * column tiles (B rows a power of two apart would otherwise also fall into few cache sets).
 */
function product4(c: usize, cRow: usize, a: usize, aRow: usize, aCol: usize, b: usize, bRow: usize, n: i32, cols: i32, accumulate: bool): void {
  for (let x0 = 0; x0 < n || x0 == 0; x0 += KB) {
    const steps = min(KB, n - x0);
    const ax = a + <usize>x0 * aCol, bx = b + <usize>x0 * bRow;
    const acc = accumulate || x0 > 0;
    let col = 0;
    for (; col + 8 <= cols; col += 8) {
      const o = <usize>col << 2;
      tile4x8(c + o, cRow, ax, aRow, aCol, bx + o, bRow, steps, acc);
    }
    if (col < cols) {
      const o = <usize>col << 2;
      tile4x4(c + o, cRow, ax, aRow, aCol, bx + o, bRow, steps, acc);
    }
  }
}

/**
 * dst [colsP, rowsP] (rows dstStride floats apart) = the transpose of block b's rows 0 .. rows − 1 of a
 * row table, zero past `rows`; 4 × 4 blocks, then the last rows one by one. A block's columns up to colsP
 * are read, past cols when cols is not a multiple of 4 (the glue leaves slack after each operand); the
 * transposed rows ≥ cols are never read.
 */
function transposeRows(dst: usize, dstStride: i32, table: usize, b: i32, rows: i32, rowsP: i32, cols: i32, colsP: i32): void {
  const sRow = <usize>load<i32>(table), dRow = <usize>dstStride << 2;
  const src = Att.rowAt(table, b, 0);
  const full = rows & ~3;
  for (let r = 0; r < full; r += 4) {
    const s0 = src + <usize>r * sRow;
    for (let c = 0; c < colsP; c += 4) {
      const p = s0 + (<usize>c << 2);
      const x0 = v128.load(p), x1 = v128.load(p + sRow), x2 = v128.load(p + 2 * sRow), x3 = v128.load(p + 3 * sRow);
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      const q = dst + <usize>c * dRow + (<usize>r << 2);
      v128.store(q, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(q + dRow, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(q + 2 * dRow, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(q + 3 * dRow, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
  }
  for (let r = full; r < rowsP; r++) {
    const s = src + <usize>r * sRow;
    for (let c = 0; c < colsP; c++) {
      let x: f32 = 0;
      if (r < rows && c < cols) x = load<f32>(s + (<usize>c << 2));
      store<f32>(dst + <usize>c * dRow + (<usize>r << 2), x);
    }
  }
}

/** Number of keys query row i may see (0 for the padding rows i ≥ T). */
function keyEnd(i: i32, t: i32, s: i32, causal: bool, offset: i32): i32 {
  if (i >= t) return 0;
  if (!causal) return s;
  return max(0, min(s, i + offset + 1));
}


/**
 * Sets the scores row[0, width) (width a multiple of 4) to −∞ where key j ≥ end or the mask byte is 0
 * (maskRow 0: no mask) and returns the row's largest score. Without a mask the keys below end are only
 * read.
 */
function maskRow(row: usize, width: i32, end: i32, maskRow: usize): f32 {
  const negInf = v128.load32_splat(NEG_INF);
  let top = negInf;
  let j = 0;
  if (maskRow == 0) {
    const plain = min(end, width) & ~3;
    for (; j < plain; j += 4) top = f32x4.max(top, v128.load(row + (<usize>j << 2)));
  }
  const end4 = i32x4.splat(end);
  let index = i32x4.add(v128.load(KEY_LANES), i32x4.splat(j));
  for (; j < width; j += 4) {
    const at = row + (<usize>j << 2);
    const s = v128.bitselect(v128.load(at), negInf, Att.keepLanes(index, end4, maskRow, j));
    v128.store(at, s);
    top = f32x4.max(top, s);
    index = i32x4.add(index, v128.load32_splat(KEY_STEP));
  }
  return hmax(top);
}

/** Writes an attention job; the fields are those of the forward and backward kernels below. */
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
  atomic.store<i32>(job + A_SLOT, 0);
}

/** The pool's entry point: attention jobs run here, every other kind in job.ts. */
export function runJobOrAttention(job: usize, scratch: usize): void {
  const kind = load<i32>(job, JOB_KIND);
  if (kind == KIND_ATTENTION_FORWARD || kind == KIND_ATTENTION_BACKWARD) runAttentionJob(job, kind == KIND_ATTENTION_BACKWARD);
  else runJob(job, scratch);
}

function runAttentionJob(job: usize, backward: bool): void {
  const n = load<i32>(job, A_N);
  let slot: usize = 0;
  while (true) {
    const b = atomic.add<i32>(job + A_NEXT, 1);
    if (b >= n) break;
    // A slot only once this thread has a block, so the glue needs no more slots than blocks.
    if (slot == 0) {
      const index = <usize>atomic.add<i32>(job + A_SLOT, 1);
      slot = job + <usize>JOB_BYTES + index * slotBytes(load<i32>(job, A_T), load<i32>(job, A_S), load<i32>(job, A_D), load<i32>(job, A_DV));
    }
    if (backward) attentionBackwardBlock(job, b, slot);
    else attentionForwardBlock(job, b, slot);
  }
}

function attentionForwardBlock(job: usize, b: i32, slot: usize): void {
  const T = load<i32>(job, A_T), S = load<i32>(job, A_S), D = load<i32>(job, A_D), Dv = load<i32>(job, A_DV);
  const Tp = up4(T), Sp = up8(S), Dp = up4(D), Dvp = up4(Dv);
  const scale = load<f32>(job, A_SCALE);
  const causal = load<i32>(job, A_CAUSAL) != 0;
  const offset = load<i32>(job, A_OFFSET);
  const maskStride = <usize>load<i32>(job, A_MASK_STRIDE);
  const mask = <usize>load<i32>(job, A_MASK);
  const qRow = <usize>Dp << 2, vRow = <usize>Dvp << 2, pRow = <usize>(Sp + ROW_PAD) << 2;
  const lB = <usize>load<i32>(job, A_LSE) + <usize>b * <usize>Tp * 4;
  const mB: usize = mask == 0 ? 0 : mask + <usize>b * (maskStride == 0 ? <usize>S : maskStride * <usize>T);
  const kt = slot; // Kᵀ [Dp, Sp]
  const p = kt + <usize>(Dp + Dvp) * pRow; // scores, then probabilities, of 4 query rows [4, Sp]
  const inv = p + 4 * pRow; // 1 / Σ_j p_ij of the 4 rows
  const qs = p + <usize>(2 * G) * pRow; // the 4 query rows [4, Dp], zero-padded
  const os = qs + 4 * qRow; // their output rows [4, Dvp]
  const qTable = <usize>load<i32>(job, A_Q), vTable = <usize>load<i32>(job, A_V), oTable = <usize>load<i32>(job, A_OUT);
  // V is read where it lies (P·V reads only rows below S); K only through its transpose.
  const vRows = Att.rowAt(vTable, b, 0), vStride = <usize>load<i32>(vTable);
  const scale4 = f32x4.splat(scale);
  transposeRows(kt, Sp + ROW_PAD, load<i32>(job, A_K), b, S, Sp, D, Dp);
  for (let r0 = 0; r0 < Tp; r0 += 4) {
    const real = min(4, T - r0);
    // Keys grow with the row under a causal mask, so the micro-tile's last real row sees the most.
    const e = keyEnd(r0 + real - 1, T, S, causal, offset);
    if (e == 0) {
      memory.fill(os, 0, 4 * vRow);
      v128.store(lB + (<usize>r0 << 2), v128.load32_splat(NEG_INF));
      copyOut(oTable, b, r0, real, Dv, os, Dvp);
      continue;
    }
    copyIn(qs, qTable, b, r0, real, 4, D, Dp);
    // Scale the 4 query rows once, so the score tiles come out scaled.
    for (let c = 0; c < 4 * Dp; c += 4) v128.store(qs + (<usize>c << 2), f32x4.mul(v128.load(qs + (<usize>c << 2)), scale4));
    const width = up8(e);
    for (let j = 0; j < width; j += 8) {
      tile4x8(p + (<usize>j << 2), pRow, qs, qRow, 4, kt + (<usize>j << 2), pRow, D, false);
    }
    for (let r = 0; r < 4; r++) {
      const i = r0 + r;
      const row = p + <usize>r * pRow;
      const mRow: usize = mB == 0 || i >= T ? 0 : mB + <usize>i * maskStride;
      const m = maskRow(row, width, keyEnd(i, T, S, causal, offset), mRow);
      // m = −∞: no key to attend, so p = 0 (e^(−∞ − 0)) and the output row 0, as flash-attention.
      const m4 = f32x4.splat(m == -Infinity ? 0 : m);
      let l4 = f32x4.splat(0);
      for (let j = 0; j < width; j += 4) {
        const at = row + (<usize>j << 2);
        const e4 = Lanes.exp(f32x4.sub(v128.load(at), m4));
        v128.store(at, e4);
        l4 = f32x4.add(l4, e4);
      }
      const l = hsum(l4);
      store<f32>(inv + (<usize>r << 2), l == 0 ? 0 : 1 / l);
      store<f32>(lB + (<usize>i << 2), l == 0 ? -Infinity : m + Mathf.log(l));
    }
    product4(os, vRow, p, pRow, 4, vRows, vStride, e, Dvp, false); // O = P·V over the keys the rows see
    for (let r = 0; r < real; r++) {
      const at = os + <usize>r * vRow;
      const s4 = v128.load32_splat(inv + (<usize>r << 2));
      for (let c = 0; c < Dvp; c += 4) v128.store(at + (<usize>c << 2), f32x4.mul(v128.load(at + (<usize>c << 2)), s4));
    }
    copyOut(oTable, b, r0, real, Dv, os, Dvp);
  }
}

function attentionBackwardBlock(job: usize, b: i32, slot: usize): void {
  const T = load<i32>(job, A_T), S = load<i32>(job, A_S), D = load<i32>(job, A_D), Dv = load<i32>(job, A_DV);
  const Tp = up4(T), Sp = up8(S), Dp = up4(D), Dvp = up4(Dv);
  const scale = load<f32>(job, A_SCALE);
  const causal = load<i32>(job, A_CAUSAL) != 0;
  const offset = load<i32>(job, A_OFFSET);
  const maskStride = <usize>load<i32>(job, A_MASK_STRIDE);
  const mask = <usize>load<i32>(job, A_MASK);
  const qRow = <usize>Dp << 2, vRow = <usize>Dvp << 2, pRow = <usize>(Sp + ROW_PAD) << 2;
  const lB = <usize>load<i32>(job, A_LSE) + <usize>b * <usize>Tp * 4;
  const mB: usize = mask == 0 ? 0 : mask + <usize>b * (maskStride == 0 ? <usize>S : maskStride * <usize>T);
  const kt = slot; // Kᵀ [Dp, Sp]
  const vt = kt + <usize>Dp * pRow; // Vᵀ [Dvp, Sp]
  const pT = vt + <usize>Dvp * pRow; // scores, then P, of G query rows [G, Sp]
  const dsT = pT + <usize>G * pRow; // dP, then dS [G, Sp]
  const qB = dsT + <usize>G * pRow;
  const gB = qB + <usize>Tp * qRow;
  const dqB = gB + <usize>Tp * vRow;
  const dkB = dqB + <usize>Tp * qRow;
  const dvB = dkB + <usize>Sp * qRow;
  // q and dOut are copied (their padding rows take part in the key-side products, as zeros); K is read
  // where it lies for dQ = dS·K (rows below S only) and through Kᵀ, V only through Vᵀ, O row by row.
  copyIn(qB, load<i32>(job, A_Q), b, 0, T, Tp, D, Dp);
  copyIn(gB, load<i32>(job, A_DOUT), b, 0, T, Tp, Dv, Dvp);
  const kTable = <usize>load<i32>(job, A_K), oTable = <usize>load<i32>(job, A_OUT);
  const kRows = Att.rowAt(kTable, b, 0), kStride = <usize>load<i32>(kTable);
  transposeRows(kt, Sp + ROW_PAD, kTable, b, S, Sp, D, Dp);
  transposeRows(vt, Sp + ROW_PAD, load<i32>(job, A_V), b, S, Sp, Dv, Dvp);
  memory.fill(dkB, 0, <usize>Sp * qRow);
  memory.fill(dvB, 0, <usize>Sp * vRow);
  const scale4 = f32x4.splat(scale);
  for (let g0 = 0; g0 < Tp; g0 += G) {
    const g1 = min(g0 + G, Tp);
    const eG = keyEnd(min(g1, T) - 1, T, S, causal, offset);
    for (let r0 = g0; r0 < g1; r0 += 4) {
      const dqi = dqB + <usize>r0 * qRow;
      const e = keyEnd(min(r0 + 3, T - 1), T, S, causal, offset);
      if (e == 0) {
        memory.fill(dqi, 0, 4 * qRow); // the rows attend to nothing: no gradient flows through them
        continue;
      }
      const width = up8(e);
      const pr = pT + <usize>(r0 - g0) * pRow, dsr = dsT + <usize>(r0 - g0) * pRow;
      for (let j = 0; j < width; j += 8) {
        const o = <usize>j << 2;
        tile4x8(pr + o, pRow, qB + <usize>r0 * qRow, qRow, 4, kt + o, pRow, D, false); // Q Kᵀ
        tile4x8(dsr + o, pRow, gB + <usize>r0 * vRow, vRow, 4, vt + o, pRow, Dv, false); // dO Vᵀ
      }
      for (let r = 0; r < 4; r++) {
        const i = r0 + r;
        const row = pr + <usize>r * pRow, dsRow = dsr + <usize>r * pRow;
        const mRow: usize = mB == 0 || i >= T ? 0 : mB + <usize>i * maskStride;
        const L = load<f32>(lB + (<usize>i << 2));
        // A row that attended to nothing (L = −∞) gets p = e^(s − ∞) = 0: no gradient through it.
        const L4 = f32x4.splat(L == -Infinity ? Infinity : L);
        // D_i = dO_i · O_i over the row's Dv values (0 for padding rows).
        let Dsum: f32 = 0;
        if (i < T) {
          const gi = gB + <usize>i * vRow, oi = Att.rowAt(oTable, b, i);
          let d4 = f32x4.splat(0);
          let c = 0;
          for (; c + 4 <= Dv; c += 4) d4 = Lanes.madd(v128.load(gi + (<usize>c << 2)), v128.load(oi + (<usize>c << 2)), d4);
          Dsum = hsum(d4);
          for (; c < Dv; c++) Dsum += load<f32>(gi + (<usize>c << 2)) * load<f32>(oi + (<usize>c << 2));
        }
        const Di = f32x4.splat(Dsum);
        // One pass: masked scaled scores → p = e^(s − L) → dS = scale·p·(dP − D_i).
        const end4 = i32x4.splat(keyEnd(i, T, S, causal, offset));
        let index = v128.load(KEY_LANES);
        for (let j = 0; j < width; j += 4) {
          const o = <usize>j << 2;
          const s4 = v128.bitselect(f32x4.mul(v128.load(row + o), scale4), v128.load32_splat(NEG_INF), Att.keepLanes(index, end4, mRow, j));
          const p4 = Lanes.exp(f32x4.sub(s4, L4));
          v128.store(row + o, p4);
          v128.store(dsRow + o, f32x4.mul(f32x4.mul(p4, f32x4.sub(v128.load(dsRow + o), Di)), scale4));
          index = i32x4.add(index, v128.load32_splat(KEY_STEP));
        }
      }
      product4(dqi, qRow, dsr, pRow, 4, kRows, kStride, e, Dp, false); // dQ = dS K
    }
    // dV += Pᵀ dO and dK += dSᵀ Q for every key the group sees, over the group's rows that see it.
    for (let j = 0; j < eG; j += 4) {
      const rStart = causal ? min(max(j - offset, g0), g1) : g0;
      const rows = g1 - rStart;
      if (rows <= 0) continue;
      const a = <usize>(rStart - g0) * pRow + (<usize>j << 2);
      product4(dvB + <usize>j * vRow, vRow, pT + a, 4, pRow, gB + <usize>rStart * vRow, vRow, rows, Dvp, true);
      product4(dkB + <usize>j * qRow, qRow, dsT + a, 4, pRow, qB + <usize>rStart * qRow, qRow, rows, Dp, true);
    }
  }
  // Tables of 0 mark gradients nobody asked for.
  const dqTable = <usize>load<i32>(job, A_DQ), dkTable = <usize>load<i32>(job, A_DK), dvTable = <usize>load<i32>(job, A_DVG);
  if (dqTable != 0) copyOut(dqTable, b, 0, T, D, dqB, Dp);
  if (dkTable != 0) copyOut(dkTable, b, 0, S, D, dkB, Dp);
  if (dvTable != 0) copyOut(dvTable, b, 0, S, Dv, dvB, Dvp);
}
