/**
 * Garbage-collection timing for training loops (Node only).
 *
 * A training step allocates its forward activations as fresh typed arrays whose bytes live outside
 * V8's heap; V8 collects them only in a full (mark-compact) GC, which it starts once ~64 MiB of new
 * external memory has piled up since the last one — at whatever point of a step that falls.
 * `hintStepGarbage()` at each step boundary, where the finished step's activations are all garbage,
 * moves that start there: an untouched 64 MiB ArrayBuffer, dropped at once, counts as new external
 * memory and so makes V8 start collecting now instead of part-way through the next step — under the
 * `loom` binary's flags (src/cli/main.ts: marking in one pause) a whole collection there and then, under
 * Node's defaults an incremental, concurrent marking that runs beside the next step. The buffer is never
 * written, so its pages are never made resident (a zero-filled allocation this large is a fresh
 * mapping); the cost is a map and an unmap. Measured before the binary's marking flags (TINY in a
 * process of its own, bench/gpt-train-process.mjs, 2 threads): peak RSS 228–244 MiB without the hint,
 * 199–219 with it, 187–205 with it and the binary's smaller young generation; the loss bits the same.
 *
 * `fullGarbageCollector` is `--gc-between-steps`'s collector (cli/step-gc.ts): a synchronous full GC
 * after every step, which frees more but costs ~10 ms of main-thread time per step.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collector: (() => void) | null | undefined;

/**
 * A function that runs a full, synchronous garbage collection, or null where the runtime does not
 * provide one (then training simply leaves collection to V8). The same function each call.
 *
 * Node exposes `gc` only under `--expose-gc`; setting that flag at run time makes V8 install `gc` in
 * contexts created afterwards, so a fresh `vm` context hands the function over without a launcher
 * flag (or `NODE_OPTIONS`) the user would have to pass.
 */
export function fullGarbageCollector(): (() => void) | null {
  if (collector !== undefined) return collector;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === "function") {
    collector = exposed as () => void;
    return collector;
  }
  try {
    setFlagsFromString("--expose-gc");
    const made: unknown = runInNewContext("gc");
    collector = typeof made === "function" ? (made as () => void) : null;
  } catch {
    collector = null;
  }
  return collector;
}

/** External bytes that make V8 start marking: its soft limit on external growth between GCs. */
const HINT_BYTES = 64 * 1024 * 1024;

/** The hint buffer, held only for the statement that makes it (a module slot, so the allocation is not optimised away). */
let hint: ArrayBuffer | null = null;

/** Tells V8 at a step boundary that garbage is waiting, so that it starts marking now (see the file comment). */
export function hintStepGarbage(): void {
  try {
    hint = new ArrayBuffer(HINT_BYTES);
  } catch {
    // No address space for the hint: V8 collects when it would have anyway.
  }
  hint = null;
}

/** Whether a hint buffer is held (never, outside hintStepGarbage; for tests). */
export function holdsHint(): boolean {
  return hint !== null;
}
