/**
 * A full garbage collection between training steps, for the CLI's training loop.
 *
 * Why: a training step allocates its forward activations as fresh typed arrays (~78 MiB in TINY: 4 ×
 * 128, batch 16 × block 128), all dead once the optimiser has stepped. Their bytes live outside V8's heap
 * (in malloc), and V8 collects old-generation typed arrays only in a full GC, which it starts after about
 * 64 MiB of new external memory — in practice part-way through the next step's forward, so at the
 * forward's peak the heap holds the live activations and the previous step's dead ones too (measured
 * from `dist/` with plain node: peak RSS 220–230 MiB for ~90 MiB of live arrays). A full GC at the step
 * boundary, where nothing of the step is live, frees them before the next forward allocates: TINY's
 * peak RSS falls to ~190 MiB. It costs ~14 ms of main-thread CPU per step; the process's CPU per step is
 * unchanged (V8 would collect the same garbage later), but the collection is synchronous, so on two
 * threads the step's wall time can rise by up to that much (`npm run bench -- gpt` shows both rows).
 *
 * Node exposes `gc` only under `--expose-gc`; setting that flag at run time makes V8 install `gc` in
 * contexts created afterwards, so a fresh `vm` context hands the function over without a launcher
 * flag (or `NODE_OPTIONS`) the user would have to pass.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collector: (() => void) | null | undefined;

/**
 * A function that runs a full, synchronous garbage collection, or null where the runtime does not
 * provide one (then training simply leaves collection to V8, as before). The same function each call.
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

/**
 * The `onStep` hook `loom train --gc-between-steps` passes to the trainer: collects the finished step's
 * activations before the next step allocates its own (see the file comment for the measurement).
 * Never stops the run.
 */
export function collectBetweenSteps(): void {
  fullGarbageCollector()?.();
}
