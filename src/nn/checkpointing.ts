/**
 * Gradient checkpointing of a model's block stack (Chen et al. 2016): with `every = k`, blocks 0, k,
 * 2k, … run under `checkpoint`, so only their inputs are kept and their activations are recomputed
 * during backward (k = 1: every block, O(layers) fewer activations; larger k trades back memory for
 * less recomputation). Values and gradients are bit-identical to running without it (autograd/checkpoint.ts
 * replays the dropout RNG and the autocast state).
 */
import { ValueError } from "../errors.js";
import { checkpoint } from "../autograd/checkpoint.js";

/** Models whose blocks can be checkpointed: GPT, BERT and T5 (0 = off, k = every k-th block). */
export interface GradientCheckpointed {
  /** 0: off; k ≥ 1: checkpoint every k-th block (k = 1: every block). Applies in training mode only. */
  gradientCheckpointing: number;
}

/** Checks an every-k setting: an integer ≥ 0 (0 = off). */
export function checkCheckpointEvery(every: number, op: string): number {
  if (!Number.isInteger(every) || every < 0) throw new ValueError(`${op}: gradient checkpointing must be an integer ≥ 0 (0: off, k: every k-th block), got ${every}`);
  return every;
}

/** Runs block `index` as `fn(...args)`, under `checkpoint` when `active` and the index is a multiple of `every` (> 0). */
export function checkpointBlock<A extends unknown[], R>(every: number, index: number, active: boolean, fn: (...args: A) => R, ...args: A): R {
  return active && every > 0 && index % every === 0 ? checkpoint(fn, ...args) : fn(...args);
}
