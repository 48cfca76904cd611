/**
 * Prefix language modelling for an encoder–decoder (Raffel et al. 2020, §3.3.1, the "prefix LM"
 * objective): a sequence is cut at a random point; the encoder reads the prefix and the decoder
 * continues the text from there:
 *   tokens   A B C D E F G          split at k = 3
 *   inputs   A B C </s>
 *   targets  D E F G </s>
 * The split point k is uniform over 1 … L − 1, so both parts are non-empty; `minPrefixFraction`
 * narrows it to ⌈f·L⌉ … L − 1 when a long context is wanted.
 */
import { ValueError } from "../../errors.js";
import { type Generator, defaultGenerator } from "../../tensor/rng.js";

/** Options of {@link prefixLmSplit}. */
export interface PrefixLmOptions {
  /** Appended to inputs and targets (T5's `</s>`); null for none. */
  eosId: number | null;
  /** The prefix holds at least this share of the tokens (default 0: any split 1 … L − 1). */
  minPrefixFraction?: number;
}

/** A prefix-LM example: the prefix (inputs) and its continuation (targets), each with EOS when given. */
export interface PrefixLmExample {
  inputs: number[];
  targets: number[];
  /** Tokens in the prefix (the split point k). */
  splitAt: number;
}

/** The split of `tokens` at k (1 ≤ k < L): inputs tokens[0:k], targets tokens[k:], EOS appended to both when given. */
export function prefixLmSplitAt(tokens: readonly number[], k: number, eosId: number | null): PrefixLmExample {
  if (!Number.isInteger(k) || k < 1 || k >= tokens.length) throw new ValueError(`prefix LM: split point ${k} is outside [1, ${tokens.length - 1}]`);
  const eos = eosId === null ? [] : [eosId];
  return { inputs: [...tokens.slice(0, k), ...eos], targets: [...tokens.slice(k), ...eos], splitAt: k };
}

/** A random prefix-LM split of `tokens` (at least 2 of them), seeded through `rng`. */
export function prefixLmSplit(tokens: readonly number[], options: PrefixLmOptions, rng: Generator = defaultGenerator): PrefixLmExample {
  const L = tokens.length;
  if (L < 2) throw new ValueError(`prefix LM: a sequence needs at least 2 tokens to split, got ${L}`);
  const f = options.minPrefixFraction ?? 0;
  if (!(f >= 0 && f < 1)) throw new ValueError(`prefix LM: minPrefixFraction must be in [0, 1), got ${f}`);
  const low = Math.min(Math.max(1, Math.ceil(f * L)), L - 1);
  return prefixLmSplitAt(tokens, rng.randint(low, L), options.eosId);
}
