/**
 * What a kernel call needs: the kernel memory, the worker pool (absent with one thread) and the size
 * below which a job stays on the calling thread. Jobs run through one entry point (assembly/job.ts).
 */
import type { KernelMemory } from "./memory.js";
import type { WorkerPool } from "./pool.js";

/** Below this much work (≈ 128³ · 2 flops, ~0.1 ms on one thread) waking workers costs more than it saves. */
export const PARALLEL_MIN_WORK = 1 << 22;
/** Work of one element of an exp-heavy row kernel in flop-equivalents (measured ~1–3 ns vs ~0.02 ns per flop). */
export const ROW_ELEMENT_WORK = 64;

export interface KernelContext {
  memory: KernelMemory;
  /** Present when more than one thread may be used. */
  pool: WorkerPool | undefined;
  /** Jobs with less work than this (in flops or flop-equivalents) run on the calling thread alone. */
  parallelMinWork: number;
}

/** Runs the job at byte offset `job`: on this thread alone, or with the pool when `work` is large enough. */
export function runJob(ctx: KernelContext, job: number, work: number): void {
  const { memory, pool } = ctx;
  const runLocal = (): void => memory.kernels.runJob(job, memory.scratchOf(0));
  if (pool && work >= ctx.parallelMinWork && pool.start()) pool.run(job, runLocal);
  else runLocal();
}
