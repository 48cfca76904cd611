/**
 * Finds, checks and compiles the kernel module built by scripts/build-steps/10-wasm.mjs. Two variants
 * exist: relaxed SIMD (`f32x4.relaxed_madd`, a fused multiply-add on CPUs that have one) and plain
 * 128-bit SIMD. Node 20 ships relaxed SIMD behind a V8 flag, which can be switched on from inside the
 * process before the module is compiled; if the engine still rejects the relaxed module, the plain one
 * is used. Compilation is synchronous (Node allows it for any module size), so nothing here is async.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { LoomError } from "../../errors.js";
import { wasm, type WasmMemory, type WasmModule } from "./webassembly.js";

export type KernelVariant = "relaxed-simd" | "simd";

/** Exports of src/backend/wasm/assembly/index.ts. Pointers are byte offsets; booleans are 0 or 1. */
export interface KernelExports {
  heapBase(): number;
  gemmScratchBytes(): number;
  packedBBytes(k: number, n: number, count: number): number;
  /** The address of the JOB_BYTES global; its value is the size of a job descriptor. */
  JOB_BYTES: { value: number };
  setJob(
    job: number, a: number, b: number, c: number, m: number, n: number, k: number, transA: number, transB: number,
    accumulate: number, strideA: number, strideB: number, products: number, bCount: number, bPacked: number,
    threads: number,
  ): void;
  /** Works on `job` (of any kind) until no units are left; any number of threads may call it at once. */
  runJob(job: number, scratch: number): void;
  /** A row job: `kind` is one of the KIND_* globals; p0..p6 the kernel's arrays in parameter order (assembly/job.ts). */
  setRowJob(
    job: number, kind: number, rows: number, cols: number, chunk: number, flag: number, int: number,
    p0: number, p1: number, p2: number, p3: number, p4: number, p5: number, p6: number,
  ): void;
  KIND_SOFTMAX: { value: number };
  KIND_SOFTMAX_BACKWARD: { value: number };
  KIND_CROSS_ENTROPY: { value: number };
  KIND_CROSS_ENTROPY_BACKWARD: { value: number };
  KIND_GELU: { value: number };
  KIND_GELU_BACKWARD: { value: number };
  /**
   * An attention job (assembly/attention.ts), one row-block per unit: `kind` is KIND_ATTENTION_FORWARD
   * or KIND_ATTENTION_BACKWARD; mask 0 = none, maskStride = bytes between a block's mask rows (0: one row).
   */
  setAttentionJob(
    job: number, kind: number, n: number, t: number, s: number, d: number, dv: number, scale: number, causal: number,
    causalOffset: number, maskStride: number, q: number, k: number, v: number, mask: number, out: number, lse: number,
    dOut: number, dq: number, dk: number, dvGrad: number,
  ): void;
  KIND_ATTENTION_FORWARD: { value: number };
  KIND_ATTENTION_BACKWARD: { value: number };
  // Single-threaded kernels (assembly/layernorm.ts, adamw.ts); pointer 0 means an absent operand.
  layerNormRows(out: number, mean: number, rstd: number, x: number, w: number, b: number, rows: number, cols: number, eps: number): void;
  layerNormRowsBackward(
    dx: number, dw: number, db: number, dy: number, x: number, mean: number, rstd: number, w: number, rows: number, cols: number,
  ): void;
  // RMSNorm and embedding rows, single-threaded (assembly/rmsnorm.ts, embedding.ts); pointer 0 an absent operand.
  rmsNormRows(out: number, rstd: number, x: number, w: number, rows: number, cols: number, eps: number): void;
  rmsNormRowsBackward(dx: number, dw: number, dy: number, x: number, rstd: number, w: number, rows: number, cols: number): void;
  embeddingGather(out: number, table: number, ids: number, n: number, dim: number): void;
  /** skip: the id whose rows are not added (−1: none). */
  embeddingScatterAdd(table: number, dOut: number, ids: number, n: number, dim: number, skip: number): void;
  adamwStep(
    param: number, grad: number, m: number, v: number, maxV: number, n: number, beta1: number, beta2: number,
    eps: number, stepSize: number, bc2: number, decay: number, l2: number, sign: number,
  ): void;
  // Elementwise kernels and sums over contiguous float32 (assembly/elementwise.ts); op codes are the
  // reference's BinaryOp / UnaryOp values. Unary kernels also run as row jobs (KIND_UNARY*, op in `int`).
  binaryF32(op: number, out: number, a: number, b: number, n: number): void;
  binaryScalarF32(op: number, out: number, a: number, y: number, n: number): void;
  binaryRowsF32(op: number, out: number, full: number, block: number, rows: number, cols: number, swapped: number): void;
  unaryF32(op: number, out: number, x: number, n: number): void;
  unaryBackwardF32(op: number, gx: number, g: number, x: number, y: number, n: number): void;
  sumF32(x: number, n: number): number;
  sumRowsF32(out: number, x: number, rows: number, cols: number): void;
  sumColumnsF32(out: number, x: number, rows: number, cols: number): void;
  KIND_UNARY: { value: number };
  KIND_UNARY_BACKWARD: { value: number };
  // Recurrent cells, single-threaded (assembly/recurrent.ts); booleans are 0 or 1, pointer 0 an absent operand.
  lstmCellForward(
    h: number, c: number, gates: number, tanhC: number, xg: number, hg: number, cPrev: number, peephole: number, coupled: number,
    batch: number, hidden: number,
  ): void;
  lstmCellBackward(
    dPre: number, dcPrev: number, dPeephole: number, dh: number, dc: number, gates: number, cPrev: number, c: number,
    tanhC: number, peephole: number, coupled: number, batch: number, hidden: number,
  ): void;
  gruCellForward(h: number, gates: number, xg: number, hg: number, hPrev: number, batch: number, hidden: number): void;
  gruCellBackward(
    dxg: number, dhg: number, dhPrev: number, dh: number, gates: number, hg: number, hPrev: number, batch: number, hidden: number,
  ): void;
  /** Over n = batch·hidden elements; relu 1 for relu, 0 for tanh. */
  rnnCellForward(h: number, xg: number, hg: number, relu: number, n: number): void;
  rnnCellBackward(dPre: number, dh: number, h: number, relu: number, n: number): void;
}

export interface CompiledKernels {
  module: WasmModule;
  variant: KernelVariant;
}

// build/ sits at the repository root; this file is src/backend/wasm/loader.ts under tsx and
// dist/backend/wasm/loader.js once built, so the same relative path reaches it from both.
const buildDir = new URL("../../../build/", import.meta.url);
const files: Record<KernelVariant, string> = {
  "relaxed-simd": "loom-kernels-relaxed.wasm",
  simd: "loom-kernels-simd.wasm",
};

const cache = new Map<KernelVariant, WasmModule>();

/**
 * Compiles the kernel module (once per process and variant): `variant` if given (throws if this engine
 * rejects it), otherwise relaxed SIMD where the engine accepts it and plain SIMD elsewhere.
 */
export function compileKernels(variant?: KernelVariant): CompiledKernels {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
  const order: KernelVariant[] = variant ? [variant] : ["relaxed-simd", "simd"];
  for (const v of order) {
    const cached = cache.get(v);
    if (cached) return { module: cached, variant: v };
    const path = fileURLToPath(new URL(files[v], buildDir));
    if (!existsSync(path)) {
      throw new LoomError(`wasm backend: ${path} is missing; run \`npm run build\` to compile the kernels`);
    }
    const bytes = readFileSync(path);
    if (!wasm.validate(bytes)) continue;
    const module = new wasm.Module(bytes);
    cache.set(v, module);
    return { module, variant: v };
  }
  throw new LoomError(`wasm backend: this engine rejects the ${order.join(" and ")} kernel module`);
}

/** Instantiates the kernels over `memory` (shared between the main thread and the worker pool). */
export function instantiateKernels(module: WasmModule, memory: WasmMemory): KernelExports {
  const instance = new wasm.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
