/**
 * The fast CPU backend (DESIGN.md decision 3): float32 kernels compiled to WebAssembly SIMD from
 * ./assembly, split across a worker_threads pool over shared memory. Anything it has no kernel for
 * (float64 checking runs, ops not yet ported) falls through to the reference backend it extends.
 */
import os from "node:os";
import type { AdamWHyperparameters, CrossEntropyRows, FloatArray, GeluApproximation, MatmulLayout } from "../backend.js";
import { ValueError } from "../../errors.js";
import { ReferenceBackend } from "../reference/index.js";
import { compileKernels, type KernelVariant } from "./loader.js";
import { PARALLEL_MIN_WORK, type KernelContext } from "./context.js";
import { matmulF32 } from "./matmul.js";
import { KernelMemory } from "./memory.js";
import { WorkerPool } from "./pool.js";
import {
  adamwUpdateF32, crossEntropyBackwardF32, crossEntropyForwardF32, geluBackwardF32, geluForwardF32, layerNormBackwardF32,
  layerNormForwardF32, softmaxBackwardF32, softmaxForwardF32,
} from "./rows.js";
import { MATMUL_ATTENTION_MAX_SCORES, attentionBackwardMatmul, attentionForwardMatmul } from "../reference/attention-matmul.js";
import type { AttentionLayouts, AttentionMask, AttentionOperand, AttentionSizes } from "../reference/attention.js";
import type { RnnNonlinearity } from "../reference/recurrent.js";
import {
  gruCellBackwardF32, gruCellForwardF32, lstmCellBackwardF32, lstmCellForwardF32, rnnCellBackwardF32, rnnCellForwardF32,
} from "./recurrent.js";
import {
  attentionBackwardF32, attentionForwardF32, backwardViaContiguous, forwardViaContiguous, fusedAttentionSupported, rowsOf,
} from "./attention.js";
import { embeddingBackwardF32, embeddingForwardF32, rmsNormBackwardF32, rmsNormForwardF32 } from "./norms-embedding.js";
import type { BinaryOpCode } from "../reference/elementwise.js";
import type { UnaryOpCode } from "../reference/unary.js";
import {
  binaryF32, binaryRowsF32, binaryScalarF32, hasBinaryKernel, hasSumKernel, hasUnaryBackwardKernel, hasUnaryKernel,
  sumColumnsF32, sumF32, sumRowsF32, unaryBackwardF32, unaryF32,
} from "./elementwise.js";

export type { KernelVariant } from "./loader.js";

export interface WasmBackendOptions {
  /** Threads including the main one. Default: `LOOM_THREADS`, else the number of available cores. */
  threads?: number;
  /** Kernel build to use. Default: relaxed SIMD where the engine accepts it, else plain SIMD. */
  variant?: KernelVariant;
  /**
   * Jobs below this much work run on the calling thread only: flops for matmul, 64 per element for the
   * exp-heavy row kernels (default ≈ 4·10⁶, where waking the workers starts to pay off). Tests set 0 to
   * send every job through the pool.
   */
  parallelMinWork?: number;
  /**
   * Smallest array the elementwise kernels and sums take; shorter ones run the reference loops, which
   * beat copying in and out below a few thousand elements (default: the per-kernel thresholds in
   * ./elementwise.ts). Tests set 0 to send every size to the kernels.
   */
  elementwiseMinElements?: number;
}

/** float32 operands go to the kernels; anything else (float64 checking runs) falls through to the reference. */
export class WasmBackend extends ReferenceBackend {
  override readonly name: string = "wasm";
  readonly threads: number;
  /** Which kernel build runs: "relaxed-simd" (fused multiply-add) or "simd". */
  readonly variant: KernelVariant;
  private readonly ctx: KernelContext;
  private readonly elementwiseMin: number | undefined;

  constructor(options: WasmBackendOptions = {}) {
    super();
    this.threads = options.threads ?? defaultThreadCount();
    if (!Number.isInteger(this.threads) || this.threads < 1) {
      throw new ValueError(`wasm backend: threads must be a positive integer, got ${this.threads}`);
    }
    const { module, variant } = compileKernels(options.variant);
    this.variant = variant;
    const memory = new KernelMemory(module, this.threads);
    const pool = this.threads > 1 ? new WorkerPool(this.threads, module, memory.memory, (t) => memory.scratchOf(t)) : undefined;
    this.ctx = { memory, pool, parallelMinWork: options.parallelMinWork ?? PARALLEL_MIN_WORK };
    this.elementwiseMin = options.elementwiseMinElements;
  }

  override matmul(out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout): void {
    if (isF32(out) && isF32(a) && isF32(b) && isF32OrNull(layout.bias ?? null)) {
      matmulF32(this.ctx, out, a, b, layout);
    } else {
      super.matmul(out, a, b, layout);
    }
  }

  // Elementwise kernels and sums: float32 arrays at least a few thousand elements long (./elementwise.ts
  // gives the thresholds) go to the SIMD kernels; the rest run the reference loops.

  override binary(op: BinaryOpCode, out: FloatArray, a: FloatArray, b: FloatArray): void {
    if (isF32(out) && isF32(a) && isF32(b) && hasBinaryKernel(op, out.length, this.elementwiseMin)) binaryF32(this.ctx.memory, op, out, a, b);
    else super.binary(op, out, a, b);
  }

  override binaryScalar(op: BinaryOpCode, out: FloatArray, a: FloatArray, y: number): void {
    if (isF32(out) && isF32(a) && hasBinaryKernel(op, out.length, this.elementwiseMin)) binaryScalarF32(this.ctx.memory, op, out, a, y);
    else super.binaryScalar(op, out, a, y);
  }

  override binaryRows(op: BinaryOpCode, out: FloatArray, full: FloatArray, block: FloatArray, swapped: boolean): void {
    if (isF32(out) && isF32(full) && isF32(block) && block.length > 0 && hasBinaryKernel(op, out.length, this.elementwiseMin)) {
      binaryRowsF32(this.ctx.memory, op, out, full, block, swapped);
    } else super.binaryRows(op, out, full, block, swapped);
  }

  override unary(op: UnaryOpCode, out: FloatArray, x: FloatArray, p: number): void {
    if (isF32(out) && isF32(x) && hasUnaryKernel(op, out.length, this.elementwiseMin)) unaryF32(this.ctx, op, out, x);
    else super.unary(op, out, x, p);
  }

  override unaryBackward(op: UnaryOpCode, gx: FloatArray, g: FloatArray, x: FloatArray, y: FloatArray, p: number): void {
    if (isF32(gx) && isF32(g) && isF32(x) && isF32(y) && hasUnaryBackwardKernel(op, gx.length, this.elementwiseMin)) {
      unaryBackwardF32(this.ctx, op, gx, g, x, y);
    } else super.unaryBackward(op, gx, g, x, y, p);
  }

  override sum(x: FloatArray): number {
    return isF32(x) && hasSumKernel(x.length, this.elementwiseMin) ? sumF32(this.ctx.memory, x) : super.sum(x);
  }

  override sumRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
    if (isF32(out) && isF32(x) && hasSumKernel(rows * cols, this.elementwiseMin)) sumRowsF32(this.ctx.memory, out, x, rows, cols);
    else super.sumRows(out, x, rows, cols);
  }

  override sumColumns(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
    if (isF32(out) && isF32(x) && hasSumKernel(rows * cols, this.elementwiseMin)) sumColumnsF32(this.ctx.memory, out, x, rows, cols);
    else super.sumColumns(out, x, rows, cols);
  }

  override layerNormForward(
    out: FloatArray, mean: FloatArray, rstd: FloatArray, x: FloatArray, w: FloatArray | null, b: FloatArray | null,
    rows: number, cols: number, eps: number,
  ): void {
    if (isF32(out) && isF32(mean) && isF32(rstd) && isF32(x) &&
      isF32OrNull(w) && isF32OrNull(b)) {
      layerNormForwardF32(this.ctx.memory, out, mean, rstd, x, w, b, rows, cols, eps);
    } else super.layerNormForward(out, mean, rstd, x, w, b, rows, cols, eps);
  }

  override layerNormBackward(
    dx: FloatArray | null, dw: FloatArray | null, db: FloatArray | null, dy: FloatArray, x: FloatArray,
    mean: FloatArray, rstd: FloatArray, w: FloatArray | null, rows: number, cols: number,
  ): void {
    if (isF32(dy) && isF32(x) && isF32(mean) && isF32(rstd) &&
      isF32OrNull(dx) && isF32OrNull(dw) && isF32OrNull(db) && isF32OrNull(w)) {
      layerNormBackwardF32(this.ctx.memory, dx, dw, db, dy, x, mean, rstd, w, rows, cols);
    } else {
      super.layerNormBackward(dx, dw, db, dy, x, mean, rstd, w, rows, cols);
    }
  }

  override rmsNormForward(
    out: FloatArray, rstd: FloatArray, x: FloatArray, w: FloatArray | null, rows: number, cols: number, eps: number,
  ): void {
    if (isF32(out) && isF32(rstd) && isF32(x) && isF32OrNull(w)) rmsNormForwardF32(this.ctx.memory, out, rstd, x, w, rows, cols, eps);
    else super.rmsNormForward(out, rstd, x, w, rows, cols, eps);
  }

  override rmsNormBackward(
    dx: FloatArray | null, dw: FloatArray | null, dy: FloatArray, x: FloatArray, rstd: FloatArray, w: FloatArray | null,
    rows: number, cols: number,
  ): void {
    if (isF32(dy) && isF32(x) && isF32(rstd) && isF32OrNull(dx) && isF32OrNull(dw) && isF32OrNull(w)) {
      rmsNormBackwardF32(this.ctx.memory, dx, dw, dy, x, rstd, w, rows, cols);
    } else super.rmsNormBackward(dx, dw, dy, x, rstd, w, rows, cols);
  }

  override embeddingForward(out: FloatArray, weight: FloatArray, ids: Int32Array, n: number, dim: number, num: number): void {
    if (isF32(out) && isF32(weight)) embeddingForwardF32(this.ctx.memory, out, weight, ids, n, dim, num);
    else super.embeddingForward(out, weight, ids, n, dim, num);
  }

  override embeddingBackward(
    dWeight: FloatArray, dOut: FloatArray, ids: Int32Array, n: number, dim: number, num: number, paddingIdx: number | null,
  ): void {
    if (isF32(dWeight) && isF32(dOut)) embeddingBackwardF32(this.ctx.memory, dWeight, dOut, ids, n, dim, num, paddingIdx);
    else super.embeddingBackward(dWeight, dOut, ids, n, dim, num, paddingIdx);
  }

  override softmaxForward(out: FloatArray, x: FloatArray, rows: number, cols: number, log: boolean): void {
    if (isF32(out) && isF32(x)) softmaxForwardF32(this.ctx, out, x, rows, cols, log);
    else super.softmaxForward(out, x, rows, cols, log);
  }

  override softmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number, log: boolean): void {
    if (isF32(dx) && isF32(dy) && isF32(y)) softmaxBackwardF32(this.ctx, dx, dy, y, rows, cols, log);
    else super.softmaxBackward(dx, dy, y, rows, cols, log);
  }

  override crossEntropyForward(
    logits: FloatArray, targets: Int32Array, weight: FloatArray | null, rows: number, classes: number, ignoreIndex: number,
  ): CrossEntropyRows {
    if (isF32(logits) && isF32OrNull(weight)) return crossEntropyForwardF32(this.ctx, logits, targets, weight, rows, classes, ignoreIndex);
    return super.crossEntropyForward(logits, targets, weight, rows, classes, ignoreIndex);
  }

  override crossEntropyBackward(
    dlogits: FloatArray, logits: FloatArray, targets: Int32Array, weight: FloatArray | null, lse: Float64Array,
    gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number,
  ): void {
    if (isF32(dlogits) && isF32(logits) && isF32OrNull(weight)) {
      crossEntropyBackwardF32(this.ctx, dlogits, logits, targets, weight, lse, gNll, gSmooth, rows, classes, ignoreIndex);
    } else {
      super.crossEntropyBackward(dlogits, logits, targets, weight, lse, gNll, gSmooth, rows, classes, ignoreIndex);
    }
  }

  override geluForward(out: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void {
    if (isF32(out) && isF32(x)) geluForwardF32(this.ctx, out, x, n, approximate);
    else super.geluForward(out, x, n, approximate);
  }

  override geluBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void {
    if (isF32(dx) && isF32(dy) && isF32(x)) geluBackwardF32(this.ctx, dx, dy, x, n, approximate);
    else super.geluBackward(dx, dy, x, n, approximate);
  }

  override adamwUpdate(
    param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, maxExpAvgSq: FloatArray | null,
    h: AdamWHyperparameters,
  ): void {
    if (isF32(param) && isF32(grad) && isF32(expAvg) && isF32(expAvgSq) &&
      isF32OrNull(maxExpAvgSq)) {
      adamwUpdateF32(this.ctx.memory, param, grad, expAvg, expAvgSq, maxExpAvgSq, h);
    } else super.adamwUpdate(param, grad, expAvg, expAvgSq, maxExpAvgSq, h);
  }

  override lstmCellForward(
    h: FloatArray, c: FloatArray, gates: FloatArray, tanhC: FloatArray,
    xg: FloatArray, hg: FloatArray, cPrev: FloatArray, peephole: FloatArray | null, coupled: boolean,
    batch: number, hidden: number,
  ): void {
    if (isF32(h) && isF32(c) && isF32(gates) && isF32(tanhC) && isF32(xg) && isF32(hg) && isF32(cPrev) && isF32OrNull(peephole)) {
      lstmCellForwardF32(this.ctx.memory, h, c, gates, tanhC, xg, hg, cPrev, peephole, coupled, batch, hidden);
    } else super.lstmCellForward(h, c, gates, tanhC, xg, hg, cPrev, peephole, coupled, batch, hidden);
  }

  override lstmCellBackward(
    dPre: FloatArray, dcPrev: FloatArray, dPeephole: FloatArray | null,
    dh: FloatArray, dc: FloatArray | null,
    gates: FloatArray, cPrev: FloatArray, c: FloatArray, tanhC: FloatArray, peephole: FloatArray | null, coupled: boolean,
    batch: number, hidden: number,
  ): void {
    if (isF32(dPre) && isF32(dcPrev) && isF32OrNull(dPeephole) && isF32(dh) && isF32OrNull(dc) && isF32(gates) &&
      isF32(cPrev) && isF32(c) && isF32(tanhC) && isF32OrNull(peephole)) {
      lstmCellBackwardF32(this.ctx.memory, dPre, dcPrev, dPeephole, dh, dc, gates, cPrev, c, tanhC, peephole, coupled, batch, hidden);
    } else super.lstmCellBackward(dPre, dcPrev, dPeephole, dh, dc, gates, cPrev, c, tanhC, peephole, coupled, batch, hidden);
  }

  override gruCellForward(
    h: FloatArray, gates: FloatArray, xg: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
  ): void {
    if (isF32(h) && isF32(gates) && isF32(xg) && isF32(hg) && isF32(hPrev)) {
      gruCellForwardF32(this.ctx.memory, h, gates, xg, hg, hPrev, batch, hidden);
    } else super.gruCellForward(h, gates, xg, hg, hPrev, batch, hidden);
  }

  override gruCellBackward(
    dxg: FloatArray, dhg: FloatArray, dhPrev: FloatArray,
    dh: FloatArray, gates: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
  ): void {
    if (isF32(dxg) && isF32(dhg) && isF32(dhPrev) && isF32(dh) && isF32(gates) && isF32(hg) && isF32(hPrev)) {
      gruCellBackwardF32(this.ctx.memory, dxg, dhg, dhPrev, dh, gates, hg, hPrev, batch, hidden);
    } else super.gruCellBackward(dxg, dhg, dhPrev, dh, gates, hg, hPrev, batch, hidden);
  }

  override rnnCellForward(
    h: FloatArray, xg: FloatArray, hg: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
  ): void {
    if (isF32(h) && isF32(xg) && isF32(hg)) rnnCellForwardF32(this.ctx.memory, h, xg, hg, nonlinearity, batch, hidden);
    else super.rnnCellForward(h, xg, hg, nonlinearity, batch, hidden);
  }

  override rnnCellBackward(
    dPre: FloatArray, dh: FloatArray, h: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
  ): void {
    if (isF32(dPre) && isF32(dh) && isF32(h)) rnnCellBackwardF32(this.ctx.memory, dPre, dh, h, nonlinearity, batch, hidden);
    else super.rnnCellBackward(dPre, dh, h, nonlinearity, batch, hidden);
  }

  /**
   * float32 attention without dropout, ALiBi, additive masks or requested weights runs on the fused
   * online-softmax kernel (./attention.ts, O(T·D) memory per head). Otherwise: batched GEMMs on this
   * backend's matmul (reference/attention-matmul.ts) while the [N, T, S] score matrix is moderate, the
   * streaming reference kernel beyond.
   */
  override attentionForward(
    out: FloatArray, lse: Float64Array, weights: FloatArray | null,
    q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
    layouts: AttentionLayouts = {},
  ): void {
    if (isF32(out) && fusedAttentionSupported(q, k, v, mask, sz, weights)) {
      attentionForwardF32(this.ctx, rowsOf(out, layouts.out, sz.n, sz.t, sz.dv), lse, q, k, v, mask, sz);
    } else if (sz.n * sz.t * sz.s > MATMUL_ATTENTION_MAX_SCORES) super.attentionForward(out, lse, weights, q, k, v, mask, sz, layouts);
    else forwardViaContiguous(out, layouts, sz, (o) => attentionForwardMatmul(this, o, lse, weights, q, k, v, mask, sz));
  }

  override attentionBackward(
    dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null, dMask: FloatArray | null,
    dOut: FloatArray, out: FloatArray, lse: Float64Array,
    q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
    layouts: AttentionLayouts = {},
  ): void {
    const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
    if (dMask === null && isF32(dOut) && isF32(out) && fusedAttentionSupported(q, k, v, mask, sz, null)) {
      attentionBackwardF32(
        this.ctx, dq && rowsOf(dq, layouts.dq, N, T, D), dk && rowsOf(dk, layouts.dk, N, S, D), dv && rowsOf(dv, layouts.dv, N, S, Dv),
        rowsOf(dOut, layouts.dOut, N, T, Dv), rowsOf(out, layouts.out, N, T, Dv), lse, q, k, v, mask, sz,
      );
    } else if (N * T * S > MATMUL_ATTENTION_MAX_SCORES) super.attentionBackward(dq, dk, dv, dMask, dOut, out, lse, q, k, v, mask, sz, layouts);
    else {
      backwardViaContiguous(dq, dk, dv, dOut, out, layouts, sz, (fq, fk, fv, fg, fo) =>
        attentionBackwardMatmul(this, fq, fk, fv, dMask, fg, fo, lse, q, k, v, mask, sz));
    }
  }
}

function isF32(a: FloatArray): a is Float32Array {
  return a instanceof Float32Array;
}

function isF32OrNull(a: FloatArray | null): a is Float32Array | null {
  return a === null || a instanceof Float32Array;
}

/** A new WebAssembly backend (each has its own kernel memory and, with threads > 1, its own pool). */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  return new WasmBackend(options);
}

/** `LOOM_THREADS` if set, else the number of cores this process may use. */
export function defaultThreadCount(): number {
  const env = process.env.LOOM_THREADS;
  if (env !== undefined && env !== "") {
    const t = Number(env);
    if (!Number.isInteger(t) || t < 1) throw new ValueError(`LOOM_THREADS must be a positive integer, got "${env}"`);
    return t;
  }
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}
