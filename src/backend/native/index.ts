/**
 * The native CPU backend (DESIGN.md decision 3): C++ kernels with AVX-512 or AVX2 intrinsics
 * (./kernels/), built at install by the machine's compiler and called through Node-API on the tensors'
 * own typed arrays — no copies in or out. Threads come from one native pool (`LOOM_THREADS`, created
 * once, never per call); jobs below a work threshold stay on the calling thread. Every method without
 * a native kernel (unary ops, ALiBi attention, float64 checking runs) is the WebAssembly
 * backend's, which this extends, so nothing here is a stub: a call either runs a native kernel that is
 * tested for parity with the reference, or the wasm kernel that already is.
 */
import type { AdamWHyperparameters, CrossEntropyRows, ElementArray, FloatArray, GeluApproximation, HalfBits, MatmulLayout } from "../backend.js";
import { BinaryOp, type BinaryOpCode } from "../reference/elementwise.js";
import { checkEmbeddingIds } from "../reference/embedding.js";
import { checkBias } from "../reference/matmul.js";
import { IndexError, ShapeError, ValueError } from "../../errors.js";
import { WasmBackend, defaultThreadCount, type WasmBackendOptions } from "../wasm/index.js";
import { rowLayoutOf } from "../wasm/attention.js";
import type {
  AttentionLayouts, AttentionMask, AttentionOperand, AttentionOperandHalf, AttentionSizes,
} from "../reference/attention.js";
import type { RnnNonlinearity } from "../reference/recurrent.js";
import { chooseIsa, loadNativeModule, type CpuFeatures, type NativeIsa, type NativeKernels, type NativeModule } from "./loader.js";

export { NativeUnavailableError, type CpuFeatures, type NativeIsa } from "./loader.js";

export interface NativeBackendOptions extends WasmBackendOptions {
  /** Instruction set to run. Default: the best this CPU has (AVX-512, else AVX2+FMA). */
  isa?: NativeIsa;
  /** bf16 products on AMX tiles (true) or AVX-512 BF16 dot products (false). Default: AMX where the CPU has it. */
  amx?: boolean;
  /**
   * bfloat16 attention with bf16 products (true: vdpbf16ps, the probabilities and score gradients
   * rounded to bf16 before their products, as torch.autocast) or float32 products on widened operands
   * (false: the float32 kernel's bits). Default: bf16 products where the CPU has AVX-512 BF16.
   */
  bf16Attention?: boolean;
  /**
   * Whether creating the backend sets glibc's mmap threshold to 32 MiB and its trim threshold to 1 GiB
   * for the whole process (kernels/module.cc `tuneAllocator`): activation buffers of a training step
   * are then reused from the heap instead of mapped afresh and faulted in page by page each step (TINY:
   * ~2,000 page faults per step → ~200; SMALL bf16: no more steps of 20,000), at the cost of keeping
   * freed heap (up to 1 GiB, never more than the process had resident) mapped. Default true; it has no
   * effect where the C library is not glibc.
   */
  tuneAllocator?: boolean;
}

/**
 * Below this much work (flops; 16 flop-equivalents per element of a row kernel) a job stays on the
 * calling thread: ~50 µs of one core, where handing pieces to the pool (a few µs when its threads are
 * spinning, ~20 µs from sleep) starts to pay.
 */
export const NATIVE_PARALLEL_MIN_WORK = 1 << 22;
const ROW_ELEMENT_WORK = 16;

/** The optional Backend methods kernels/half.cc implements (AVX-512 only). */
const HALF_KERNEL_METHODS = [
  "geluForwardHalf", "geluBackwardHalf", "binaryMixedHalf", "sumColumnsHalf", "crossEntropyForwardHalf", "crossEntropyBackwardHalf",
  "layerNormForwardHalf", "layerNormBackwardHalf", "softmaxForwardHalf", "softmaxBackwardHalf",
] as const satisfies readonly (keyof NativeBackend)[];

export class NativeBackend extends WasmBackend {
  override readonly name: string = "native";
  /** The instruction set the kernels run with. */
  readonly isa: NativeIsa;
  readonly features: CpuFeatures;
  private readonly native: NativeModule;
  private readonly k: NativeKernels;
  private readonly minWork: number;
  /** Whether matmulBf16 runs on AMX tiles. */
  readonly amx: boolean;
  /** Whether matmulBf16 can run: AMX tiles or AVX-512 BF16 dot products. */
  readonly hasBf16Matmul: boolean;
  /** Whether bfloat16 attention multiplies bf16 operands (NativeBackendOptions.bf16Attention). */
  readonly bf16Attention: boolean;
  /** Whether glibc's heap thresholds are set for training (NativeBackendOptions.tuneAllocator; false off glibc). */
  readonly allocatorTuned: boolean;

  constructor(options: NativeBackendOptions = {}) {
    const native = loadNativeModule();
    const features = native.features();
    const isa = chooseIsa(features, options.isa);
    super(options);
    this.native = native;
    this.features = features;
    this.isa = isa;
    this.k = native[isa];
    this.minWork = options.parallelMinWork ?? NATIVE_PARALLEL_MIN_WORK;
    if (options.amx === true && !features.amxbf16) throw new ValueError("native backend: this CPU (or OS) offers no AMX-BF16 tiles");
    this.amx = options.amx ?? features.amxbf16;
    this.hasBf16Matmul = this.amx || features.avx512bf16;
    if (options.bf16Attention === true && !features.avx512bf16) throw new ValueError("native backend: bf16 attention needs AVX-512 BF16, which this CPU lacks");
    this.bf16Attention = options.bf16Attention ?? features.avx512bf16;
    this.allocatorTuned = (options.tuneAllocator ?? true) && native.tuneAllocator();
    // kernels/half.cc is AVX-512 code: without AVX-512 its optional methods are absent, so the ops take
    // their widening paths instead of faulting on an instruction the CPU lacks.
    if (!features.avx512f) for (const name of HALF_KERNEL_METHODS) Object.defineProperty(this, name, { value: undefined });
  }

  /** Whether attention on `dtype` operands multiplies them as bf16 (kernels/attention.cc bf16_products). */
  private bf16Products(dtype: HalfBits): boolean {
    return this.bf16Attention && dtype === "bfloat16";
  }

  /** A strided copy in one native loop (kernels/copy.cc) instead of a JS walk over its rows. */
  copyStrided(
    dst: ElementArray, src: ElementArray, sizes: readonly number[], dstStrides: readonly number[], srcStrides: readonly number[],
    dstOffset: number, srcOffset: number,
  ): boolean {
    // Views of one buffer may overlap, which a row memcpy must not; the JS walk (TypedArray.set) handles them.
    if (elementKind(dst) !== elementKind(src) || elementKind(dst) === null || dst.buffer === src.buffer) return false;
    const nd = sizes.length;
    const dims = new Float64Array(3 + 3 * nd);
    dims[0] = nd;
    dims[1] = dstOffset;
    dims[2] = srcOffset;
    dims.set(sizes, 3);
    dims.set(dstStrides, 3 + nd);
    dims.set(srcStrides, 3 + 2 * nd);
    this.call(() => this.native.copyStrided(dst, src, dims));
    return true;
  }

  /** Threads for a job of `work` flops: all of them above the threshold, else the calling thread. */
  private threadsFor(work: number): number {
    return work >= this.minWork ? this.threads : 1;
  }

  override matmul(out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout): void {
    const bias = layout.bias ?? null;
    if (!(isF32(out) && isF32(a) && isF32(b) && isF32OrNull(bias))) {
      super.matmul(out, a, b, layout);
      return;
    }
    const { batch, m, n, k, transA, transB, accumulate } = layout;
    for (const [name, v] of [["batch", batch], ["m", m], ["n", n], ["k", k]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new ShapeError(`matmul: ${name} must be a non-negative integer, got ${v}`);
    }
    checkBias(bias, accumulate, n);
    if (batch === 0 || m === 0 || n === 0) return;
    const size = batch * m * n;
    if (out.length < size) throw new ShapeError(`matmul: out needs ${size} elements for [${batch},${m},${n}], has ${out.length}`);
    if (k === 0) {
      if (bias) for (let r = 0; r < batch * m; r++) out.set(bias.subarray(0, n), r * n);
      else if (!accumulate) out.fill(0, 0, size);
      return;
    }
    const ldA = layout.ldA ?? (transA ? m : k);
    const ldB = layout.ldB ?? (transB ? k : n);
    const { strideA, strideB, offsetA, offsetB } = layout;
    for (const [name, v] of [["ldA", ldA], ["ldB", ldB], ["strideA", strideA], ["strideB", strideB], ["offsetA", offsetA], ["offsetB", offsetB]] as const) {
      if (!Number.isInteger(v)) throw new ShapeError(`matmul: ${name} must be an integer, got ${v}`);
    }
    if (ldA < (transA ? m : k) || ldB < (transB ? k : n)) {
      throw new ShapeError(`matmul: ldA/ldB (${ldA}/${ldB}) must be at least the stored row lengths (${transA ? m : k}/${transB ? k : n})`);
    }
    if (strideA < 0 || strideB < 0) {
      // Negative batch strides never come from the ops; the wasm backend (and its reference fallback) takes them.
      super.matmul(out, a, b, layout);
      return;
    }
    // The glue checks every operand's span against its length (a RangeError naming it, made a ShapeError here).
    this.call(() => this.k.gemm(
      out, a, b, bias, batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, ldA, ldB, accumulate, this.threadsFor(2 * size * k),
    ));
  }

  // Elementwise kernels: the four arithmetic ops on float32 (others run the wasm/reference paths).

  override binary(op: BinaryOpCode, out: FloatArray, a: FloatArray, b: FloatArray): void {
    if (isArithmetic(op) && isF32(out) && isF32(a) && isF32(b) && a.length >= out.length && b.length >= out.length) {
      this.k.binary(op, out, a, b, out.length, this.threadsFor(out.length * ROW_ELEMENT_WORK));
    } else super.binary(op, out, a, b);
  }

  override binaryScalar(op: BinaryOpCode, out: FloatArray, a: FloatArray, y: number): void {
    if (isArithmetic(op) && isF32(out) && isF32(a) && a.length >= out.length) this.k.binaryScalar(op, out, a, y, out.length);
    else super.binaryScalar(op, out, a, y);
  }

  override binaryRows(op: BinaryOpCode, out: FloatArray, full: FloatArray, block: FloatArray, swapped: boolean): void {
    const cols = block.length;
    if (isArithmetic(op) && isF32(out) && isF32(full) && isF32(block) && cols > 0 && out.length % cols === 0 && full.length >= out.length) {
      this.k.binaryRows(op, out, full, block, out.length / cols, cols, swapped);
    } else super.binaryRows(op, out, full, block, swapped);
  }

  override sum(x: FloatArray): number {
    return isF32(x) ? this.k.sum(x, x.length) : super.sum(x);
  }

  override sumRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
    if (isF32(out) && isF32(x)) this.k.sumRows(out, x, rows, cols);
    else super.sumRows(out, x, rows, cols);
  }

  override sumColumns(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
    if (isF32(out) && isF32(x)) this.k.sumColumns(out, x, rows, cols, this.threadsFor(rows * cols * ROW_ELEMENT_WORK));
    else super.sumColumns(out, x, rows, cols);
  }

  override layerNormForward(
    out: FloatArray, mean: FloatArray, rstd: FloatArray, x: FloatArray, w: FloatArray | null, b: FloatArray | null,
    rows: number, cols: number, eps: number,
  ): void {
    if (isF32(out) && isF32(mean) && isF32(rstd) && isF32(x) && isF32OrNull(w) && isF32OrNull(b)) {
      this.k.layerNormForward(out, mean, rstd, x, w, b, rows, cols, eps, this.threadsFor(rows * cols * ROW_ELEMENT_WORK));
    } else super.layerNormForward(out, mean, rstd, x, w, b, rows, cols, eps);
  }

  override layerNormBackward(
    dx: FloatArray | null, dw: FloatArray | null, db: FloatArray | null, dy: FloatArray, x: FloatArray,
    mean: FloatArray, rstd: FloatArray, w: FloatArray | null, rows: number, cols: number,
  ): void {
    if (isF32OrNull(dx) && isF32OrNull(dw) && isF32OrNull(db) && isF32(dy) && isF32(x) && isF32(mean) && isF32(rstd) && isF32OrNull(w)) {
      this.k.layerNormBackward(dx, dw, db, dy, x, mean, rstd, w, rows, cols, this.threadsFor(rows * cols * ROW_ELEMENT_WORK));
    } else super.layerNormBackward(dx, dw, db, dy, x, mean, rstd, w, rows, cols);
  }

  override rmsNormForward(
    out: FloatArray, rstd: FloatArray, x: FloatArray, w: FloatArray | null, rows: number, cols: number, eps: number,
  ): void {
    if (isF32(out) && isF32(rstd) && isF32(x) && isF32OrNull(w)) {
      this.k.rmsNormForward(out, rstd, x, w, rows, cols, eps, this.threadsFor(rows * cols * ROW_ELEMENT_WORK));
    } else super.rmsNormForward(out, rstd, x, w, rows, cols, eps);
  }

  override rmsNormBackward(
    dx: FloatArray | null, dw: FloatArray | null, dy: FloatArray, x: FloatArray, rstd: FloatArray, w: FloatArray | null,
    rows: number, cols: number,
  ): void {
    if (isF32OrNull(dx) && isF32OrNull(dw) && isF32(dy) && isF32(x) && isF32(rstd) && isF32OrNull(w)) {
      this.k.rmsNormBackward(dx, dw, dy, x, rstd, w, rows, cols);
    } else super.rmsNormBackward(dx, dw, dy, x, rstd, w, rows, cols);
  }

  override embeddingForward(out: FloatArray, weight: FloatArray, ids: Int32Array, n: number, dim: number, num: number): void {
    if (isF32(out) && isF32(weight)) {
      checkEmbeddingIds("embedding", ids, n, num);
      this.k.embeddingForward(out, weight, ids, n, dim, num);
    } else super.embeddingForward(out, weight, ids, n, dim, num);
  }

  override embeddingBackward(
    dWeight: FloatArray, dOut: FloatArray, ids: Int32Array, n: number, dim: number, num: number, paddingIdx: number | null,
  ): void {
    if (isF32(dWeight) && isF32(dOut)) {
      checkEmbeddingIds("embedding backward", ids, n, num);
      this.k.embeddingBackward(dWeight, dOut, ids, n, dim, num, paddingIdx ?? -1);
    } else super.embeddingBackward(dWeight, dOut, ids, n, dim, num, paddingIdx);
  }

  override softmaxForward(out: FloatArray, x: FloatArray, rows: number, cols: number, log: boolean): void {
    if (isF32(out) && isF32(x)) this.k.softmaxForward(out, x, rows, cols, log, this.threadsFor(rows * cols * ROW_ELEMENT_WORK));
    else super.softmaxForward(out, x, rows, cols, log);
  }

  override softmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number, log: boolean): void {
    if (isF32(dx) && isF32(dy) && isF32(y)) this.k.softmaxBackward(dx, dy, y, rows, cols, log, this.threadsFor(rows * cols * ROW_ELEMENT_WORK));
    else super.softmaxBackward(dx, dy, y, rows, cols, log);
  }

  override crossEntropyForward(
    logits: FloatArray, targets: Int32Array, weight: FloatArray | null, rows: number, classes: number, ignoreIndex: number,
  ): CrossEntropyRows {
    if (!(isF32(logits) && isF32OrNull(weight))) return super.crossEntropyForward(logits, targets, weight, rows, classes, ignoreIndex);
    checkTargets(targets, rows, classes, ignoreIndex);
    const lse = new Float64Array(rows);
    const nll = new Float64Array(rows);
    const smooth = new Float64Array(rows);
    this.k.crossEntropyForward(lse, nll, smooth, logits, targets, weight, rows, classes, ignoreIndex, this.threadsFor(rows * classes * ROW_ELEMENT_WORK));
    return { lse, nll, smooth };
  }

  override crossEntropyBackward(
    dlogits: FloatArray, logits: FloatArray, targets: Int32Array, weight: FloatArray | null, lse: Float64Array,
    gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number,
  ): void {
    if (isF32(dlogits) && isF32(logits) && isF32OrNull(weight)) {
      checkTargets(targets, rows, classes, ignoreIndex);
      this.k.crossEntropyBackward(
        dlogits, logits, targets, weight, lse, gNll, gSmooth, rows, classes, ignoreIndex, this.threadsFor(rows * classes * ROW_ELEMENT_WORK),
      );
    } else super.crossEntropyBackward(dlogits, logits, targets, weight, lse, gNll, gSmooth, rows, classes, ignoreIndex);
  }

  override geluForward(out: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void {
    if (isF32(out) && isF32(x)) this.k.geluForward(out, x, n, approximate === "tanh", this.threadsFor(n * ROW_ELEMENT_WORK));
    else super.geluForward(out, x, n, approximate);
  }

  override geluBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void {
    if (isF32(dx) && isF32(dy) && isF32(x)) this.k.geluBackward(dx, dy, x, n, approximate === "tanh", this.threadsFor(n * ROW_ELEMENT_WORK));
    else super.geluBackward(dx, dy, x, n, approximate);
  }

  /** bfloat16 bits of x (bit-identical to io/half.ts `float32ToBFloat16`), on the pool above the threshold. */
  float32ToBFloat16(out: Uint16Array, x: Float32Array): void {
    if (out.length < x.length) throw new ShapeError(`float32ToBFloat16: out has ${out.length} elements for ${x.length}`);
    this.k.toBf16(out, x, x.length, this.threadsFor(x.length * ROW_ELEMENT_WORK));
  }

  /** float32 values of bfloat16 bits (exact). */
  bfloat16ToFloat32(out: Float32Array, x: Uint16Array): void {
    if (out.length < x.length) throw new ShapeError(`bfloat16ToFloat32: out has ${out.length} elements for ${x.length}`);
    this.k.fromBf16(out, x, x.length, this.threadsFor(x.length * ROW_ELEMENT_WORK));
  }
  /** float16 bits of x (bit-identical to io/half.ts `float32ToFloat16`) on the F16C conversions. */
  float32ToFloat16(out: Uint16Array, x: Float32Array): void {
    if (out.length < x.length) throw new ShapeError(`float32ToFloat16: out has ${out.length} elements for ${x.length}`);
    this.k.toF16(out, x, x.length, this.threadsFor(x.length * ROW_ELEMENT_WORK));
  }
  /** float32 values of float16 bits (exact). */
  float16ToFloat32(out: Float32Array, x: Uint16Array): void {
    if (out.length < x.length) throw new ShapeError(`float16ToFloat32: out has ${out.length} elements for ${x.length}`);
    this.k.fromF16(out, x, x.length, this.threadsFor(x.length * ROW_ELEMENT_WORK));
  }

  override dropout(out: FloatArray, x: FloatArray, n: number, p: number, seed: readonly [number, number]): void {
    if (isF32(out) && isF32(x)) this.call(() => this.k.dropout(out, x, n, p, seed[0] >>> 0, seed[1] >>> 0, this.threadsFor(n * ROW_ELEMENT_WORK)));
    else super.dropout(out, x, n, p, seed);
  }

  override adamwUpdate(
    param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, maxExpAvgSq: FloatArray | null,
    h: AdamWHyperparameters,
  ): void {
    if (isF32(param) && isF32(grad) && isF32(expAvg) && isF32(expAvgSq) && isF32OrNull(maxExpAvgSq)) {
      const stepSize = h.lr / (1 - Math.pow(h.beta1, h.step));
      const biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(h.beta2, h.step));
      this.k.adamw(
        param, grad, expAvg, expAvgSq, maxExpAvgSq, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, stepSize, biasCorrection2Sqrt,
        h.decoupledWeightDecay, h.maximize,
      );
    } else super.adamwUpdate(param, grad, expAvg, expAvgSq, maxExpAvgSq, h);
  }

  /**
   * Fused attention on the native kernel (kernels/attention.cc) for float32 operands without ALiBi or
   * requested weights, with no mask, a boolean (Uint8Array) or an additive float32 one, and with or
   * without dropout (regenerated from the seed in the backward); anything else takes the wasm path.
   */
  override attentionForward(
    out: FloatArray, lse: Float64Array, weights: FloatArray | null,
    q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
    layouts: AttentionLayouts = {},
  ): void {
    if (!(isF32(out) && weights === null && nativeAttention(q, k, v, mask, sz))) {
      super.attentionForward(out, lse, weights, q, k, v, mask, sz, layouts);
      return;
    }
    const o = rowLayoutOf(layouts.out, sz.n, sz.t, sz.dv);
    const [md, additive, mo, mt, ms] = maskArgs(mask);
    this.call(() => this.k.attentionForward(
      out, o.offsets, o.strideRow, lse, q.data as Float32Array, q.offsets, q.strideRow, k.data as Float32Array, k.offsets, k.strideRow,
      v.data as Float32Array, v.offsets, v.strideRow, md, additive, mo, mt, ms, attentionSizes(sz), this.threadsFor(attentionWork(sz)), null,
    ));
  }

  /**
   * Fused attention on half (bfloat16 or float16) q, k, v (backend.ts `attentionForwardHalf`), without
   * ALiBi and with no mask or a boolean one, else false. bfloat16 with `bf16Attention` multiplies the
   * bf16 operands in place (vdpbf16ps), the probabilities rounded to bf16 before P·V as torch.autocast
   * does; otherwise the float32 kernel runs on rows widened a block at a time (its bits). The output is
   * written as float32 and rounded once into `outHalf`.
   */
  attentionForwardHalf(
    dtype: HalfBits, out: Float32Array, outHalf: Uint16Array, lse: Float64Array,
    q: AttentionOperandHalf, k: AttentionOperandHalf, v: AttentionOperandHalf, mask: AttentionMask | null, sz: AttentionSizes,
    layouts: AttentionLayouts = {},
  ): boolean {
    if (!nativeHalfAttention(mask, sz)) return false;
    if (outHalf.length !== out.length) throw new ShapeError(`attentionForwardHalf: outHalf has ${outHalf.length} elements, out ${out.length}`);
    const o = rowLayoutOf(layouts.out, sz.n, sz.t, sz.dv);
    const [md, additive, mo, mt, ms] = maskArgs(mask);
    this.call(() => this.k.attentionForward(
      out, o.offsets, o.strideRow, lse, q.data, q.offsets, q.strideRow, k.data, k.offsets, k.strideRow,
      v.data, v.offsets, v.strideRow, md, additive, mo, mt, ms, attentionSizes(sz, dtype, this.bf16Products(dtype)), this.threadsFor(attentionWork(sz)),
      outHalf,
    ));
    return true;
  }

  /**
   * Its backward (backend.ts `attentionBackwardHalf`) with the forward's products: bf16 ones (P̃ and dS
   * rounded to bf16 before their products), or float32 ones on half q, k, v and dOut widened a block at
   * a time. The forward's float32 output is read; the gradients are rounded once into half dq, dk, dv.
   */
  attentionBackwardHalf(
    dtype: HalfBits, dq: Uint16Array | null, dk: Uint16Array | null, dv: Uint16Array | null, dOut: Uint16Array, out: Float32Array, lse: Float64Array,
    q: AttentionOperandHalf, k: AttentionOperandHalf, v: AttentionOperandHalf, mask: AttentionMask | null, sz: AttentionSizes,
    layouts: AttentionLayouts = {},
  ): boolean {
    if (!nativeHalfAttention(mask, sz)) return false;
    this.nativeAttentionBackward(dq, dk, dv, dOut, out, lse, q, k, v, mask, sz, layouts, dtype);
    return true;
  }

  override attentionBackward(
    dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null, dMask: FloatArray | null,
    dOut: FloatArray, out: FloatArray, lse: Float64Array,
    q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes,
    layouts: AttentionLayouts = {},
  ): void {
    if (!(dMask === null && isF32OrNull(dq) && isF32OrNull(dk) && isF32OrNull(dv) && isF32(dOut) && isF32(out) && nativeAttention(q, k, v, mask, sz))) {
      super.attentionBackward(dq, dk, dv, dMask, dOut, out, lse, q, k, v, mask, sz, layouts);
      return;
    }
    this.nativeAttentionBackward(dq, dk, dv, dOut, out, lse, q, k, v, mask, sz, layouts, null);
  }

  /**
   * One call of kernels/attention.cc's backward, on float32 operands (`half` null) or on half bits of
   * that format: the gradients, dOut and out in their layouts' rows (contiguous blocks where none is given).
   */
  private nativeAttentionBackward(
    dq: Float32Array | Uint16Array | null, dk: Float32Array | Uint16Array | null, dv: Float32Array | Uint16Array | null,
    dOut: Float32Array | Uint16Array, out: Float32Array, lse: Float64Array,
    q: AttentionOperand | AttentionOperandHalf, k: AttentionOperand | AttentionOperandHalf, v: AttentionOperand | AttentionOperandHalf,
    mask: AttentionMask | null, sz: AttentionSizes, layouts: AttentionLayouts, half: HalfBits | null,
  ): void {
    // float32 operands were checked to be Float32Arrays (nativeAttention), half ones are Uint16Arrays.
    const data = (x: AttentionOperand | AttentionOperandHalf): Float32Array | Uint16Array => x.data as Float32Array | Uint16Array;
    const { n: N, t: T, s: S, d: D, dv: Dv } = sz;
    const gq = dq && rowLayoutOf(layouts.dq, N, T, D);
    const gk = dk && rowLayoutOf(layouts.dk, N, S, D);
    const gv = dv && rowLayoutOf(layouts.dv, N, S, Dv);
    const g = rowLayoutOf(layouts.dOut, N, T, Dv);
    const o = rowLayoutOf(layouts.out, N, T, Dv);
    const [md, additive, mo, mt, ms] = maskArgs(mask);
    this.call(() => this.k.attentionBackward(
      dq, gq?.offsets ?? null, gq?.strideRow ?? 0, dk, gk?.offsets ?? null, gk?.strideRow ?? 0, dv, gv?.offsets ?? null, gv?.strideRow ?? 0,
      dOut, g.offsets, g.strideRow, out, o.offsets, o.strideRow, lse,
      data(q), q.offsets, q.strideRow, data(k), k.offsets, k.strideRow, data(v), v.offsets, v.strideRow,
      md, additive, mo, mt, ms, attentionSizes(sz, half, half !== null && this.bf16Products(half)), this.threadsFor(2.5 * attentionWork(sz)),
    ));
  }

  override lstmCellForward(
    h: FloatArray, c: FloatArray, gates: FloatArray, tanhC: FloatArray,
    xg: FloatArray, hg: FloatArray, cPrev: FloatArray, peephole: FloatArray | null, coupled: boolean,
    batch: number, hidden: number,
  ): void {
    if (isF32(h) && isF32(c) && isF32(gates) && isF32(tanhC) && isF32(xg) && isF32(hg) && isF32(cPrev) && isF32OrNull(peephole)) {
      this.call(() => this.k.lstmForward(h, c, gates, tanhC, xg, hg, cPrev, peephole, coupled, batch, hidden));
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
      this.call(() => this.k.lstmBackward(dPre, dcPrev, dPeephole, dh, dc, gates, cPrev, c, tanhC, peephole, coupled, batch, hidden));
    } else super.lstmCellBackward(dPre, dcPrev, dPeephole, dh, dc, gates, cPrev, c, tanhC, peephole, coupled, batch, hidden);
  }

  override gruCellForward(
    h: FloatArray, gates: FloatArray, xg: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
  ): void {
    if (isF32(h) && isF32(gates) && isF32(xg) && isF32(hg) && isF32(hPrev)) this.call(() => this.k.gruForward(h, gates, xg, hg, hPrev, batch, hidden));
    else super.gruCellForward(h, gates, xg, hg, hPrev, batch, hidden);
  }

  override gruCellBackward(
    dxg: FloatArray, dhg: FloatArray, dhPrev: FloatArray,
    dh: FloatArray, gates: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
  ): void {
    if (isF32(dxg) && isF32(dhg) && isF32(dhPrev) && isF32(dh) && isF32(gates) && isF32(hg) && isF32(hPrev)) {
      this.call(() => this.k.gruBackward(dxg, dhg, dhPrev, dh, gates, hg, hPrev, batch, hidden));
    } else super.gruCellBackward(dxg, dhg, dhPrev, dh, gates, hg, hPrev, batch, hidden);
  }

  override rnnCellForward(
    h: FloatArray, xg: FloatArray, hg: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
  ): void {
    if (isF32(h) && isF32(xg) && isF32(hg)) this.call(() => this.k.rnnForward(h, xg, hg, nonlinearity === "relu", batch * hidden));
    else super.rnnCellForward(h, xg, hg, nonlinearity, batch, hidden);
  }

  override rnnCellBackward(
    dPre: FloatArray, dh: FloatArray, h: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
  ): void {
    if (isF32(dPre) && isF32(dh) && isF32(h)) this.call(() => this.k.rnnBackward(dPre, dh, h, nonlinearity === "relu", batch * hidden));
    else super.rnnCellBackward(dPre, dh, h, nonlinearity, batch, hidden);
  }

  /** Runs a native call, turning the glue's range errors (an operand too short for its sizes) into ShapeErrors. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof RangeError) throw new ShapeError(e.message);
      throw e;
    }
  }

  /**
   * out[m,n] = A[m,k]·op(B) (+ out with `accumulate`) with A and B holding bfloat16 bit patterns (the
   * upper halves of float32s) and float32 products and sums, on AMX tiles (`amx`) or by AVX-512 BF16
   * dot products; B is [k,n], or [n,k] with transB. Throws ValueError where the CPU has neither.
   */
  matmulBf16(out: Float32Array, a: Uint16Array, b: Uint16Array, m: number, n: number, k: number, transB = false, accumulate = false): void {
    if (!this.amx && !this.features.avx512bf16) throw new ValueError("matmulBf16: this CPU has no AVX-512 BF16 instructions or AMX tiles");
    for (const [name, v] of [["m", m], ["n", n], ["k", k]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new ShapeError(`matmulBf16: ${name} must be a non-negative integer, got ${v}`);
    }
    this.call(() => this.native.gemmBf16(out, a, b, m, n, k, transB, accumulate, this.threadsFor(2 * m * n * k), this.amx));
  }
  /**
   * The bf16 product over a whole MatmulLayout (backend.ts `matmulBf16Layout`): operands read in place
   * through their transposes, row strides and batch strides; float32 `out`, or bf16 `out` rounded once
   * in the kernel (no float32 result array). AMX tiles where `amx`, else AVX-512 BF16 dot products.
   */
  matmulBf16Layout(out: Float32Array | Uint16Array, a: Uint16Array, b: Uint16Array, layout: MatmulLayout): void {
    if (!this.hasBf16Matmul) throw new ValueError("matmulBf16Layout: this CPU has no AVX-512 BF16 instructions or AMX tiles");
    const { batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, accumulate } = layout;
    const { bias, ldA, ldB, outHalf } = checkHalfLayout("matmulBf16Layout", "bfloat16", out, layout);
    // The glue checks the row lengths against ldA/ldB and every operand's span against its length.
    this.call(() => this.native.gemmBf16Layout(
      out, a, b, bias, batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, ldA, ldB, accumulate,
      this.threadsFor(2 * batch * m * n * k), this.amx, outHalf,
    ));
  }

  /**
   * The float16 product over a whole MatmulLayout (backend.ts `matmulF16Layout`, kernels/gemm.cc
   * gemm_f16): operands read in place, widened a block at a time into the float32 GEMM's packing.
   */
  matmulF16Layout(out: Float32Array | Uint16Array, a: Uint16Array, b: Uint16Array, layout: MatmulLayout): void {
    const { batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, accumulate } = layout;
    const { bias, ldA, ldB, outHalf } = checkHalfLayout("matmulF16Layout", "float16", out, layout);
    // The glue checks the row lengths against ldA/ldB and every operand's span against its length.
    this.call(() => this.k.gemmF16(
      out, a, b, bias, batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, ldA, ldB, accumulate,
      this.threadsFor(2 * batch * m * n * k), outHalf,
    ));
  }

  /** GELU on half bits (kernels/half.cc), bit-identical to geluForward on the widened values, rounded. */
  geluForwardHalf(dtype: HalfBits, out: Uint16Array, x: Uint16Array, n: number, approximate: GeluApproximation): void {
    this.call(() => this.native.half.geluForward(out, x, n, approximate === "tanh", this.threadsFor(n * ROW_ELEMENT_WORK), dtype === "float16"));
  }

  /**
   * float32 a op b with b in half bits (kernels/half.cc), the same bits as `binary` on a widened b;
   * false (nothing written) for ops other than the four arithmetic ones, which the caller then runs on
   * a widened copy.
   */
  binaryMixedHalf(dtype: HalfBits, op: BinaryOpCode, out: Float32Array, a: Float32Array, b: Uint16Array, swapped: boolean): boolean {
    if (!isArithmetic(op)) return false;
    this.call(() => this.native.half.binaryMixed(op, out, a, b, out.length, swapped, this.threadsFor(out.length * ROW_ELEMENT_WORK), dtype === "float16"));
    return true;
  }

  /** Column sums of half bits into float32 (kernels/half.cc), the same bits as `sumColumns` on a widened copy. */
  sumColumnsHalf(dtype: HalfBits, out: Float32Array, x: Uint16Array, rows: number, cols: number): void {
    this.call(() => this.native.half.sumColumns(out, x, rows, cols, this.threadsFor(rows * cols * ROW_ELEMENT_WORK), dtype === "float16"));
  }

  /** Cross-entropy rows of half logits (kernels/half.cc), the same bits as crossEntropyForward on a widened copy. */
  crossEntropyForwardHalf(
    dtype: HalfBits, logits: Uint16Array, targets: Int32Array, weight: Float32Array | null, rows: number, classes: number, ignoreIndex: number,
  ): CrossEntropyRows {
    checkTargets(targets, rows, classes, ignoreIndex);
    const lse = new Float64Array(rows);
    const nll = new Float64Array(rows);
    const smooth = new Float64Array(rows);
    this.call(() => this.native.half.crossEntropyForward(
      lse, nll, smooth, logits, targets, weight, rows, classes, ignoreIndex, this.threadsFor(rows * classes * ROW_ELEMENT_WORK), dtype === "float16",
    ));
    return { lse, nll, smooth };
  }

  /** Half dlogits of half logits (kernels/half.cc): crossEntropyBackward on a widened copy, rounded once. */
  crossEntropyBackwardHalf(
    dtype: HalfBits, dlogits: Uint16Array, logits: Uint16Array, targets: Int32Array, weight: Float32Array | null, lse: Float64Array,
    gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number,
  ): void {
    checkTargets(targets, rows, classes, ignoreIndex);
    this.call(() => this.native.half.crossEntropyBackward(
      dlogits, logits, targets, weight, lse, gNll, gSmooth, rows, classes, ignoreIndex, this.threadsFor(rows * classes * ROW_ELEMENT_WORK),
      dtype === "float16",
    ));
  }

  /** LayerNorm on half bits (kernels/half.cc): the float32 kernel on rows widened a chunk at a time, rounded once. */
  layerNormForwardHalf(
    dtype: HalfBits, out: Uint16Array, mean: Float32Array, rstd: Float32Array, x: Uint16Array, w: Uint16Array | null,
    b: Uint16Array | null, rows: number, cols: number, eps: number,
  ): void {
    this.call(() => this.native.half.layerNormForward(
      out, mean, rstd, x, w, b, rows, cols, eps, this.threadsFor(rows * cols * ROW_ELEMENT_WORK), dtype === "float16",
    ));
  }

  /** LayerNorm's gradients on half bits (kernels/half.cc): dx rounded once, dw/db float32 in the float32 kernel's order. */
  layerNormBackwardHalf(
    dtype: HalfBits, dx: Uint16Array | null, dw: Float32Array | null, db: Float32Array | null, dy: Uint16Array,
    x: Uint16Array, mean: Float32Array, rstd: Float32Array, w: Uint16Array | null, rows: number, cols: number,
  ): void {
    this.call(() => this.native.half.layerNormBackward(
      dx, dw, db, dy, x, mean, rstd, w, rows, cols, this.threadsFor(rows * cols * ROW_ELEMENT_WORK), dtype === "float16",
    ));
  }

  /** softmax/logSoftmax rows on half bits (kernels/half.cc), rounded once. */
  softmaxForwardHalf(dtype: HalfBits, out: Uint16Array, x: Uint16Array, rows: number, cols: number, log: boolean): void {
    this.call(() => this.native.half.softmaxForward(out, x, rows, cols, log, this.threadsFor(rows * cols * ROW_ELEMENT_WORK), dtype === "float16"));
  }

  /** The softmax gradient on half bits from the input (the float32 output recomputed per chunk), rounded once. */
  softmaxBackwardHalf(dtype: HalfBits, dx: Uint16Array, dy: Uint16Array, x: Uint16Array, rows: number, cols: number, log: boolean): void {
    this.call(() => this.native.half.softmaxBackward(dx, dy, x, rows, cols, log, this.threadsFor(rows * cols * ROW_ELEMENT_WORK), dtype === "float16"));
  }

  /** The GELU gradient on half bits (kernels/half.cc), bit-identical to geluBackward on the widened values, rounded. */
  geluBackwardHalf(dtype: HalfBits, dx: Uint16Array, dy: Uint16Array, x: Uint16Array, n: number, approximate: GeluApproximation): void {
    this.call(() => this.native.half.geluBackward(dx, dy, x, n, approximate === "tanh", this.threadsFor(n * ROW_ELEMENT_WORK), dtype === "float16"));
  }
}

/** Whether the native attention kernel computes this call (float32 operands, no ALiBi, a mask it reads). */
function nativeAttention(q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, mask: AttentionMask | null, sz: AttentionSizes): boolean {
  return sz.alibi === null && q.data instanceof Float32Array && k.data instanceof Float32Array && v.data instanceof Float32Array &&
    (mask === null || (mask.additive ? mask.data instanceof Float32Array : mask.data instanceof Uint8Array));
}

/** Whether the native kernel takes this bf16 attention: no ALiBi, no mask or a boolean one. */
function nativeHalfAttention(mask: AttentionMask | null, sz: AttentionSizes): boolean {
  return sz.alibi === null && (mask === null || (!mask.additive && mask.data instanceof Uint8Array));
}

function maskArgs(mask: AttentionMask | null): [Uint8Array | Float32Array | null, boolean, Int32Array | null, number, number] {
  if (!mask) return [null, false, null, 0, 0];
  return [mask.data as Uint8Array | Float32Array, mask.additive, mask.offsets, mask.strideT, mask.strideS];
}

/** The kernels' sizes vector; `half` names the format of half operands (null: float32 ones; float16 sets the last entry). */
function attentionSizes(sz: AttentionSizes, half: HalfBits | null = null, bf16Products = false): Float64Array {
  const causal = sz.causalOffset !== null;
  return Float64Array.of(
    sz.n, sz.t, sz.s, sz.d, sz.dv, sz.scale, causal ? 1 : 0, sz.causalOffset ?? 0, sz.dropout, sz.seed[0] >>> 0, sz.seed[1] >>> 0,
    half === "float16" ? 1 : 0, bf16Products ? 1 : 0,
  );
}

/** Flops of the forward's two products (Q·Kᵀ and P·V), for the threading threshold. */
function attentionWork(sz: AttentionSizes): number {
  return 2 * sz.n * sz.t * sz.s * (sz.d + sz.dv);
}

/**
 * The checks a half-operand product's layout must pass before the glue reads it (sizes and strides
 * whole and non-negative, a float32 bias of n, a half out that does not accumulate), and its row
 * strides with their defaults.
 */
function checkHalfLayout(
  op: string, half: "bfloat16" | "float16", out: Float32Array | Uint16Array, layout: MatmulLayout,
): { bias: Float32Array | null; ldA: number; ldB: number; outHalf: boolean } {
  const { batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, accumulate } = layout;
  const bias = layout.bias ?? null;
  if (bias !== null && !(bias instanceof Float32Array)) throw new ValueError(`${op}: the bias must be a Float32Array`);
  const outHalf = out instanceof Uint16Array;
  if (outHalf && accumulate) throw new ValueError(`${op}: a ${half} out cannot accumulate`);
  for (const [name, v] of [["batch", batch], ["m", m], ["n", n], ["k", k]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ShapeError(`${op}: ${name} must be a non-negative integer, got ${v}`);
  }
  checkBias(bias, accumulate, n);
  const ldA = layout.ldA ?? (transA ? m : k);
  const ldB = layout.ldB ?? (transB ? k : n);
  for (const [name, v] of [["ldA", ldA], ["ldB", ldB], ["strideA", strideA], ["strideB", strideB], ["offsetA", offsetA], ["offsetB", offsetB]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ShapeError(`${op}: ${name} must be a non-negative integer, got ${v}`);
  }
  return { bias, ldA, ldB, outHalf };
}

/** The typed array class an element array is (a subclass such as BFloat16Storage counts as its base). */
function elementKind(a: ElementArray): string | null {
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Uint16Array) return "u16";
  if (a instanceof Uint8Array) return "u8";
  return null;
}

function isF32(a: FloatArray): a is Float32Array {
  return a instanceof Float32Array;
}

function isF32OrNull(a: FloatArray | null): a is Float32Array | null {
  return a === null || a instanceof Float32Array;
}

function isArithmetic(op: BinaryOpCode): boolean {
  return op === BinaryOp.add || op === BinaryOp.sub || op === BinaryOp.mul || op === BinaryOp.div;
}

/** The kernels index logits by target: every target must be a class or the ignore index. */
function checkTargets(targets: Int32Array, rows: number, classes: number, ignoreIndex: number): void {
  if (targets.length < rows) throw new ShapeError(`crossEntropy: ${rows} rows need ${rows} targets, got ${targets.length}`);
  for (let i = 0; i < rows; i++) {
    const y = targets[i] as number;
    if (y !== ignoreIndex && (y < 0 || y >= classes)) throw new IndexError(`crossEntropy: target ${y} of row ${i} is outside [0, ${classes})`);
  }
}

/** A new native backend (throws NativeUnavailableError, saying why, where it cannot run). */
export function createNativeBackend(options: NativeBackendOptions = {}): NativeBackend {
  return new NativeBackend(options);
}

export { defaultThreadCount };
