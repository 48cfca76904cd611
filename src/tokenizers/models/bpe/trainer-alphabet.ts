/**
 * The initial alphabet of BPE training: every character seen in the words, limited to the
 * `limitAlphabet` most frequent, plus the characters the user asks for (HF's `compute_alphabet`).
 */
import { BYTE_TO_CHAR } from "../../byte-level-alphabet.js";

/**
 * The 256 characters the ByteLevel pre-tokenizer maps bytes to (GPT-2's `bytes_to_unicode`), in byte
 * order. Pass it as `initialAlphabet` so that a byte-level BPE can encode any input, as HF's
 * `ByteLevel.alphabet()`.
 */
export function byteLevelAlphabet(): string[] {
  return [...BYTE_TO_CHAR];
}

/**
 * Returns the code points of the alphabet, sorted ascending (HF sorts by `char as u32`, i.e. by code
 * point, "for determinism").
 *
 * Each character is weighted by the count of the words it occurs in; characters of `initialAlphabet`
 * weigh the most. When there are more than `limitAlphabet` characters, the least weighty are dropped.
 * HF sorts the weights with an unstable sort over a HashMap, so which of several equally weighty
 * characters goes at the cut is not defined there; here the higher code point goes first.
 */
export function computeAlphabet(
  wordCounts: ReadonlyMap<string, number>,
  initialAlphabet: readonly string[],
  limitAlphabet: number | undefined,
): number[] {
  const weight = new Map<number, number>();
  for (const [word, count] of wordCounts) {
    for (let i = 0; i < word.length; i++) {
      const cp = word.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      weight.set(cp, (weight.get(cp) ?? 0) + count);
    }
  }
  for (const ch of initialAlphabet) {
    const cp = ch.codePointAt(0);
    if (cp !== undefined) weight.set(cp, Number.POSITIVE_INFINITY);
  }
  let kept = [...weight.entries()];
  if (limitAlphabet !== undefined && kept.length > limitAlphabet) {
    kept.sort((x, y) => x[1] - y[1] || y[0] - x[0]);
    kept = kept.slice(kept.length - limitAlphabet);
  }
  return kept.map(([cp]) => cp).sort((x, y) => x - y);
}
