/**
 * float32 attention on the fused kernel (assembly/attention.ts): the forward computes each block's
 * softmax rows and O = P·V with register-blocked SIMD tiles, and the backward recomputes P from the saved
 * logsumexp, so memory stays O(T·D) per head instead of the [N, T, S] scores (flash-attention style,
 * Dao et al. 2022). Operands are read through per-block offsets and a row stride, and results written
 * the same way (row tables in kernel memory), so a permuted view (heads of a [B, T, H, D] tensor) goes in
 * and out with one memcpy of its span and no layout copy; the kernel pads what it needs in its own
 * per-thread slot. Row-blocks (N = B·H) are split across the pool. The
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
  return rowsOf(data, undefined, n, rows, cols);
}

const up4 = (x: number): number => (x + 3) & ~3;
const up8 = (x: number): number => (x + 7) & ~7;

/** Query rows per backward group and row padding of the score tiles in the kernel (assembly/attention.ts G, ROW_PAD). */
const GROUP_ROWS = 16;
const ROW_PAD = 16;

/** Bytes of one thread's work slot: the kernel's `slotBytes` (transposes, score tiles, padded block copies). */
function slotBytes(sz: AttentionSizes): number {
  const sr = up8(sz.s) + ROW_PAD, tp = up4(sz.t), sp = up8(sz.s), dp = up4(sz.d), dvp = up4(sz.dv);
  return ((dp + dvp) * sr + 2 * GROUP_ROWS * sr + 2 * tp * dp + tp * dvp + sp * dp + sp * dvp) * 4;
}

/**
 * How an [n, rows, cols] operand or result travels to and from kernel memory. When its rows lie in one
 * span of its array no more than twice their size (any permuted view of a dense tensor, a broadcast
 * one), the span is copied whole (one memcpy) and the kernel follows the rows' own offsets and stride;
 * otherwise the rows are packed contiguously. Results take the span only when their rows cover it
 * exactly, so copying it back writes nothing else.
 */
interface RowsPlan {
  op: AttentionOperand;
  n: number;
  rows: number;
  cols: number;
  /** First element of the span, or −1 when the rows are packed. */
  lo: number;
  /** Floats of kernel memory the rows take. */
  floats: number;
}

function planRows(op: AttentionOperand, n: number, rows: number, cols: number, result: boolean): RowsPlan {
  const need = n * rows * cols;
  let lo = Infinity, hi = -Infinity;
  const last = (rows - 1) * op.strideRow;
  for (let b = 0; b < n; b++) {
    const o = op.offsets[b] as number;
    lo = Math.min(lo, o, o + last);
    hi = Math.max(hi, o + cols, o + last + cols);
  }
  const span = hi - lo;
  const rowsApart = rows === 1 || op.strideRow >= cols;
  const whole = need > 0 && op.strideRow >= 0 && (result ? span === need && rowsApart : span <= 2 * need);
  return { op, n, rows, cols, lo: whole ? lo : -1, floats: whole ? span : need };
}

/** Writes the row table ([row stride in bytes, row-0 address per block]) of `plan` at i32 index `at`. */
function writeTable(i32: Int32Array, at: number, plan: RowsPlan, ptr: number): void {
  const { op, n, rows, cols, lo } = plan;
  i32[at] = (lo >= 0 ? op.strideRow : cols) * 4;
  for (let b = 0; b < n; b++) i32[at + 1 + b] = ptr + (lo >= 0 ? (op.offsets[b] as number) - lo : b * rows * cols) * 4;
}

/** Copies an operand's rows into kernel memory at byte offset `ptr` as `plan` says. */
function copyRowsIn(f32: Float32Array, ptr: number, plan: RowsPlan): void {
  const { op, n, rows, cols, lo } = plan;
  const data = op.data;
  const at = ptr >>> 2;
  if (lo >= 0) {
    f32.set(data.subarray(lo, lo + plan.floats), at);
    return;
  }
  const stride = op.strideRow;
  for (let b = 0; b < n; b++) {
    let src = op.offsets[b] as number;
    let dst = at + b * rows * cols;
    for (let r = 0; r < rows; r++, src += stride, dst += cols) f32.set(data.subarray(src, src + cols), dst);
  }
}

/** Copies a result's rows from kernel memory at byte offset `ptr` to its array, as `plan` says. */
function copyRowsOut(f32: Float32Array, ptr: number, plan: RowsPlan): void {
  const { op, n, rows, cols, lo } = plan;
  const data = op.data;
  const at = ptr >>> 2;
  if (lo >= 0) {
    data.set(f32.subarray(at, at + plan.floats), lo);
    return;
  }
  const stride = op.strideRow;
  for (let b = 0; b < n; b++) {
    let dst = op.offsets[b] as number;
    let src = at + b * rows * cols;
    for (let r = 0; r < rows; r++, src += cols, dst += stride) data.set(f32.subarray(src, src + cols), dst);
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

/** Table order in kernel memory; the job's pointer fields point at these tables. */
const TABLES = ["q", "k", "v", "out", "dOut", "dq", "dk", "dv"] as const;
type TableName = (typeof TABLES)[number];

/**
 * Lays out and fills kernel memory for one call: the job (with its threads' work slots after the
 * descriptor), the mask, lse [N, Tp], the row tables, and each operand's or result's rows; copies the
 * operands in, writes the job, runs it, and copies the results out (lse too, via `readLse`).
 */
function runAttention(
  ctx: KernelContext, kind: number, sz: AttentionSizes, mask: AttentionMask | null,
  inputs: Partial<Record<TableName, RowsPlan>>, results: Partial<Record<TableName, RowsPlan>>,
  lse: Float64Array, lseIn: boolean, work: number,
): void {
  const mem = ctx.memory;
  const { n: N, t: T, s: S } = sz;
  const Tp = up4(T);
  const rows = maskRows(mask, sz);
  const slots = Math.max(1, Math.min(N, ctx.pool ? ctx.pool.size : 1));
  const plans = TABLES.map((name) => inputs[name] ?? results[name] ?? null);
  const [job = 0, mp = 0, lp = 0, tp = 0, ...ptrs] = mem.allocate([
    mem.kernels.JOB_BYTES.value + slots * slotBytes(sz),
    // The kernel reads mask rows in 8-byte steps, up to 11 bytes past the last one.
    mask ? N * rows * S + 16 : 0,
    N * Tp * 4,
    TABLES.length * (N + 1) * 4,
    // 16 bytes of slack after each: the kernel reads rows in 4-float steps, past a row's end when
    // its length is not a multiple of 4.
    ...plans.map((p) => (p ? p.floats * 4 + 16 : 0)),
  ]);
  const f32 = mem.f32;
  const i32 = new Int32Array(f32.buffer);
  const tablePtr = (i: number): number => (plans[i] ? tp + i * (N + 1) * 4 : 0);
  plans.forEach((p, i) => {
    if (!p) return;
    writeTable(i32, (tp >>> 2) + i * (N + 1), p, ptrs[i] ?? 0);
    if (inputs[TABLES[i] as TableName]) copyRowsIn(f32, ptrs[i] ?? 0, p);
  });
  if (mask) gatherMask(f32.buffer, mp, mask, sz);
  const l = lp >>> 2;
  if (lseIn) {
    // Padding rows get L = −∞, which the kernel reads as "attends to nothing".
    for (let b = 0; b < N; b++) for (let i = 0; i < Tp; i++) f32[l + b * Tp + i] = i < T ? (lse[b * T + i] as number) : -Infinity;
  }
  mem.kernels.setAttentionJob(
    job, kind, N, T, S, sz.d, sz.dv, sz.scale, sz.causalOffset === null ? 0 : 1, sz.causalOffset ?? 0,
    mask ? (rows === 1 ? 0 : S) : 0, tablePtr(0), tablePtr(1), tablePtr(2), mask ? mp : 0, tablePtr(3), lp,
    tablePtr(4), tablePtr(5), tablePtr(6), tablePtr(7),
  );
  runJob(ctx, job, work);
  plans.forEach((p, i) => {
    if (p && results[TABLES[i] as TableName]) copyRowsOut(f32, ptrs[i] ?? 0, p);
  });
  if (!lseIn) for (let b = 0; b < N; b++) for (let i = 0; i < T; i++) lse[b * T + i] = f32[l + b * Tp + i] as number;
}

/** Work of a call in flop-equivalents, for the pool's threshold: dot products plus one exp per score. */
function attentionWork(sz: AttentionSizes, passes: number): number {
  const scores = sz.n * sz.t * sz.s / (sz.causalOffset === null ? 1 : 2);
  return scores * (passes * (sz.d + sz.dv) + ROW_ELEMENT_WORK);
}

/**
 * out: the [N, T, Dv] output rows (any row layout, e.g. a permuted view's); lse: [N, T] (computed in
 * float32; −∞ for a row with no key to attend).
 */
export function attentionForwardF32(
  ctx: KernelContext, out: AttentionOperand, lse: Float64Array,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): void {
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  runAttention(
    ctx, ctx.memory.kernels.KIND_ATTENTION_FORWARD.value, sz, mask,
    { q: planRows(q, N, T, D, false), k: planRows(k, N, S, D, false), v: planRows(v, N, S, Dv, false) },
    { out: planRows(out, N, T, Dv, true) }, lse, false, attentionWork(sz, 2),
  );
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
  const results: Partial<Record<TableName, RowsPlan>> = {};
  if (dq) results.dq = planRows(dq, N, T, D, true);
  if (dk) results.dk = planRows(dk, N, S, D, true);
  if (dv) results.dv = planRows(dv, N, S, Dv, true);
  runAttention(
    ctx, ctx.memory.kernels.KIND_ATTENTION_BACKWARD.value, sz, mask,
    {
      q: planRows(q, N, T, D, false), k: planRows(k, N, S, D, false), v: planRows(v, N, S, Dv, false),
      out: planRows(out, N, T, Dv, false), dOut: planRows(dOut, N, T, Dv, false),
    },
    results, lse, true, attentionWork(sz, 5),
  );
}

/** `layout`, or the rows of a contiguous [n, rows, cols] array where it is absent. */
export function rowLayoutOf(layout: AttentionRowLayout | undefined, n: number, rows: number, cols: number): AttentionRowLayout {
  return layout ?? { offsets: Int32Array.from({ length: n }, (_, b) => b * rows * cols), strideRow: cols };
}

/** The rows of `data` under `layout` as an operand (contiguous [n, rows, cols] when absent). */
export function rowsOf(data: FloatArray, layout: AttentionRowLayout | undefined, n: number, rows: number, cols: number): AttentionOperand {
  const { offsets, strideRow } = rowLayoutOf(layout, n, rows, cols);
  return { data, offsets, strideRow };
}

/** Whether the n blocks' rows are one contiguous run of n·rows·cols elements. */
function isDense(op: AttentionOperand, n: number, rows: number, cols: number): boolean {
  if (op.strideRow !== cols && rows > 1) return false;
  const first = op.offsets[0] ?? 0;
  for (let b = 1; b < n; b++) if (op.offsets[b] !== first + b * rows * cols) return false;
  return true;
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
