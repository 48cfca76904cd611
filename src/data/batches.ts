/**
 * Language-model batches from a token stream: random contiguous blocks for training (x = tokens[i..i+T),
 * y = tokens[i+1..i+T+1), as nanoGPT's get_batch), and a fixed, seeded set of blocks for validation so
 * every evaluation sees the same text.
 */
import { ValueError } from "../errors.js";

/** The part of a generator the batcher needs (loom's seeded Generator fits). */
export interface RandomSource {
  randint(low: number, high: number): number;
}

/** A batch of language-model blocks: inputs and next-token targets, row-major [batchSize, blockSize]. */
export interface TokenBatch {
  /** Inputs, row-major [batchSize, blockSize]. */
  x: Int32Array;
  /** Next-token targets, row-major [batchSize, blockSize]. */
  y: Int32Array;
  batchSize: number;
  blockSize: number;
}

export function checkBlock(tokens: ArrayLike<number>, blockSize: number, op: string): void {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new ValueError(`${op}: blockSize must be a positive integer, got ${blockSize}`);
  if (tokens.length < blockSize + 1) {
    throw new ValueError(`${op}: ${tokens.length} tokens are too few for blocks of ${blockSize} (need at least ${blockSize + 1})`);
  }
}

function fill(tokens: ArrayLike<number>, starts: readonly number[], blockSize: number): TokenBatch {
  const B = starts.length;
  const x = new Int32Array(B * blockSize);
  const y = new Int32Array(B * blockSize);
  starts.forEach((s, b) => {
    for (let t = 0; t < blockSize; t++) {
      x[b * blockSize + t] = tokens[s + t] as number;
      y[b * blockSize + t] = tokens[s + t + 1] as number;
    }
  });
  return { x, y, batchSize: B, blockSize };
}

/** A batch of random contiguous blocks. */
export function sampleBatch(tokens: ArrayLike<number>, batchSize: number, blockSize: number, rng: RandomSource): TokenBatch {
  checkBlock(tokens, blockSize, "sampleBatch");
  const starts = Array.from({ length: batchSize }, () => rng.randint(0, tokens.length - blockSize));
  return fill(tokens, starts, blockSize);
}

/**
 * Validation batches: `count` blocks at evenly spaced starts (deterministic, covering the whole
 * stream), grouped into batches of `batchSize`.
 */
export function evaluationBatches(tokens: ArrayLike<number>, blockSize: number, count: number, batchSize: number): TokenBatch[] {
  checkBlock(tokens, blockSize, "evaluationBatches");
  const maxStart = tokens.length - blockSize - 1;
  const n = Math.max(1, Math.min(count, maxStart + 1));
  const starts = Array.from({ length: n }, (_, i) => (n === 1 ? 0 : Math.round((i * maxStart) / (n - 1))));
  const out: TokenBatch[] = [];
  for (let i = 0; i < starts.length; i += batchSize) out.push(fill(tokens, starts.slice(i, i + batchSize), blockSize));
  return out;
}
