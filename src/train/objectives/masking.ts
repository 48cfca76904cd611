/**
 * Masked-language-model masking, the two ways users know:
 *
 * - Hugging Face's `DataCollatorForLanguageModeling`: every non-special token is chosen independently
 *   with probability p (0.15); a chosen token becomes `[MASK]` with probability 0.8, a random id with
 *   0.1, and stays itself with 0.1. Labels are the original id at chosen positions and −100 elsewhere.
 * - Google's `create_pretraining_data.py` (`create_masked_lm_predictions`): exactly
 *   min(max_predictions, max(1, round(p·n))) predictions per sequence of n tokens (Python's round,
 *   half to even: roundHalfToEven), taken from a shuffled list of candidates; with whole-word masking
 *   a candidate is a word (a token and its `##` continuations), chosen whole or not at all. ALBERT's n-gram masking
 *   (its `create_pretraining_data.py`) makes a candidate n consecutive words, n ≤ maxNgram drawn with
 *   p(n) ∝ 1/n, trying shorter n-grams when the longer one would pass the prediction budget.
 *
 * Both draw from a loom {@link Generator}, so a seeded run masks the same way every time, and both are
 * applied per batch (dynamic masking, as RoBERTa and HF's collator; Google's script masks once and
 * copies the data dupe_factor times instead).
 */
import { ValueError } from "../../errors.js";
import type { Generator } from "../../tensor/rng.js";
import { roundHalfToEven } from "./span-corruption.js";
import type { MaskingVocabulary } from "./vocabulary.js";

/** The label of a position that is not predicted (PyTorch's cross-entropy ignore_index). */
export const IGNORE_INDEX = -100;

/** A sequence after masking: the ids the model sees and the labels it is scored on. */
export interface MaskedSequence {
  inputIds: Int32Array;
  /** The original id at predicted positions, {@link IGNORE_INDEX} elsewhere. */
  labels: Int32Array;
}

/** How a chosen token is replaced (both ways use 80% `[MASK]`, 10% random id, 10% unchanged by default). */
export interface ReplacementOptions {
  /** Probability that a chosen token becomes `[MASK]` (default 0.8). */
  maskReplaceProb?: number;
  /** Probability that a chosen token becomes a random id (default 0.1); the rest stay unchanged. */
  randomReplaceProb?: number;
}

/** Options of {@link maskTokensHf}. */
export interface HfMaskingOptions extends ReplacementOptions {
  /** Probability that a non-special token is chosen for prediction (HF's mlm_probability, default 0.15). */
  mlmProbability?: number;
}

/** Options of {@link maskTokensGoogle}. */
export interface GoogleMaskingOptions extends ReplacementOptions {
  /** Fraction of the sequence's length to predict (Google's masked_lm_prob, default 0.15). */
  maskedLmProb?: number;
  /** Most predictions per sequence (Google's max_predictions_per_seq, default 20). */
  maxPredictions?: number;
  /** Mask a word's `##` continuation pieces with it, never a part of a word (default false). */
  wholeWord?: boolean;
  /** ALBERT's n-gram masking: candidates of up to this many consecutive words, p(n) ∝ 1/n (default 1: off; ALBERT uses 3). */
  maxNgram?: number;
}

function probability(value: number, name: string, op: string): number {
  if (!(value >= 0 && value <= 1)) throw new ValueError(`${op}: ${name} must be a probability in [0, 1], got ${value}`);
  return value;
}

function replacementProbabilities(options: ReplacementOptions, op: string): [number, number] {
  const maskP = probability(options.maskReplaceProb ?? 0.8, "maskReplaceProb", op);
  const randomP = probability(options.randomReplaceProb ?? 0.1, "randomReplaceProb", op);
  if (maskP + randomP > 1 + 1e-12) throw new ValueError(`${op}: maskReplaceProb + randomReplaceProb = ${maskP + randomP} exceeds 1`);
  return [maskP, randomP];
}

function checkSpecialMask(ids: ArrayLike<number>, specialMask: ArrayLike<number> | undefined, op: string): void {
  if (specialMask !== undefined && specialMask.length !== ids.length) {
    throw new ValueError(`${op}: specialMask has ${specialMask.length} entries for ${ids.length} tokens`);
  }
}

/** Whether position i may be predicted: neither marked in specialMask nor a special id. */
function isCandidate(ids: ArrayLike<number>, specialMask: ArrayLike<number> | undefined, vocab: MaskingVocabulary, i: number): boolean {
  if (specialMask !== undefined && specialMask[i] !== 0) return false;
  const id = ids[i] as number;
  return !(id >= 0 && id < vocab.special.length && vocab.special[id] === 1);
}

/** Replaces position i of `out` as a chosen token: [MASK], a random id, or itself. */
function replace(out: Int32Array, i: number, vocab: MaskingVocabulary, maskP: number, randomP: number, rng: Generator): void {
  const r = rng.random();
  if (r < maskP) out[i] = vocab.maskTokenId;
  else if (r < maskP + randomP) out[i] = rng.randint(0, vocab.vocabSize);
}

/**
 * HF's collator masking of one sequence: each position that is not special (by id, or marked 1 in
 * `specialMask`, e.g. padding) is chosen with probability mlmProbability; chosen positions are
 * replaced 80/10/10 and labelled with their original id; every other label is −100.
 */
export function maskTokensHf(
  ids: ArrayLike<number>,
  vocab: MaskingVocabulary,
  rng: Generator,
  options: HfMaskingOptions = {},
  specialMask?: ArrayLike<number>,
): MaskedSequence {
  const op = "maskTokensHf";
  const p = probability(options.mlmProbability ?? 0.15, "mlmProbability", op);
  const [maskP, randomP] = replacementProbabilities(options, op);
  checkSpecialMask(ids, specialMask, op);
  const inputIds = Int32Array.from(ids);
  const labels = new Int32Array(ids.length).fill(IGNORE_INDEX);
  for (let i = 0; i < ids.length; i++) {
    if (!isCandidate(ids, specialMask, vocab, i)) continue;
    if (rng.random() >= p) continue;
    labels[i] = ids[i] as number;
    replace(inputIds, i, vocab, maskP, randomP, rng);
  }
  return { inputIds, labels };
}

/** Google's prediction count for a sequence of n tokens: min(maxPredictions, max(1, round(p·n))). */
export function googlePredictionCount(n: number, maskedLmProb = 0.15, maxPredictions = 20): number {
  return Math.min(maxPredictions, Math.max(1, roundHalfToEven(n * maskedLmProb)));
}

/** Fisher–Yates shuffle in place (Python's random.shuffle draws the same way, from the end). */
function shuffle<T>(items: T[], rng: Generator): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.randint(0, i + 1);
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
}

/**
 * The candidates of Google's masking: each non-special position alone, or with whole-word masking each
 * word (a position and the `##` continuations after it, as Google's loop appends a `##` token to the
 * previous candidate).
 */
export function maskingCandidates(ids: ArrayLike<number>, vocab: MaskingVocabulary, wholeWord: boolean, specialMask?: ArrayLike<number>): number[][] {
  const candidates: number[][] = [];
  for (let i = 0; i < ids.length; i++) {
    if (!isCandidate(ids, specialMask, vocab, i)) continue;
    const id = ids[i] as number;
    const continues = wholeWord && candidates.length > 0 && id >= 0 && id < vocab.continuation.length && vocab.continuation[id] === 1;
    if (continues) (candidates[candidates.length - 1] as number[]).push(i);
    else candidates.push([i]);
  }
  return candidates;
}

/** Draws n in 1..k with p(n) ∝ 1/n (ALBERT's n-gram length distribution, cut at k). */
export function sampleNgramLength(k: number, rng: Generator): number {
  let total = 0;
  for (let n = 1; n <= k; n++) total += 1 / n;
  let r = rng.random() * total;
  for (let n = 1; n <= k; n++) {
    r -= 1 / n;
    if (r < 0) return n;
  }
  return k;
}

/**
 * Google's masking of one sequence (`create_masked_lm_predictions`): exactly
 * {@link googlePredictionCount} positions are predicted when the candidates allow (whole words or
 * n-grams that would pass the count are skipped, so a few fewer may be), replaced 80/10/10. The count
 * uses the full length n, [CLS] and [SEP] included, as Google's script does.
 */
export function maskTokensGoogle(
  ids: ArrayLike<number>,
  vocab: MaskingVocabulary,
  rng: Generator,
  options: GoogleMaskingOptions = {},
  specialMask?: ArrayLike<number>,
): MaskedSequence {
  const op = "maskTokensGoogle";
  const p = probability(options.maskedLmProb ?? 0.15, "maskedLmProb", op);
  const maxPredictions = options.maxPredictions ?? 20;
  if (!Number.isInteger(maxPredictions) || maxPredictions < 1) throw new ValueError(`${op}: maxPredictions must be a positive integer, got ${maxPredictions}`);
  const maxNgram = options.maxNgram ?? 1;
  if (!Number.isInteger(maxNgram) || maxNgram < 1) throw new ValueError(`${op}: maxNgram must be a positive integer, got ${maxNgram}`);
  const [maskP, randomP] = replacementProbabilities(options, op);
  checkSpecialMask(ids, specialMask, op);
  const words = maskingCandidates(ids, vocab, options.wholeWord ?? false, specialMask);
  const toPredict = googlePredictionCount(ids.length, p, maxPredictions);
  const inputIds = Int32Array.from(ids);
  const labels = new Int32Array(ids.length).fill(IGNORE_INDEX);
  // Each start word w offers the n-grams words[w .. w+n), n = 1..maxNgram (ALBERT's ngram_indexes).
  const starts = words.map((_, w) => w);
  shuffle(starts, rng);
  const covered = new Uint8Array(ids.length);
  let predicted = 0;
  for (const w of starts) {
    if (predicted >= toPredict) break;
    const available = Math.min(maxNgram, words.length - w);
    let n = maxNgram > 1 ? sampleNgramLength(available, rng) : 1;
    const positionsOf = (len: number) => words.slice(w, w + len).flat();
    let positions = positionsOf(n);
    // ALBERT: try shorter n-grams while this one would pass the budget.
    while (predicted + positions.length > toPredict && n > 1) positions = positionsOf(--n);
    if (predicted + positions.length > toPredict) continue;
    if (positions.some((i) => covered[i] === 1)) continue;
    for (const i of positions) {
      covered[i] = 1;
      labels[i] = ids[i] as number;
      replace(inputIds, i, vocab, maskP, randomP, rng);
    }
    predicted += positions.length;
  }
  return { inputIds, labels };
}
