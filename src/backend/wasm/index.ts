/**
 * The fast CPU backend (DESIGN.md decision 3): float32 kernels compiled to WebAssembly SIMD from
 * ./assembly, split across a worker_threads pool over shared memory. Anything it has no kernel for
 * (float64 checking runs, ops not yet ported) falls through to the reference backend it extends.
 */
import os from "node:os";
import type { FloatArray, MatmulLayout } from "../backend.js";
import { ValueError } from "../../errors.js";
import { ReferenceBackend } from "../reference/index.js";
import { compileKernels, type KernelVariant } from "./loader.js";
import { matmulF32, PARALLEL_MIN_FLOPS, type MatmulContext } from "./matmul.js";
import { KernelMemory } from "./memory.js";
import { WorkerPool } from "./pool.js";

export type { KernelVariant } from "./loader.js";

export interface WasmBackendOptions {
  /** Threads including the main one. Default: `LOOM_THREADS`, else the number of available cores. */
  threads?: number;
  /** Kernel build to use. Default: relaxed SIMD where the engine accepts it, else plain SIMD. */
  variant?: KernelVariant;
  /**
   * Products below this many flops run on the calling thread only (default ≈ 4·10⁶, where waking the
   * workers starts to pay off). Tests set 0 to send every product through the pool.
   */
  parallelMinFlops?: number;
}

export class WasmBackend extends ReferenceBackend {
  override readonly name: string = "wasm";
  readonly threads: number;
  /** Which kernel build runs: "relaxed-simd" (fused multiply-add) or "simd". */
  readonly variant: KernelVariant;
  private readonly ctx: MatmulContext;

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
    this.ctx = { memory, pool, parallelMinFlops: options.parallelMinFlops ?? PARALLEL_MIN_FLOPS };
  }

  override matmul(out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout): void {
    if (out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array) {
      matmulF32(this.ctx, out, a, b, layout);
    } else {
      super.matmul(out, a, b, layout);
    }
  }
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
