/**
 * Training sequences from segmented documents, as Google's `create_pretraining_data.py`
 * (`create_instances_from_document`) makes them:
 *
 * - Segments (sentences) are packed until they reach a target length: max_num_tokens (the sequence
 *   length less the special tokens) or, with probability short_seq_prob, a random length in
 *   [2, max_num_tokens], so the model also sees short inputs.
 * - A pack is cut at a random segment boundary into A and B. NSP: half the time (always when the pack
 *   is one segment) B is taken instead from a random other document, starting at a random segment and
 *   running to the target length; the pack's segments after A are put back to start the next pack.
 *   Label 1 = random B, 0 = the actual next text (HF's `next_sentence_label`).
 * - SOP (ALBERT): B is the actual continuation, and A and B are swapped with probability 0.5
 *   (label 1 = swapped). A one-segment pack still takes a random B (label 1), as ALBERT's script does.
 * - `truncate_seq_pair`: while A + B is too long, one token is dropped from the longer side, at its
 *   front or back with equal probability (so the cut is not always at the end of the text).
 *
 * MLM alone packs contiguous segments into single sequences the same way (no B).
 */
import { ValueError } from "../../errors.js";
import type { Generator } from "../../tensor/rng.js";
import type { SegmentedDocument } from "./segments.js";

/** Which sentence-pair task the pairs are made for. */
export type PairObjective = "nsp" | "sop";

/** One training example before masking: sequence A, sequence B (empty for MLM alone), and its label. */
export interface PretrainingInstance {
  a: Int32Array;
  b: Int32Array;
  /** NSP: 1 = B is random, 0 = B follows A. SOP: 1 = swapped, 0 = in order. MLM alone: 0. */
  label: number;
}

/** Options of {@link createPairInstances} and {@link createSingleInstances}. */
export interface InstanceOptions {
  /** Tokens A and B (or the single sequence) may hold together: the sequence length less the special tokens. */
  maxNumTokens: number;
  /** Probability of a shorter random target length (Google's short_seq_prob, default 0.1). */
  shortSeqProb?: number;
}

function checkOptions(options: InstanceOptions, least: number, op: string): { maxNumTokens: number; shortSeqProb: number } {
  const { maxNumTokens } = options;
  const shortSeqProb = options.shortSeqProb ?? 0.1;
  if (!Number.isInteger(maxNumTokens) || maxNumTokens < least) {
    throw new ValueError(`${op}: maxNumTokens must be an integer ≥ ${least} (room for the text besides the special tokens), got ${maxNumTokens}`);
  }
  if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) throw new ValueError(`${op}: shortSeqProb must be in [0, 1], got ${shortSeqProb}`);
  return { maxNumTokens, shortSeqProb };
}

/** Python's random.randint(a, b): a uniform integer in [a, b], both ends included. */
function randintInclusive(rng: Generator, a: number, b: number): number {
  return rng.randint(a, b + 1);
}

function concat(segments: readonly Int32Array[]): number[] {
  const out: number[] = [];
  for (const s of segments) for (let i = 0; i < s.length; i++) out.push(s[i] as number);
  return out;
}

/**
 * Google's `truncate_seq_pair`: while a + b is longer than maxNumTokens, drops one token of the longer
 * one (b when equal), from its front or back with probability 1/2 each. Works in place.
 */
export function truncateSeqPair(a: number[], b: number[], maxNumTokens: number, rng: Generator): void {
  while (a.length + b.length > maxNumTokens) {
    const longer = a.length > b.length ? a : b;
    if (rng.random() < 0.5) longer.shift();
    else longer.pop();
  }
}

/** The length a pack aims for: maxNumTokens, or with probability shortSeqProb a random one in [2, maxNumTokens]. */
function targetLength(maxNumTokens: number, shortSeqProb: number, rng: Generator): number {
  return rng.random() < shortSeqProb ? randintInclusive(rng, 2, maxNumTokens) : maxNumTokens;
}

/**
 * NSP or SOP instances of document `index` of `documents` (Google's create_instances_from_document;
 * `documents` are all the documents, for random B segments).
 */
export function createPairInstancesFromDocument(
  documents: readonly SegmentedDocument[],
  index: number,
  objective: PairObjective,
  options: InstanceOptions,
  rng: Generator,
): PretrainingInstance[] {
  const { maxNumTokens, shortSeqProb } = checkOptions(options, 2, "createPairInstances");
  const document = documents[index] as SegmentedDocument;
  const target = targetLength(maxNumTokens, shortSeqProb, rng);
  const instances: PretrainingInstance[] = [];
  let chunk: Int32Array[] = [];
  let chunkLength = 0;
  for (let i = 0; i < document.length; i++) {
    const segment = document[i] as Int32Array;
    chunk.push(segment);
    chunkLength += segment.length;
    if (i === document.length - 1 || chunkLength >= target) {
      // A ends at a random segment boundary (a_end in [1, len − 1]).
      const aEnd = chunk.length >= 2 ? randintInclusive(rng, 1, chunk.length - 1) : 1;
      let a = concat(chunk.slice(0, aEnd));
      let b: number[];
      let label: number;
      if (chunk.length === 1 || (objective === "nsp" && rng.random() < 0.5)) {
        label = 1;
        const targetB = target - a.length;
        // Up to ten tries for another document (the same one when there is no other).
        let other = 0;
        for (let t = 0; t < 10; t++) {
          other = randintInclusive(rng, 0, documents.length - 1);
          if (other !== index) break;
        }
        const randomDoc = documents[other] as SegmentedDocument;
        const start = randintInclusive(rng, 0, randomDoc.length - 1);
        b = [];
        for (let j = start; j < randomDoc.length; j++) {
          const s = randomDoc[j] as Int32Array;
          for (let k = 0; k < s.length; k++) b.push(s[k] as number);
          if (b.length >= targetB) break;
        }
        // The pack's segments after A are put back: the next pack starts with them.
        i -= chunk.length - aEnd;
      } else {
        b = concat(chunk.slice(aEnd));
        label = 0;
        if (objective === "sop" && rng.random() < 0.5) {
          [a, b] = [b, a];
          label = 1;
        }
      }
      truncateSeqPair(a, b, maxNumTokens, rng);
      if (a.length >= 1 && b.length >= 1) instances.push({ a: Int32Array.from(a), b: Int32Array.from(b), label });
      chunk = [];
      chunkLength = 0;
    }
  }
  return instances;
}

/** Fisher–Yates shuffle in place. */
function shuffle<T>(items: T[], rng: Generator): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.randint(0, i + 1);
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
}

/** NSP or SOP instances of every document, shuffled (Google's create_training_instances, one pass). */
export function createPairInstances(
  documents: readonly SegmentedDocument[],
  objective: PairObjective,
  options: InstanceOptions,
  rng: Generator,
): PretrainingInstance[] {
  const instances: PretrainingInstance[] = [];
  for (let d = 0; d < documents.length; d++) instances.push(...createPairInstancesFromDocument(documents, d, objective, options, rng));
  shuffle(instances, rng);
  return instances;
}

/**
 * Single sequences for MLM alone: each document's segments packed to the target length (as pairs,
 * with short_seq_prob), a pack longer than maxNumTokens trimmed at its front or back at random;
 * shuffled.
 */
export function createSingleInstances(documents: readonly SegmentedDocument[], options: InstanceOptions, rng: Generator): PretrainingInstance[] {
  const { maxNumTokens, shortSeqProb } = checkOptions(options, 1, "createSingleInstances");
  const instances: PretrainingInstance[] = [];
  const none = new Int32Array(0);
  for (const document of documents) {
    const target = targetLength(maxNumTokens, shortSeqProb, rng);
    let chunk: Int32Array[] = [];
    let chunkLength = 0;
    for (let i = 0; i < document.length; i++) {
      const segment = document[i] as Int32Array;
      chunk.push(segment);
      chunkLength += segment.length;
      if (i === document.length - 1 || chunkLength >= target) {
        const a = concat(chunk);
        truncateSeqPair(a, [], maxNumTokens, rng);
        instances.push({ a: Int32Array.from(a), b: none, label: 0 });
        chunk = [];
        chunkLength = 0;
      }
    }
  }
  shuffle(instances, rng);
  return instances;
}
