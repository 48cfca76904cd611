/**
 * Finds and loads the native kernels built by scripts/build-steps/20-native.mjs (build/loom-native.node)
 * and picks the instruction set to run from the CPU's features: AVX-512 (F, VL, BW, DQ) where present,
 * else AVX2 with FMA; anything else cannot run them. When the module is missing, the build step's reason
 * (build/loom-native.json) is part of the error, so "why not native" has one answer.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LoomError } from "../../errors.js";
import type { ElementArray } from "../backend.js";

export type NativeIsa = "avx512" | "avx2";

/** Kernels of one instruction set (src/backend/native/kernels/module.cc gives the argument orders). */
export interface NativeKernels {
  gemm(
    out: Float32Array, a: Float32Array, b: Float32Array, bias: Float32Array | null, batch: number, m: number, n: number, k: number,
    transA: boolean, transB: boolean, strideA: number, strideB: number, offsetA: number, offsetB: number, ldA: number, ldB: number,
    accumulate: boolean, threads: number,
  ): void;
  /** `gemm` on float16 operands (bits in Uint16Array); float32 out, or float16 out rounded once with outF16 (no accumulate). */
  gemmF16(
    out: Float32Array | Uint16Array, a: Uint16Array, b: Uint16Array, bias: Float32Array | null, batch: number, m: number, n: number, k: number,
    transA: boolean, transB: boolean, strideA: number, strideB: number, offsetA: number, offsetB: number, ldA: number, ldB: number,
    accumulate: boolean, threads: number, outF16: boolean,
  ): void;
  /**
   * sizes: [n, t, s, d, dv, scale, causal 0/1, causalOffset, dropout, seed0, seed1]; mask data Uint8Array (keep ≠ 0) or additive
   * Float32Array. q, k, v may be Uint16Arrays of bfloat16 bits (widened as read); outHalf (out's length) gets out rounded to bf16.
   */
  attentionForward(
    out: Float32Array, outOffsets: Int32Array, outStride: number, lse: Float64Array,
    q: Float32Array | Uint16Array, qOffsets: Int32Array, qStride: number, k: Float32Array | Uint16Array, kOffsets: Int32Array, kStride: number,
    v: Float32Array | Uint16Array, vOffsets: Int32Array, vStride: number,
    mask: Uint8Array | Float32Array | null, additive: boolean, maskOffsets: Int32Array | null, maskStrideT: number, maskStrideS: number,
    sizes: Float64Array, threads: number, outHalf: Uint16Array | null,
  ): void;
  /** dq, dk, dv (rounded once), dOut, q, k, v may be Uint16Arrays of bfloat16 bits; out is float32. */
  attentionBackward(
    dq: Float32Array | Uint16Array | null, dqOffsets: Int32Array | null, dqStride: number,
    dk: Float32Array | Uint16Array | null, dkOffsets: Int32Array | null, dkStride: number,
    dv: Float32Array | Uint16Array | null, dvOffsets: Int32Array | null, dvStride: number,
    dOut: Float32Array | Uint16Array, dOutOffsets: Int32Array, dOutStride: number,
    out: Float32Array, outOffsets: Int32Array, outStride: number, lse: Float64Array,
    q: Float32Array | Uint16Array, qOffsets: Int32Array, qStride: number, k: Float32Array | Uint16Array, kOffsets: Int32Array, kStride: number,
    v: Float32Array | Uint16Array, vOffsets: Int32Array, vStride: number,
    mask: Uint8Array | Float32Array | null, additive: boolean, maskOffsets: Int32Array | null, maskStrideT: number, maskStrideS: number,
    sizes: Float64Array, threads: number,
  ): void;
  lstmForward(
    h: Float32Array, c: Float32Array, gates: Float32Array, tanhC: Float32Array, xg: Float32Array, hg: Float32Array, cPrev: Float32Array,
    peephole: Float32Array | null, coupled: boolean, batch: number, hidden: number,
  ): void;
  lstmBackward(
    dPre: Float32Array, dcPrev: Float32Array, dPeephole: Float32Array | null, dh: Float32Array, dc: Float32Array | null,
    gates: Float32Array, cPrev: Float32Array, c: Float32Array, tanhC: Float32Array, peephole: Float32Array | null, coupled: boolean,
    batch: number, hidden: number,
  ): void;
  gruForward(h: Float32Array, gates: Float32Array, xg: Float32Array, hg: Float32Array, hPrev: Float32Array, batch: number, hidden: number): void;
  gruBackward(
    dxg: Float32Array, dhg: Float32Array, dhPrev: Float32Array, dh: Float32Array, gates: Float32Array, hg: Float32Array, hPrev: Float32Array,
    batch: number, hidden: number,
  ): void;
  rnnForward(h: Float32Array, xg: Float32Array, hg: Float32Array, relu: boolean, n: number): void;
  rnnBackward(dPre: Float32Array, dh: Float32Array, h: Float32Array, relu: boolean, n: number): void;
  geluForward(out: Float32Array, x: Float32Array, n: number, tanh: boolean, threads: number): void;
  geluBackward(dx: Float32Array, dy: Float32Array, x: Float32Array, n: number, tanh: boolean, threads: number): void;
  toBf16(out: Uint16Array, x: Float32Array, n: number, threads: number): void;
  fromBf16(out: Float32Array, x: Uint16Array, n: number, threads: number): void;
  toF16(out: Uint16Array, x: Float32Array, n: number, threads: number): void;
  fromF16(out: Float32Array, x: Uint16Array, n: number, threads: number): void;
  dropout(out: Float32Array, x: Float32Array, n: number, p: number, seed0: number, seed1: number, threads: number): void;
  layerNormForward(
    out: Float32Array, mean: Float32Array, rstd: Float32Array, x: Float32Array, w: Float32Array | null, b: Float32Array | null,
    rows: number, cols: number, eps: number, threads: number,
  ): void;
  layerNormBackward(
    dx: Float32Array | null, dw: Float32Array | null, db: Float32Array | null, dy: Float32Array, x: Float32Array,
    mean: Float32Array, rstd: Float32Array, w: Float32Array | null, rows: number, cols: number, threads: number,
  ): void;
  rmsNormForward(
    out: Float32Array, rstd: Float32Array, x: Float32Array, w: Float32Array | null, rows: number, cols: number, eps: number, threads: number,
  ): void;
  rmsNormBackward(
    dx: Float32Array | null, dw: Float32Array | null, dy: Float32Array, x: Float32Array, rstd: Float32Array, w: Float32Array | null,
    rows: number, cols: number,
  ): void;
  softmaxForward(out: Float32Array, x: Float32Array, rows: number, cols: number, log: boolean, threads: number): void;
  softmaxBackward(dx: Float32Array, dy: Float32Array, y: Float32Array, rows: number, cols: number, log: boolean, threads: number): void;
  crossEntropyForward(
    lse: Float64Array, nll: Float64Array, smooth: Float64Array, logits: Float32Array, targets: Int32Array, weight: Float32Array | null,
    rows: number, classes: number, ignoreIndex: number, threads: number,
  ): void;
  crossEntropyBackward(
    dlogits: Float32Array, logits: Float32Array, targets: Int32Array, weight: Float32Array | null, lse: Float64Array,
    gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number, threads: number,
  ): void;
  adamw(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, maxExpAvgSq: Float32Array | null,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, stepSize: number, biasCorrection2Sqrt: number,
    decoupled: boolean, maximize: boolean,
  ): void;
  binary(op: number, out: Float32Array, a: Float32Array, b: Float32Array, n: number, threads: number): void;
  binaryScalar(op: number, out: Float32Array, a: Float32Array, y: number, n: number): void;
  binaryRows(op: number, out: Float32Array, full: Float32Array, block: Float32Array, rows: number, cols: number, swapped: boolean): void;
  sum(x: Float32Array, n: number): number;
  sumRows(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
  sumColumns(out: Float32Array, x: Float32Array, rows: number, cols: number, threads: number): void;
  embeddingForward(out: Float32Array, weight: Float32Array, ids: Int32Array, n: number, dim: number, num: number): void;
  embeddingBackward(dWeight: Float32Array, dOut: Float32Array, ids: Int32Array, n: number, dim: number, num: number, paddingIdx: number): void;
}

export interface CpuFeatures {
  avx512f: boolean;
  avx512bf16: boolean;
  avx512vnni: boolean;
  /** AMX-BF16 tiles, with the OS's permission for this process. */
  amxbf16: boolean;
  avx2: boolean;
}

/** Row kernels on half bits (kernels/half.cc; AVX-512 only): the last argument is true for float16, false for bfloat16. */
export interface NativeHalfKernels {
  geluForward(out: Uint16Array, x: Uint16Array, n: number, tanh: boolean, threads: number, f16: boolean): void;
  geluBackward(dx: Uint16Array, dy: Uint16Array, x: Uint16Array, n: number, tanh: boolean, threads: number, f16: boolean): void;
  binaryMixed(op: number, out: Float32Array, a: Float32Array, b: Uint16Array, n: number, swapped: boolean, threads: number, f16: boolean): void;
  sumColumns(out: Float32Array, x: Uint16Array, rows: number, cols: number, threads: number, f16: boolean): void;
  crossEntropyForward(
    lse: Float64Array, nll: Float64Array, smooth: Float64Array, logits: Uint16Array, targets: Int32Array, weight: Float32Array | null,
    rows: number, classes: number, ignoreIndex: number, threads: number, f16: boolean,
  ): void;
  crossEntropyBackward(
    dlogits: Uint16Array, logits: Uint16Array, targets: Int32Array, weight: Float32Array | null, lse: Float64Array,
    gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number, threads: number, f16: boolean,
  ): void;
  layerNormForward(
    out: Uint16Array, mean: Float32Array, rstd: Float32Array, x: Uint16Array, w: Uint16Array | null, b: Uint16Array | null,
    rows: number, cols: number, eps: number, threads: number, f16: boolean,
  ): void;
  layerNormBackward(
    dx: Uint16Array | null, dw: Float32Array | null, db: Float32Array | null, dy: Uint16Array, x: Uint16Array, mean: Float32Array,
    rstd: Float32Array, w: Uint16Array | null, rows: number, cols: number, threads: number, f16: boolean,
  ): void;
  softmaxForward(out: Uint16Array, x: Uint16Array, rows: number, cols: number, log: boolean, threads: number, f16: boolean): void;
  softmaxBackward(dx: Uint16Array, dy: Uint16Array, x: Uint16Array, rows: number, cols: number, log: boolean, threads: number, f16: boolean): void;
}

export interface NativeModule {
  features(): CpuFeatures;
  /**
   * Sets glibc's mmap threshold to 32 MiB and its trim threshold to 1 GiB (kernels/module.cc TuneAllocator), so that
   * activation-sized buffers are reused from the heap instead of coming back as fresh pages; false
   * where the C library is not glibc.
   */
  tuneAllocator(): boolean;
  /** dst view ← src view (one typed array type): dims [nd, dstOffset, srcOffset, sizes…, dstStrides…, srcStrides…]. */
  copyStrided(dst: ElementArray, src: ElementArray, dims: Float64Array): void;
  /** out[m,n] (+)= A[m,k]·op(B) on bfloat16 bits: AMX tiles with `amx`, else AVX-512 BF16 dot products. */
  gemmBf16(
    out: Float32Array, a: Uint16Array, b: Uint16Array, m: number, n: number, k: number, transB: boolean, accumulate: boolean, threads: number,
    amx: boolean,
  ): void;
  /**
   * The bf16 product over a whole MatmulLayout (transposed and strided operands, batches, a float32
   * bias), into float32 out or, with outBf16, rounded once into bfloat16 out.
   */
  gemmBf16Layout(
    out: Float32Array | Uint16Array, a: Uint16Array, b: Uint16Array, bias: Float32Array | null,
    batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, strideA: number, strideB: number,
    offsetA: number, offsetB: number, ldA: number, ldB: number, accumulate: boolean, threads: number, amx: boolean, outBf16: boolean,
  ): void;
  /** Half-precision row kernels (bf16 or fp16 in, the same out), compiled for AVX-512: see kernels/half.cc. */
  half: NativeHalfKernels;
  avx512: NativeKernels;
  avx2: NativeKernels;
}

/** The native kernels cannot run here; the message says why (not built, and the build's reason; CPU). */
export class NativeUnavailableError extends LoomError {}

// build/ sits at the repository root, three levels above this file in src/ and in dist/ alike;
// LOOM_NATIVE_DIR points elsewhere (the build step writes there too), e.g. to test a failed build.
const buildDir = process.env.LOOM_NATIVE_DIR ? pathToFileURL(process.env.LOOM_NATIVE_DIR + "/") : new URL("../../../build/", import.meta.url);
let loaded: NativeModule | undefined;

/** Loads build/loom-native.node once per process; throws NativeUnavailableError saying why it cannot. */
export function loadNativeModule(): NativeModule {
  if (loaded) return loaded;
  const path = fileURLToPath(new URL("loom-native.node", buildDir));
  if (!existsSync(path)) throw new NativeUnavailableError(`native kernels not built (${buildReason()})`);
  try {
    loaded = createRequire(import.meta.url)(path) as NativeModule;
  } catch (e) {
    throw new NativeUnavailableError(`native kernels failed to load: ${(e as Error).message}`);
  }
  return loaded;
}

/** What the build step recorded about why it did not build the module. */
function buildReason(): string {
  const status = fileURLToPath(new URL("loom-native.json", buildDir));
  if (!existsSync(status)) return "no native build step has run; run `npm run build`";
  try {
    const parsed = JSON.parse(readFileSync(status, "utf8")) as { reason?: unknown };
    return typeof parsed.reason === "string" ? parsed.reason : "the module is missing from build/";
  } catch {
    return "build/loom-native.json is unreadable";
  }
}

/**
 * The instruction set to run: `wanted` if given (throws if the CPU lacks it), else the best one the CPU
 * has. Throws NativeUnavailableError on a CPU with neither.
 */
export function chooseIsa(features: CpuFeatures, wanted?: NativeIsa): NativeIsa {
  const has: Record<NativeIsa, boolean> = { avx512: features.avx512f, avx2: features.avx2 };
  if (wanted !== undefined) {
    if (!has[wanted]) throw new NativeUnavailableError(`native kernels: this CPU has no ${wanted === "avx512" ? "AVX-512 (F/VL/BW/DQ)" : "AVX2+FMA"}`);
    return wanted;
  }
  if (has.avx512) return "avx512";
  if (has.avx2) return "avx2";
  throw new NativeUnavailableError("native kernels: this CPU has neither AVX-512 nor AVX2+FMA");
}
