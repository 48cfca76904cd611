/**
 * float32 attention on the fused kernel (assembly/attention.ts): online-softmax forward and a backward
 * that recomputes P from the saved logsumexp, so memory stays O(T·D) per head instead of the [N, T, S]
 * scores (flash-attention style, Dao et al. 2022). The operands, read through the reference kernel's
 * per-block offsets and row strides, are gathered contiguously into kernel memory; row-blocks (N = B·H)
 * are split across the pool. The function is the reference kernel's (../reference/attention.ts) for the
 * cases `fusedAttentionSupported` accepts.
 */
import type { FloatArray } from "../backend.js";
import type { AttentionMask, AttentionOperand, AttentionSizes } from "../reference/attention.js";
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

/** Copies a [N, rows, cols] operand into kernel memory at byte offset `ptr`, contiguous. */
function gatherInto(f32: Float32Array, ptr: number, op: AttentionOperand, n: number, rows: number, cols: number): void {
  const data = op.data;
  let dst = ptr >>> 2;
  for (let b = 0; b < n; b++) {
    const base = op.offsets[b] as number;
    if (op.strideRow === cols) {
      f32.set(data.subarray(base, base + rows * cols), dst);
      dst += rows * cols;
    } else {
      for (let r = 0; r < rows; r++, dst += cols) f32.set(data.subarray(base + r * op.strideRow, base + r * op.strideRow + cols), dst);
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

/** Allocates the job, q, k, v, mask and `extra` blocks (bytes); copies q, k, v and the mask in. */
function stageOperands(
  ctx: KernelContext, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null,
  sz: AttentionSizes, extra: readonly number[],
): { staged: StagedOperands; extra: number[] } {
  const mem = ctx.memory;
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  const rows = maskRows(mask, sz);
  const [job = 0, qp = 0, kp = 0, vp = 0, mp = 0, ...rest] = mem.allocate([
    mem.kernels.JOB_BYTES.value, N * T * D * 4, N * S * D * 4, N * S * Dv * 4, N * rows * S, ...extra,
  ]);
  const f32 = mem.f32;
  gatherInto(f32, qp, q, N, T, D);
  gatherInto(f32, kp, k, N, S, D);
  gatherInto(f32, vp, v, N, S, Dv);
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

/** out: [N, T, Dv]; lse: [N, T] (computed in float32; −∞ for a row with no key to attend). */
export function attentionForwardF32(
  ctx: KernelContext, out: Float32Array, lse: Float64Array,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): void {
  const { n: N, t: T, dv: Dv } = sz;
  const mem = ctx.memory;
  const { staged, extra: [op = 0, lp = 0] } = stageOperands(ctx, q, k, v, mask, sz, [N * T * Dv * 4, N * T * 4]);
  setJob(ctx, mem.kernels.KIND_ATTENTION_FORWARD.value, staged, sz, op, lp, 0, 0, 0, 0);
  runJob(ctx, staged.job, attentionWork(sz, 2));
  mem.read(op, out, N * T * Dv);
  mem.read(lp, lse, N * T);
}

/** Gradients of attentionForwardF32 (each output overwritten; null when not wanted). */
export function attentionBackwardF32(
  ctx: KernelContext, dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null,
  dOut: Float32Array, out: Float32Array, lse: Float64Array,
  q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
): void {
  const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
  const mem = ctx.memory;
  const rowsOut = N * T * Dv;
  const { staged, extra: [op = 0, lp = 0, gp = 0, dqp = 0, dkp = 0, dvp = 0] } = stageOperands(
    ctx, q, k, v, mask, sz, [rowsOut * 4, N * T * 4, rowsOut * 4, N * T * D * 4, N * S * D * 4, N * S * Dv * 4],
  );
  const f32 = mem.f32;
  f32.set(out.subarray(0, rowsOut), op >>> 2);
  f32.set(lse.subarray(0, N * T), lp >>> 2);
  f32.set(dOut.subarray(0, rowsOut), gp >>> 2);
  setJob(ctx, mem.kernels.KIND_ATTENTION_BACKWARD.value, staged, sz, op, lp, gp, dqp, dkp, dvp);
  runJob(ctx, staged.job, attentionWork(sz, 5));
  if (dq) mem.read(dqp, dq, N * T * D);
  if (dk) mem.read(dkp, dk, N * S * D);
  if (dv) mem.read(dvp, dv, N * S * Dv);
}
