/**
 * A full garbage collection between training steps, for `loom train --gc-between-steps`.
 *
 * Why: a training step allocates its forward activations as fresh typed arrays (~78 MiB in TINY: 4 ×
 * 128, batch 16 × block 128), all dead once the optimiser has stepped. Their bytes live outside V8's heap
 * (in malloc), and V8 collects old-generation typed arrays only in a full GC, which it starts after about
 * 64 MiB of new external memory — in practice part-way through the next step's forward, so at the
 * forward's peak the heap holds the live activations and the previous step's dead ones too. The trainer
 * already nudges V8 to start marking at each step boundary (train/gc.ts, hintStepGarbage); a full GC
 * there instead frees everything before the next forward allocates, deterministically: TINY's peak RSS
 * falls to ~190 MiB. It costs ~10 ms of main-thread time per step (the collection is synchronous), so
 * it is opt-in (`npm run bench -- gpt` shows both rows).
 */
import { fullGarbageCollector } from "../train/gc.js";

export { fullGarbageCollector };

/**
 * The `onStep` hook `loom train --gc-between-steps` passes to the trainer: collects the finished step's
 * activations before the next step allocates its own (see the file comment). Never stops the run.
 */
export function collectBetweenSteps(): void {
  fullGarbageCollector()?.();
}
