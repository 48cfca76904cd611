/**
 * Batches of similar-length pairs: each epoch the pairs are shuffled, stably sorted by (source length,
 * target length) — so pairs of one length stay in random order — cut into batches, and the batches are
 * shuffled. Little padding, random batches. The order of epoch e depends only on (seed, e), so a step
 * number says which batch it trains on.
 */
import { Generator } from "../../tensor/rng.js";

/** A source and target as ids (no special tokens). */
export interface EncodedPair {
  source: number[];
  target: number[];
}

function shuffle<T>(items: T[], gen: Generator): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(gen.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** The batches of epoch `epoch` (each of batchSize pairs, the last of an epoch possibly fewer). */
export function epochBatches(pairs: readonly EncodedPair[], batchSize: number, seed: number, epoch: number): EncodedPair[][] {
  // One generator per epoch, seeded apart from the model's (manualSeed) so the order is fixed by (seed, epoch).
  const gen = new Generator(seed * 1_000_003 + epoch + 1);
  const order = shuffle([...pairs], gen).sort((a, b) => a.source.length - b.source.length || a.target.length - b.target.length);
  const batches: EncodedPair[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return shuffle(batches, gen);
}

/** Batches per epoch. */
export function batchesPerEpoch(pairs: number, batchSize: number): number {
  return Math.ceil(pairs / batchSize);
}
