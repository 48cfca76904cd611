/** Shared pieces of the objective tests: a synthetic vocabulary and binomial bounds. */
import type { MaskingVocabulary } from "../../../src/train/objectives/vocabulary.js";

/** Ids 0–4 are [PAD] [UNK] [CLS] [SEP] [MASK]; ids ≥ 5 are words, odd ids from 101 on are `##` pieces. */
export const PAD = 0;
export const CLS = 2;
export const SEP = 3;
export const MASK = 4;
export const VOCAB_SIZE = 200;

export function syntheticVocabulary(): MaskingVocabulary {
  const special = new Uint8Array(VOCAB_SIZE);
  special.fill(1, 0, 5);
  const continuation = new Uint8Array(VOCAB_SIZE);
  for (let id = 101; id < VOCAB_SIZE; id += 2) continuation[id] = 1;
  return { vocabSize: VOCAB_SIZE, maskTokenId: MASK, special, continuation };
}

/**
 * Asserts that `successes` out of `trials` Bernoulli(p) draws lie within ±k·σ of the mean, with
 * σ = √(n·p·(1−p)) (k = 4.5: a correct implementation fails about once in 150,000 seeds).
 */
export function withinBinomial(successes: number, trials: number, p: number, what: string, k = 4.5): void {
  const mean = trials * p;
  const sd = Math.sqrt(trials * p * (1 - p));
  const lo = mean - k * sd;
  const hi = mean + k * sd;
  if (!(successes >= lo && successes <= hi)) {
    throw new Error(`${what}: ${successes} of ${trials} (rate ${(successes / trials).toFixed(4)}), expected ${mean.toFixed(1)} ± ${(k * sd).toFixed(1)} (p = ${p})`);
  }
}
