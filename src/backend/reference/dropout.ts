/**
 * Inverted dropout over a contiguous array with a counter-based mask: element i of a call seeded by
 * the two words `seed` is kept iff h(seed, i)/2³² ≥ p, h being the attention kernels' hash
 * (./attention.ts `attentionDropoutKeep`, MurmurHash3's finaliser over the index and seed), and kept
 * elements are scaled by 1/(1 − p) so the expectation is unchanged. Because the mask is a function of
 * (seed, i), a backward regenerates it from the seed — nothing is stored — and a fast backend computes
 * it in the same loop as the product.
 */
import type { FloatArray } from "../backend.js";
import { attentionDropoutKeep } from "./attention.js";

/** out[i] = x[i]·z_i for i < n, z_i = 1/(1 − p) where element i is kept and 0 where dropped (0 for all when p = 1). */
export function dropoutApply(out: FloatArray, x: FloatArray, n: number, p: number, seed: readonly [number, number]): void {
  const scale = p < 1 ? 1 / (1 - p) : 0;
  for (let i = 0; i < n; i++) out[i] = (x[i] as number) * (attentionDropoutKeep(seed, i, p) ? scale : 0);
}
