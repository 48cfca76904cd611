/**
 * float32 row kernels on the kernel module (LayerNorm, softmax, fused softmax cross-entropy, GELU, AdamW):
 * stage the operands in kernel memory, run the SIMD kernel, copy the results out. Softmax, cross-entropy
 * and GELU (exp-heavy, no cross-row reductions) run as row jobs split across the pool; LayerNorm (its
 * backward sums over rows) and AdamW (bound by the copies) run on the calling thread. The formulas are
 * those of the reference kernels in ../reference/, which these are tested against.
 */
import type { AdamWHyperparameters, CrossEntropyRows, GeluApproximation } from "../backend.js";
import { IndexError } from "../../errors.js";
import { ROW_ELEMENT_WORK, runJob, type KernelContext } from "./context.js";
import type { KernelMemory } from "./memory.js";

/**
 * Rows per unit of a row job: about 8 units per thread, so a slow thread delays the job by little, and
 * at most ~16K elements per unit (claiming one is a single atomic add, so small units cost nothing).
 */
function chunkRows(ctx: KernelContext, rows: number, cols: number): number {
  const threads = ctx.pool?.size ?? 1;
  return Math.max(1, Math.min(Math.ceil(rows / (8 * threads)), Math.ceil(16384 / Math.max(cols, 1))));
}

/** Writes and runs a row job over [rows, cols] with the kernel's arrays p (in its parameter order). */
function runRows(
  ctx: KernelContext, job: number, kind: { value: number }, rows: number, cols: number, flag: boolean, int: number, p: number[],
): void {
  ctx.memory.kernels.setRowJob(
    job, kind.value, rows, cols, chunkRows(ctx, rows, cols), flag ? 1 : 0, int,
    p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0, p[4] ?? 0, p[5] ?? 0, p[6] ?? 0,
  );
  runJob(ctx, job, rows * cols * ROW_ELEMENT_WORK);
}

/** float32 elements of one job descriptor, for `stage`. */
function jobFloats(mem: KernelMemory): number {
  return mem.kernels.JOB_BYTES.value / 4;
}

export function layerNormForwardF32(
  mem: KernelMemory, out: Float32Array, mean: Float32Array, rstd: Float32Array, x: Float32Array,
  w: Float32Array | null, b: Float32Array | null, rows: number, cols: number, eps: number,
): void {
  const size = rows * cols;
  const [o = 0, mu = 0, rs = 0, xp = 0, wp = 0, bp = 0] = mem.stage([size, rows, rows, x.subarray(0, size), w && w.subarray(0, cols), b && b.subarray(0, cols)]);
  mem.kernels.layerNormRows(o, mu, rs, xp, wp, bp, rows, cols, eps);
  mem.read(o, out, size);
  mem.read(mu, mean, rows);
  mem.read(rs, rstd, rows);
}

export function layerNormBackwardF32(
  mem: KernelMemory, dx: Float32Array | null, dw: Float32Array | null, db: Float32Array | null, dy: Float32Array,
  x: Float32Array, mean: Float32Array, rstd: Float32Array, w: Float32Array | null, rows: number, cols: number,
): void {
  const size = rows * cols;
  const [dxp = 0, dwp = 0, dbp = 0, dyp = 0, xp = 0, mu = 0, rs = 0, wp = 0] = mem.stage([
    dx ? size : null, dw && dw.subarray(0, cols), db && db.subarray(0, cols), dy.subarray(0, size), x.subarray(0, size),
    mean.subarray(0, rows), rstd.subarray(0, rows), w && w.subarray(0, cols),
  ]);
  mem.kernels.layerNormRowsBackward(dxp, dwp, dbp, dyp, xp, mu, rs, wp, rows, cols);
  if (dx) mem.read(dxp, dx, size);
  if (dw) mem.read(dwp, dw, cols);
  if (db) mem.read(dbp, db, cols);
}

export function softmaxForwardF32(ctx: KernelContext, out: Float32Array, x: Float32Array, rows: number, cols: number, log: boolean): void {
  const mem = ctx.memory;
  const size = rows * cols;
  const [job = 0, o = 0, xp = 0] = mem.stage([jobFloats(mem), size, x.subarray(0, size)]);
  runRows(ctx, job, mem.kernels.KIND_SOFTMAX, rows, cols, log, 0, [o, xp]);
  mem.read(o, out, size);
}

export function softmaxBackwardF32(
  ctx: KernelContext, dx: Float32Array, dy: Float32Array, y: Float32Array, rows: number, cols: number, log: boolean,
): void {
  const mem = ctx.memory;
  const size = rows * cols;
  const [job = 0, o = 0, dyp = 0, yp = 0] = mem.stage([jobFloats(mem), size, dy.subarray(0, size), y.subarray(0, size)]);
  runRows(ctx, job, mem.kernels.KIND_SOFTMAX_BACKWARD, rows, cols, log, 0, [o, dyp, yp]);
  mem.read(o, dx, size);
}

export function crossEntropyForwardF32(
  ctx: KernelContext, logits: Float32Array, targets: Int32Array, weight: Float32Array | null,
  rows: number, classes: number, ignoreIndex: number,
): CrossEntropyRows {
  checkTargets(targets, rows, classes, ignoreIndex);
  const mem = ctx.memory;
  const [job = 0, lp = 0, np = 0, sp = 0, xp = 0, tp = 0, wp = 0] = mem.stage([
    jobFloats(mem), rows, rows, rows, logits.subarray(0, rows * classes), targets.subarray(0, rows), weight && weight.subarray(0, classes),
  ]);
  runRows(ctx, job, mem.kernels.KIND_CROSS_ENTROPY, rows, classes, false, ignoreIndex, [lp, np, sp, xp, tp, wp]);
  const result = { lse: new Float64Array(rows), nll: new Float64Array(rows), smooth: new Float64Array(rows) };
  mem.read(lp, result.lse, rows);
  mem.read(np, result.nll, rows);
  mem.read(sp, result.smooth, rows);
  return result;
}

export function crossEntropyBackwardF32(
  ctx: KernelContext, dlogits: Float32Array, logits: Float32Array, targets: Int32Array, weight: Float32Array | null,
  lse: Float64Array, gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number,
): void {
  checkTargets(targets, rows, classes, ignoreIndex);
  const mem = ctx.memory;
  const size = rows * classes;
  const [job = 0, dp = 0, xp = 0, tp = 0, wp = 0, lp = 0, gp = 0, sp = 0] = mem.stage([
    jobFloats(mem), size, logits.subarray(0, size), targets.subarray(0, rows), weight && weight.subarray(0, classes),
    lse.subarray(0, rows), gNll.subarray(0, rows), gSmooth.subarray(0, rows),
  ]);
  runRows(ctx, job, mem.kernels.KIND_CROSS_ENTROPY_BACKWARD, rows, classes, false, ignoreIndex, [dp, xp, tp, wp, lp, gp, sp]);
  mem.read(dp, dlogits, size);
}

export function geluForwardF32(ctx: KernelContext, out: Float32Array, x: Float32Array, n: number, approximate: GeluApproximation): void {
  const mem = ctx.memory;
  const [job = 0, o = 0, xp = 0] = mem.stage([jobFloats(mem), n, x.subarray(0, n)]);
  runRows(ctx, job, mem.kernels.KIND_GELU, n, 1, approximate === "tanh", 0, [o, xp]);
  mem.read(o, out, n);
}

export function geluBackwardF32(
  ctx: KernelContext, dx: Float32Array, dy: Float32Array, x: Float32Array, n: number, approximate: GeluApproximation,
): void {
  const mem = ctx.memory;
  const [job = 0, o = 0, dyp = 0, xp = 0] = mem.stage([jobFloats(mem), n, dy.subarray(0, n), x.subarray(0, n)]);
  runRows(ctx, job, mem.kernels.KIND_GELU_BACKWARD, n, 1, approximate === "tanh", 0, [o, dyp, xp]);
  mem.read(o, dx, n);
}

export function adamwUpdateF32(
  mem: KernelMemory, param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array | null, h: AdamWHyperparameters,
): void {
  const n = param.length;
  const [pp = 0, gp = 0, mp = 0, vp = 0, xp = 0] = mem.stage([param, grad.subarray(0, n), expAvg.subarray(0, n), expAvgSq.subarray(0, n), maxExpAvgSq && maxExpAvgSq.subarray(0, n)]);
  const { lr, beta1, beta2, eps, weightDecay, step } = h;
  mem.kernels.adamwStep(
    pp, gp, mp, vp, xp, n, beta1, beta2, eps,
    lr / (1 - Math.pow(beta1, step)), Math.sqrt(1 - Math.pow(beta2, step)),
    h.decoupledWeightDecay ? 1 - lr * weightDecay : 1, h.decoupledWeightDecay ? 0 : weightDecay, h.maximize ? -1 : 1,
  );
  mem.read(pp, param, n);
  mem.read(mp, expAvg, n);
  mem.read(vp, expAvgSq, n);
  if (maxExpAvgSq) mem.read(xp, maxExpAvgSq, n);
}

/** Kernels index the row by the target, so a target outside the classes must not reach them. */
function checkTargets(targets: Int32Array, rows: number, classes: number, ignoreIndex: number): void {
  for (let n = 0; n < rows; n++) {
    const t = targets[n] ?? ignoreIndex;
    if (t !== ignoreIndex && (t < 0 || t >= classes)) {
      throw new IndexError(`crossEntropy: target ${t} of row ${n} is outside [0, ${classes})`);
    }
  }
}
