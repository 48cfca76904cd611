/**
 * float32 attention on the fused kernel (assembly/attention.ts): the forward computes each block's
 * softmax rows and O = P·V with register-blocked SIMD tiles, and the backward recomputes P from the saved
 * logsumexp, so memory stays O(T·D) per head instead of the [N, T, S] scores (flash-attention style,
 * Dao et al. 2022). Operands are read through per-block offsets and a row stride, and results written
 * the same way, so a permuted view (heads of a [B, T, H, D] tensor) goes in and out of kernel memory
 * without a separate layout copy; in kernel memory every block is contiguous and zero-padded (rows to
 * 4 or 8, columns to 4, see the kernel's header). Row-blocks (N = B·H) are split across the pool. The
 * function is the reference kernel's (../reference/attention.ts) for the cases
 * `fusedAttentionSupported` accepts.
 */
import type { FloatArray } from "../backend.js";
import type {
  AttentionLayouts, AttentionMask, AttentionOperand, AttentionRowLayout, AttentionSizes,
} from "../reference/attention.js";
import { ROW_ELEMENT_WORK, runJob, type KernelContext } from "./context.js";

/**
 * Whether the fused kernel computes this call: float32 operands, no dropout, no ALiBi, no attention
 * weights wanted, and no mask or a boolean one (additive masks and the others take the general path).
 */
export function fusedAttentionSupported(
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
  weights: FloatArray | null,
): boolean {
  return weights === null && sz.dropout === 0 && sz.alibi === null &&
    q.data instanceof Float32Array && k.data instanceof Float32Array && v.data instanceof Float32Array &&
    (mask === null || !mask.additive);
}

/** Rows of a contiguous [n, rows, cols] array, as an operand. */
export function contiguousRows(data: FloatArray, n: number, rows: number, cols: number): AttentionOperand {
  return { data, offsets: Int32Array.from({ length: n }, (_, b) => b * rows * cols), strideRow: cols };
}

const up4 = (x: number): number => (x + 3) & ~3;
const up8 = (x: number): number => (x + 7) & ~7;

/** Query rows per backward group in the kernel (assembly/attention.ts `G`). */
const GROUP_ROWS = 16;

/** Bytes of one thread's work slot: the kernel's `slotBytes`, Kᵀ and Vᵀ plus two G × Sp score tiles, rows padded by 16 floats. */
function slotBytes(sz: AttentionSizes): number {
  const sp = up8(sz.s) + 16;
  return ((up4(sz.d) + up4(sz.dv)) * sp + 2 * GROUP_ROWS * sp) * 4;
}

/** Whether the n blocks' rows are one contiguous run of n·rows·cols elements. */
function isDense(op: AttentionOperand, n: number, rows: number, cols: number): boolean {
  if (op.strideRow !== cols && rows > 1) return false;
  const first = op.offsets[0] ?? 0;
  for (let b = 1; b < n; b++) if (op.offsets[b] !== first + b * rows * cols) return false;
  return true;
}

/**
 * Copies an [n, rows, cols] operand into kernel memory at byte offset `ptr` as [n, rowsP, colsP],
 * zero in the padding.
 */
function stageRows(f32: Float32Array, ptr: number, op: AttentionOperand, n: number, rows: number, cols: number, rowsP: number, colsP: number): void {
  const at = ptr >>> 2;
  const data = op.data;
  if (rowsP === rows && colsP === cols && isDense(op, n, rows, cols)) {
    const first = op.offsets[0] ?? 0;
    f32.set(data.subarray(first, first + n * rows * cols), at);
    return;
  }
  if (rowsP !== rows || colsP !== cols) f32.fill(0, at, at + n * rowsP * colsP);
  const stride = op.strideRow;
  for (let b = 0; b < n; b++) {
    let src = op.offsets[b] as number;
    let dst = at + b * rowsP * colsP;
    for (let r = 0; r < rows; r++, src += stride, dst += colsP) {
      for (let c = 0; c < cols; c++) f32[dst + c] = data[src + c] as number;
    }
  }
}

/** Copies [n, rowsP, colsP] rows at byte offset `ptr` out to the [n, rows, cols] rows of `into`. */
function unstageRows(f32: Float32Array, ptr: number, into: AttentionOperand, n: number, rows: number, cols: number, rowsP: number, colsP: number): void {
  const at = ptr >>> 2;
  const data = into.data;
  if (rowsP === rows && colsP === cols && isDense(into, n, rows, cols)) {
    data.set(f32.subarray(at, at + n * rows * cols), into.offsets[0] ?? 0);
    return;
  }
  const stride = into.strideRow;
  for (let b = 0; b < n; b++) {
    let dst = into.offsets[b] as number;
    let src = at + b * rowsP * colsP;
    for (let r = 0; r < rows; r++, src += colsP, dst += stride) {
      for (let c = 0; c < cols; c++) data[dst + c] = f32[src + c] as number;
    }
  }
}

/** Mask rows per block: one when the mask is the same for every query (a key-padding mask), else T. */
function maskRows(mask: AttentionMask | null, sz: AttentionSizes): number {
  return mask === null ? 0 : mask.strideT === 0 ? 1 : sz.t;
}

/** Writes the boolean mask as bytes (1 = attend) [N, maskRows, S] at byte offset `ptr`. */
function gatherMask(buffer: ArrayBufferLike, ptr: number, mask: AttentionMask, sz: AttentionSizes): void {
  const rows = maskRows(mask, sz);
  const bytes = new Uint8Array(buffer, ptr, sz.n * rows * sz.s);
  const data = mask.data;
  let at = 0;
  for (let b = 0; b < sz.n; b++) {
    const base = mask.offsets[b] as number;
    for (let i = 0; i < rows; i++) {
      const row = base + i * mask.strideT;
      for (let j = 0; j < sz.s; j++) bytes[at++] = data[row + j * mask.strideS] === 0 ? 0 : 1;
    }
  }
}

interface StagedOperands {
  job: number;
  q: number;
  k: number;
  v: number;
  mask: number;
  maskStride: number;
}

/**
 * Allocates the job (with its threads' work slots after the descriptor), q, k, v, mask and `extra`
 * blocks (bytes); copies q, k, v and the mask in.
 */
function stageOperands(
  ctx: KernelContext, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null,
  sz: AttentionSizes, extra: readonly number[],
): { staged: StagedOperands; extra: number[] } {
  const mem = ctx.memory;
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  const Tp = up4(T), Sp = up8(S), Dp = up4(D), Dvp = up4(Dv);
  const rows = maskRows(mask, sz);
  const slots = Math.max(1, Math.min(N, ctx.pool ? ctx.pool.size : 1));
  const [job = 0, qp = 0, kp = 0, vp = 0, mp = 0, ...rest] = mem.allocate([
    // The kernel reads mask rows in 8-byte steps, up to 11 bytes past the last one.
    mem.kernels.JOB_BYTES.value + slots * slotBytes(sz), N * Tp * Dp * 4, N * Sp * Dp * 4, N * Sp * Dvp * 4, mask ? N * rows * S + 16 : 0, ...extra,
  ]);
  const f32 = mem.f32;
  stageRows(f32, qp, q, N, T, D, Tp, Dp);
  stageRows(f32, kp, k, N, S, D, Sp, Dp);
  stageRows(f32, vp, v, N, S, Dv, Sp, Dvp);
  if (mask) gatherMask(f32.buffer, mp, mask, sz);
  return {
    staged: { job, q: qp, k: kp, v: vp, mask: mask ? mp : 0, maskStride: rows === 1 ? 0 : S },
    extra: rest,
  };
}

/** Work of a call in flop-equivalents, for the pool's threshold: dot products plus one exp per score. */
function attentionWork(sz: AttentionSizes, passes: number): number {
  const scores = sz.n * sz.t * sz.s / (sz.causalOffset === null ? 1 : 2);
  return scores * (passes * (sz.d + sz.dv) + ROW_ELEMENT_WORK);
}

function setJob(
  ctx: KernelContext, kind: number, st: StagedOperands, sz: AttentionSizes,
  out: number, lse: number, dOut: number, dq: number, dk: number, dv: number,
): void {
  ctx.memory.kernels.setAttentionJob(
    st.job, kind, sz.n, sz.t, sz.s, sz.d, sz.dv, sz.scale, sz.causalOffset === null ? 0 : 1, sz.causalOffset ?? 0,
    st.maskStride, st.q, st.k, st.v, st.mask, out, lse, dOut, dq, dk, dv,
  );
}

/**
 * out: the [N, T, Dv] output rows (any row layout, e.g. a permuted view's); lse: [N, T] (computed in
 * float32; −∞ for a row with no key to attend).
 */
export function attentionForwardF32(
  ctx: KernelContext, out: AttentionOperand, lse: Float64Array,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): void {
  const { n: N, t: T, dv: Dv } = sz;
  const Tp = up4(T), Dvp = up4(Dv);
  const mem = ctx.memory;
  const { staged, extra: [op = 0, lp = 0] } = stageOperands(ctx, q, k, v, mask, sz, [N * Tp * Dvp * 4, N * Tp * 4]);
  setJob(ctx, mem.kernels.KIND_ATTENTION_FORWARD.value, staged, sz, op, lp, 0, 0, 0, 0);
  runJob(ctx, staged.job, attentionWork(sz, 2));
  const f32 = mem.f32;
  unstageRows(f32, op, out, N, T, Dv, Tp, Dvp);
  const l = lp >>> 2;
  for (let b = 0; b < N; b++) for (let i = 0; i < T; i++) lse[b * T + i] = f32[l + b * Tp + i] as number;
}

/**
 * Gradients of attentionForwardF32, each written (not accumulated) through its own row layout; null
 * when not wanted. dOut and out are read through theirs.
 */
export function attentionBackwardF32(
  ctx: KernelContext, dq: AttentionOperand | null, dk: AttentionOperand | null, dv: AttentionOperand | null,
  dOut: AttentionOperand, out: AttentionOperand, lse: Float64Array,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): void {
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  const Tp = up4(T), Sp = up8(S), Dp = up4(D), Dvp = up4(Dv);
  const mem = ctx.memory;
  const rowsOut = N * Tp * Dvp;
  const { staged, extra: [op = 0, lp = 0, gp = 0, dqp = 0, dkp = 0, dvp = 0] } = stageOperands(
    ctx, q, k, v, mask, sz, [rowsOut * 4, N * Tp * 4, rowsOut * 4, N * Tp * Dp * 4, N * Sp * Dp * 4, N * Sp * Dvp * 4],
  );
  const f32 = mem.f32;
  stageRows(f32, op, out, N, T, Dv, Tp, Dvp);
  stageRows(f32, gp, dOut, N, T, Dv, Tp, Dvp);
  // Padding rows get L = −∞, which the kernel reads as "attends to nothing".
  const l = lp >>> 2;
  for (let b = 0; b < N; b++) {
    for (let i = 0; i < Tp; i++) f32[l + b * Tp + i] = i < T ? (lse[b * T + i] as number) : -Infinity;
  }
  setJob(ctx, mem.kernels.KIND_ATTENTION_BACKWARD.value, staged, sz, op, lp, gp, dqp, dkp, dvp);
  runJob(ctx, staged.job, attentionWork(sz, 5));
  if (dq) unstageRows(f32, dqp, dq, N, T, D, Tp, Dp);
  if (dk) unstageRows(f32, dkp, dk, N, S, D, Sp, Dp);
  if (dv) unstageRows(f32, dvp, dv, N, S, Dv, Sp, Dvp);
}

/** The rows of `data` under `layout` as an operand (contiguous [n, rows, cols] when absent). */
export function rowsOf(data: FloatArray, layout: AttentionRowLayout | undefined, n: number, rows: number, cols: number): AttentionOperand {
  return layout ? { data, offsets: layout.offsets, strideRow: layout.strideRow } : contiguousRows(data, n, rows, cols);
}

/** A contiguous [n, rows, cols] copy of `op` (the array itself when it already is). */
function contiguousCopy(op: AttentionOperand, n: number, rows: number, cols: number): FloatArray {
  if (isDense(op, n, rows, cols) && (op.offsets[0] ?? 0) === 0 && op.data.length === n * rows * cols) return op.data;
  const out = op.data instanceof Float32Array ? new Float32Array(n * rows * cols) : new Float64Array(n * rows * cols);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < rows; r++) {
      const src = (op.offsets[b] as number) + r * op.strideRow;
      const dst = (b * rows + r) * cols;
      for (let c = 0; c < cols; c++) out[dst + c] = op.data[src + c] as number;
    }
  }
  return out;
}

/** Copies contiguous [n, rows, cols] `src` into the rows of `into`. */
function copyRows(into: AttentionOperand, src: FloatArray, n: number, rows: number, cols: number): void {
  if (into.data === src) return;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < rows; r++) {
      const dst = (into.offsets[b] as number) + r * into.strideRow;
      const at = (b * rows + r) * cols;
      for (let c = 0; c < cols; c++) into.data[dst + c] = src[at + c] as number;
    }
  }
}

/**
 * Runs an attention forward that only writes contiguous output (the GEMM formulation) for a call whose
 * output has a row layout: into a contiguous array, then copied to the layout.
 */
export function forwardViaContiguous(
  out: FloatArray, layouts: AttentionLayouts, sz: AttentionSizes, run: (out: FloatArray) => void,
): void {
  if (!layouts.out) {
    run(out);
    return;
  }
  const flat = out instanceof Float32Array ? new Float32Array(sz.n * sz.t * sz.dv) : new Float64Array(sz.n * sz.t * sz.dv);
  run(flat);
  copyRows(rowsOf(out, layouts.out, sz.n, sz.t, sz.dv), flat, sz.n, sz.t, sz.dv);
}

/** The backward twin of forwardViaContiguous: dOut and out gathered, dq, dk, dv scattered. */
export function backwardViaContiguous(
  dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null, dOut: FloatArray, out: FloatArray,
  layouts: AttentionLayouts, sz: AttentionSizes,
  run: (dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null, dOut: FloatArray, out: FloatArray) => void,
): void {
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  const flatOf = (a: FloatArray | null, layout: AttentionRowLayout | undefined, rows: number, cols: number): FloatArray | null =>
    a === null || !layout ? a : a instanceof Float32Array ? new Float32Array(N * rows * cols) : new Float64Array(N * rows * cols);
  const [fq, fk, fv] = [flatOf(dq, layouts.dq, T, D), flatOf(dk, layouts.dk, S, D), flatOf(dv, layouts.dv, S, Dv)];
  run(fq, fk, fv, contiguousCopy(rowsOf(dOut, layouts.dOut, N, T, Dv), N, T, Dv), contiguousCopy(rowsOf(out, layouts.out, N, T, Dv), N, T, Dv));
  if (dq && fq) copyRows(rowsOf(dq, layouts.dq, N, T, D), fq, N, T, D);
  if (dk && fk) copyRows(rowsOf(dk, layouts.dk, N, S, D), fk, N, S, D);
  if (dv && fv) copyRows(rowsOf(dv, layouts.dv, N, S, Dv), fv, N, S, Dv);
}
