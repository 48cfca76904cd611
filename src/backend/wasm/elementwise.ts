/**
 * float32 elementwise kernels and sums on the kernel module (assembly/elementwise.ts): stage the
 * operands in kernel memory, run the SIMD loop, copy the result out. Formulas and op codes are those of
 * the reference loops (../reference/elementwise.ts, unary.ts), which these are tested against.
 *
 * Staging costs three copies (~8 GB/s) against JavaScript loops at ~200 M elements/s, so below a few
 * thousand elements the copies and the call cost more than they save and the caller (index.ts) keeps the
 * reference loop: see the *_MIN_ELEMENTS thresholds. Unary kernels (the exp-based ones are ~10–40
 * instructions per four lanes) run as row jobs split across the pool; the rest are bound by the copies
 * and stay on the calling thread.
 */
import { BinaryOp, type BinaryOpCode } from "../reference/elementwise.js";
import { UnaryOp, type UnaryOpCode } from "../reference/unary.js";
import { ROW_ELEMENT_WORK, runJob, type KernelContext } from "./context.js";
import type { KernelMemory } from "./memory.js";

/**
 * Smallest arrays sent to the kernels. Measured on one thread (Node 20, Zen 4; µs for JavaScript loop
 * vs kernel with its copies): add 0.3 vs 0.5 at 256 elements, 4.3 vs 1.0 at 1K, 17.7 vs 2.9 at 4K;
 * relu backward 2.1 vs 3.1 at 1K, 13.9 vs 4.4 at 4K; tanh 6.7 vs 1.8 already at 256; sum 1.1 vs 0.4 at
 * 1K. Cheap ops break even later than the exp-based ones, whose loops call Math.exp/Math.tanh per element.
 */
export const BINARY_MIN_ELEMENTS = 1024;
export const CHEAP_UNARY_MIN_ELEMENTS = 2048;
export const TRANSCENDENTAL_MIN_ELEMENTS = 128;
export const SUM_MIN_ELEMENTS = 1024;

/** Binary ops with a kernel. */
const BINARY_KERNELS = new Set<BinaryOpCode>([BinaryOp.add, BinaryOp.sub, BinaryOp.mul, BinaryOp.div]);

/** Unary ops with a forward kernel, and whether each is exp/division-heavy (see the thresholds). */
const UNARY_KERNELS = new Map<UnaryOpCode, boolean>([
  [UnaryOp.exp, true], [UnaryOp.sqrt, true], [UnaryOp.rsqrt, true], [UnaryOp.tanh, true], [UnaryOp.sigmoid, true],
  [UnaryOp.reciprocal, true], [UnaryOp.silu, true],
  [UnaryOp.abs, false], [UnaryOp.relu, false], [UnaryOp.square, false], [UnaryOp.neg, false],
]);

// `minElements` overrides the thresholds above (WasmBackendOptions.elementwiseMinElements).

export function hasBinaryKernel(op: BinaryOpCode, n: number, minElements?: number): boolean {
  return n >= (minElements ?? BINARY_MIN_ELEMENTS) && BINARY_KERNELS.has(op);
}

export function hasUnaryKernel(op: UnaryOpCode, n: number, minElements?: number): boolean {
  const heavy = UNARY_KERNELS.get(op);
  return heavy !== undefined && n >= (minElements ?? (heavy ? TRANSCENDENTAL_MIN_ELEMENTS : CHEAP_UNARY_MIN_ELEMENTS));
}

/** Every forward kernel but abs has a backward one (abs's sign derivative stays on the reference loop). */
export function hasUnaryBackwardKernel(op: UnaryOpCode, n: number, minElements?: number): boolean {
  return op !== UnaryOp.abs && hasUnaryKernel(op, n, minElements);
}

export function hasSumKernel(n: number, minElements?: number): boolean {
  return n >= (minElements ?? SUM_MIN_ELEMENTS);
}

/** out[i] = a[i] op b[i] for i < out.length. */
export function binaryF32(mem: KernelMemory, op: BinaryOpCode, out: Float32Array, a: Float32Array, b: Float32Array): void {
  const n = out.length;
  const [o = 0, ap = 0, bp = 0] = mem.stage([n, a.subarray(0, n), b.subarray(0, n)]);
  mem.kernels.binaryF32(op, o, ap, bp, n);
  mem.read(o, out, n);
}

/** out[i] = a[i] op y. */
export function binaryScalarF32(mem: KernelMemory, op: BinaryOpCode, out: Float32Array, a: Float32Array, y: number): void {
  const n = out.length;
  const [o = 0, ap = 0] = mem.stage([n, a.subarray(0, n)]);
  mem.kernels.binaryScalarF32(op, o, ap, y, n);
  mem.read(o, out, n);
}

/** out[r, j] = full[r, j] op block[j] (block[j] op full[r, j] when swapped), cols = block.length. */
export function binaryRowsF32(
  mem: KernelMemory, op: BinaryOpCode, out: Float32Array, full: Float32Array, block: Float32Array, swapped: boolean,
): void {
  const n = out.length;
  const cols = block.length;
  const [o = 0, fp = 0, bp = 0] = mem.stage([n, full.subarray(0, n), block]);
  mem.kernels.binaryRowsF32(op, o, fp, bp, n / cols, cols, swapped ? 1 : 0);
  mem.read(o, out, n);
}

/** out[i] = op(x[i]); a row job over n rows of one element, so the pool splits large arrays. */
export function unaryF32(ctx: KernelContext, op: UnaryOpCode, out: Float32Array, x: Float32Array): void {
  const mem = ctx.memory;
  const n = out.length;
  const [job = 0, o = 0, xp = 0] = mem.stage([jobFloats(mem), n, x.subarray(0, n)]);
  runElementJob(ctx, job, mem.kernels.KIND_UNARY.value, op, n, [o, xp]);
  mem.read(o, out, n);
}

/** gx[i] = g[i]·op'(x[i]) given y = op(x). */
export function unaryBackwardF32(
  ctx: KernelContext, op: UnaryOpCode, gx: Float32Array, g: Float32Array, x: Float32Array, y: Float32Array,
): void {
  const mem = ctx.memory;
  const n = gx.length;
  const [job = 0, o = 0, gp = 0, xp = 0, yp = 0] = mem.stage([jobFloats(mem), n, g.subarray(0, n), x.subarray(0, n), y.subarray(0, n)]);
  runElementJob(ctx, job, mem.kernels.KIND_UNARY_BACKWARD.value, op, n, [o, gp, xp, yp]);
  mem.read(o, gx, n);
}

/** Σ x (float64 accumulation). */
export function sumF32(mem: KernelMemory, x: Float32Array): number {
  const [xp = 0] = mem.stage([x]);
  return mem.kernels.sumF32(xp, x.length);
}

/** out[r] = Σ_j x[r·cols + j]. */
export function sumRowsF32(mem: KernelMemory, out: Float32Array, x: Float32Array, rows: number, cols: number): void {
  const [o = 0, xp = 0] = mem.stage([rows, x.subarray(0, rows * cols)]);
  mem.kernels.sumRowsF32(o, xp, rows, cols);
  mem.read(o, out, rows);
}

/** out[j] = Σ_r x[r·cols + j]. */
export function sumColumnsF32(mem: KernelMemory, out: Float32Array, x: Float32Array, rows: number, cols: number): void {
  const [o = 0, xp = 0] = mem.stage([cols, x.subarray(0, rows * cols)]);
  mem.kernels.sumColumnsF32(o, xp, rows, cols);
  mem.read(o, out, cols);
}

function jobFloats(mem: KernelMemory): number {
  return mem.kernels.JOB_BYTES.value / 4;
}

/**
 * A row job over n "rows" of one element (assembly/job.ts), claimed in units of ~n/(8·threads) elements
 * (at most 16K, a multiple of 4 so every unit but the last runs whole vectors).
 */
function runElementJob(ctx: KernelContext, job: number, kind: number, op: number, n: number, p: number[]): void {
  const threads = ctx.pool?.size ?? 1;
  const chunk = Math.max(4, Math.min(16384, Math.ceil(n / (8 * threads) / 4) * 4));
  ctx.memory.kernels.setRowJob(job, kind, n, 1, chunk, 0, op, p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0, 0, 0, 0);
  runJob(ctx, job, n * ROW_ELEMENT_WORK);
}
