/**
 * Error rates of predicted sequences against one or more references per item, as grapheme-to-phoneme
 * work reports them (e.g. Yao & Zweig 2015; Yolchuyeva et al. 2019):
 * - word error rate (WER): the fraction of items whose prediction equals none of its references;
 * - token error rate (PER for phonemes, letter error rate for spellings): Σ edit distance to the closest
 *   reference / Σ that reference's length, summed over items (a corpus-level ratio, not a mean of ratios).
 * The closest reference is the one at the smallest edit distance; on a tie, the longer one (so the
 * ratio charges the prediction least), then the first.
 */
import { ValueError } from "../errors.js";
import { editDistance } from "./edit-distance.js";

/** What {@link sequenceErrorRates} counts, and the two rates. */
export interface SequenceErrorRates {
  /** Items scored. */
  items: number;
  /** Items whose prediction matches no reference. */
  wrongItems: number;
  /** wrongItems / items. */
  wordErrorRate: number;
  /** Σ edit distance to the closest reference. */
  edits: number;
  /** Σ length of the closest reference. */
  referenceTokens: number;
  /** edits / referenceTokens. */
  tokenErrorRate: number;
}

/** The closest reference to `prediction`: its index and edit distance (see the file comment for ties). */
export function closestReference<T>(prediction: readonly T[], references: readonly (readonly T[])[]): { index: number; distance: number } {
  if (references.length === 0) throw new ValueError("closestReference: an item needs at least one reference");
  let best = { index: 0, distance: Infinity };
  references.forEach((reference, index) => {
    const distance = editDistance(prediction, reference);
    const bestLength = (references[best.index] as readonly T[]).length;
    if (distance < best.distance || (distance === best.distance && reference.length > bestLength)) best = { index, distance };
  });
  return best;
}

/**
 * WER and token error rate of `predictions[i]` against `references[i]` (one or more sequences each).
 * Tokens compare with `===` (phoneme strings, letters, ids).
 */
export function sequenceErrorRates<T>(predictions: readonly (readonly T[])[], references: readonly (readonly (readonly T[])[])[]): SequenceErrorRates {
  if (predictions.length !== references.length) {
    throw new ValueError(`sequenceErrorRates: ${predictions.length} predictions but ${references.length} reference lists`);
  }
  if (predictions.length === 0) throw new ValueError("sequenceErrorRates: nothing to score (0 items)");
  let wrongItems = 0;
  let edits = 0;
  let referenceTokens = 0;
  predictions.forEach((prediction, i) => {
    const refs = references[i] as readonly (readonly T[])[];
    const { index, distance } = closestReference(prediction, refs);
    if (distance > 0) wrongItems++;
    edits += distance;
    referenceTokens += (refs[index] as readonly T[]).length;
  });
  return {
    items: predictions.length,
    wrongItems,
    wordErrorRate: wrongItems / predictions.length,
    edits,
    referenceTokens,
    tokenErrorRate: referenceTokens === 0 ? (edits === 0 ? 0 : Infinity) : edits / referenceTokens,
  };
}
