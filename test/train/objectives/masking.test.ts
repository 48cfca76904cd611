import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator } from "../../../src/tensor/rng.js";
import {
  IGNORE_INDEX, googlePredictionCount, maskTokensGoogle, maskTokensHf, maskingCandidates, sampleNgramLength,
} from "../../../src/train/objectives/masking.js";
import { roundHalfToEven } from "../../../src/train/objectives/span-corruption.js";
import { CLS, MASK, PAD, SEP, VOCAB_SIZE, syntheticVocabulary, withinBinomial } from "./helpers.js";

const vocab = syntheticVocabulary();

/** [CLS] words [SEP] [PAD]…: `words` random ids in 5..VOCAB_SIZE, padded to `length`. */
function sequence(rng: Generator, words: number, length = words + 2): number[] {
  const ids = [CLS];
  for (let i = 0; i < words; i++) ids.push(rng.randint(5, VOCAB_SIZE));
  ids.push(SEP);
  while (ids.length < length) ids.push(PAD);
  return ids;
}

/** Counts of chosen positions and of how they were replaced. */
function tally(ids: readonly number[], inputIds: Int32Array, labels: Int32Array) {
  let chosen = 0, masked = 0, unchanged = 0, other = 0;
  for (let i = 0; i < ids.length; i++) {
    if (labels[i] === IGNORE_INDEX) {
      assert.equal(inputIds[i], ids[i], "a position that is not predicted keeps its id");
      continue;
    }
    assert.equal(labels[i], ids[i], "the label is the original id");
    chosen++;
    if (inputIds[i] === MASK) masked++;
    else if (inputIds[i] === ids[i]) unchanged++;
    else other++;
  }
  return { chosen, masked, unchanged, other };
}

// A random replacement draws uniformly from the whole vocabulary, so it hits [MASK] or the original id
// with probability 1/V each: P(shows [MASK]) = 0.8 + 0.1/V, P(unchanged) = 0.1 + 0.1/V.
const P_MASK = 0.8 + 0.1 / VOCAB_SIZE;
const P_SAME = 0.1 + 0.1 / VOCAB_SIZE;

test("HF masking: rate 0.15 over non-special tokens, 80/10/10 split, padding and specials never chosen", () => {
  const rng = new Generator(11);
  let candidates = 0;
  const total = { chosen: 0, masked: 0, unchanged: 0, other: 0 };
  for (let s = 0; s < 2000; s++) {
    const words = rng.randint(1, 60);
    const ids = sequence(rng, words, 64);
    if (s % 3 === 0) ids[1] = 1; // an [UNK]: special, never predicted
    const specialMask = ids.map((id) => (id === PAD ? 1 : 0));
    const { inputIds, labels } = maskTokensHf(ids, vocab, rng, {}, specialMask);
    for (let i = 0; i < ids.length; i++) {
      if ((ids[i] as number) < 5) assert.equal(labels[i], IGNORE_INDEX, `special id ${ids[i]} at ${i} was chosen`);
    }
    candidates += ids.filter((id) => id >= 5).length;
    const t = tally(ids, inputIds, labels);
    total.chosen += t.chosen; total.masked += t.masked; total.unchanged += t.unchanged; total.other += t.other;
  }
  withinBinomial(total.chosen, candidates, 0.15, "chosen");
  withinBinomial(total.masked, total.chosen, P_MASK, "[MASK]");
  withinBinomial(total.unchanged, total.chosen, P_SAME, "unchanged");
  withinBinomial(total.other, total.chosen, 1 - P_MASK - P_SAME, "random id");
});

test("HF masking: the same seed masks the same way; a specialMask of the wrong length is a named error", () => {
  const ids = sequence(new Generator(1), 40);
  const a = maskTokensHf(ids, vocab, new Generator(5));
  const b = maskTokensHf(ids, vocab, new Generator(5));
  assert.deepEqual(a, b);
  assert.throws(() => maskTokensHf(ids, vocab, new Generator(5), {}, [0, 1]), /maskTokensHf: specialMask has 2 entries for 42 tokens/);
  assert.throws(() => maskTokensHf(ids, vocab, new Generator(5), { mlmProbability: 1.5 }), /mlmProbability must be a probability/);
});

test("roundHalfToEven is Python's round; Google's count is min(max, max(1, round(0.15·n)))", () => {
  assert.deepEqual([0.5, 1.5, 2.5, 4.5, 4.4, 4.6, 7].map(roundHalfToEven), [0, 2, 2, 4, 4, 5, 7]);
  assert.equal(googlePredictionCount(30), 4); // 4.5 → 4, as Python
  assert.equal(googlePredictionCount(10), 2); // 1.5 → 2
  assert.equal(googlePredictionCount(3), 1); // at least one
  assert.equal(googlePredictionCount(128), 19);
  assert.equal(googlePredictionCount(512), 20); // capped by max_predictions_per_seq
  assert.equal(googlePredictionCount(512, 0.15, 80), 77);
});

test("Google masking: exactly the stated count per sequence, specials never chosen, 80/10/10 split", () => {
  const rng = new Generator(12);
  const total = { chosen: 0, masked: 0, unchanged: 0, other: 0 };
  for (let s = 0; s < 3000; s++) {
    const n = rng.randint(3, 130);
    const ids = sequence(rng, n - 2);
    const { inputIds, labels } = maskTokensGoogle(ids, vocab, rng, { maxPredictions: 20 });
    const t = tally(ids, inputIds, labels);
    assert.equal(t.chosen, googlePredictionCount(n, 0.15, 20), `sequence of ${n}`);
    assert.equal(labels[0], IGNORE_INDEX);
    assert.equal(labels[n - 1], IGNORE_INDEX);
    total.chosen += t.chosen; total.masked += t.masked; total.unchanged += t.unchanged; total.other += t.other;
  }
  withinBinomial(total.masked, total.chosen, P_MASK, "[MASK]");
  withinBinomial(total.unchanged, total.chosen, P_SAME, "unchanged");
  // Every position is equally likely to be chosen: the first word as often as the last.
  const rng2 = new Generator(13);
  const hits = new Array<number>(22).fill(0);
  const rounds = 4000;
  for (let s = 0; s < rounds; s++) {
    const { labels } = maskTokensGoogle(sequence(rng2, 20), vocab, rng2);
    labels.forEach((l, i) => { if (l !== IGNORE_INDEX) hits[i]!++; });
  }
  // 22 tokens → round(3.3) = 3 predictions among 20 words: p = 3/20 per word.
  for (let i = 1; i <= 20; i++) withinBinomial(hits[i] as number, rounds, 3 / 20, `word ${i}`);
});

/** Ids with words of 1–4 pieces: a word start (even id 6..100) then continuation pieces (odd ids ≥ 101). */
function wordSequence(rng: Generator, words: number): { ids: number[]; wordOf: number[] } {
  const ids = [CLS];
  const wordOf = [-1];
  for (let w = 0; w < words; w++) {
    ids.push(6 + 2 * rng.randint(0, 47));
    wordOf.push(w);
    const extra = rng.randint(0, 4);
    for (let k = 0; k < extra; k++) {
      ids.push(101 + 2 * rng.randint(0, 49));
      wordOf.push(w);
    }
  }
  ids.push(SEP);
  wordOf.push(-1);
  return { ids, wordOf };
}

test("Google whole-word masking never splits a word and stays within the count", () => {
  const rng = new Generator(14);
  let words = 0;
  let whole = 0;
  for (let s = 0; s < 1500; s++) {
    const { ids, wordOf } = wordSequence(rng, rng.randint(1, 40));
    const { labels } = maskTokensGoogle(ids, vocab, rng, { wholeWord: true });
    const predicted = labels.filter((l) => l !== IGNORE_INDEX).length;
    const count = googlePredictionCount(ids.length);
    assert.ok(predicted <= count, `${predicted} predictions over the count`);
    const byWord = new Map<number, boolean[]>();
    wordOf.forEach((w, i) => { if (w >= 0) (byWord.get(w) ?? byWord.set(w, []).get(w)!).push(labels[i] !== IGNORE_INDEX); });
    // A word longer than the count is skipped, as Google's script does; one that fits is always taken.
    if ([...byWord.values()].some((f) => f.length <= count)) assert.ok(predicted >= 1, "a word that fits is predicted");
    for (const [w, flags] of byWord) {
      words++;
      if (flags.every(Boolean)) whole++;
      else assert.ok(flags.every((f) => !f), `word ${w} split: ${flags.join(",")}`);
    }
  }
  assert.ok(whole > 0.05 * words, `some words are masked (${whole} of ${words})`);
  const { ids } = wordSequence(new Generator(2), 5);
  const candidates = maskingCandidates(ids, vocab, true);
  assert.equal(candidates.length, 5, "one candidate per word");
});

test("ALBERT n-gram lengths follow p(n) ∝ 1/n for n ≤ 3; n-gram masking keeps the count and whole words", () => {
  const rng = new Generator(15);
  const counts = [0, 0, 0, 0];
  const draws = 30000;
  for (let i = 0; i < draws; i++) counts[sampleNgramLength(3, rng)]!++;
  withinBinomial(counts[1] as number, draws, 6 / 11, "n = 1");
  withinBinomial(counts[2] as number, draws, 3 / 11, "n = 2");
  withinBinomial(counts[3] as number, draws, 2 / 11, "n = 3");
  for (let i = 0; i < 100; i++) assert.equal(sampleNgramLength(1, rng), 1);
  // Runs of adjacent masked words are longer with n-grams than without.
  const runsOf = (maxNgram: number) => {
    const r = new Generator(16);
    let runs = 0, masked = 0;
    for (let s = 0; s < 1500; s++) {
      const { ids, wordOf } = wordSequence(r, 60);
      const { labels } = maskTokensGoogle(ids, vocab, r, { wholeWord: true, maxNgram, maxPredictions: 1000 });
      const predicted = labels.filter((l) => l !== IGNORE_INDEX).length;
      assert.ok(predicted <= googlePredictionCount(ids.length, 0.15, 1000));
      const maskedWords = new Set<number>();
      wordOf.forEach((w, i) => { if (w >= 0 && labels[i] !== IGNORE_INDEX) maskedWords.add(w); });
      wordOf.forEach((w, i) => { if (w >= 0 && maskedWords.has(w)) assert.notEqual(labels[i], IGNORE_INDEX, "whole words"); });
      for (const w of maskedWords) if (!maskedWords.has(w - 1)) runs++;
      masked += maskedWords.size;
    }
    return masked / runs;
  };
  const unigram = runsOf(1);
  const ngram = runsOf(3);
  // Expected mean n-gram length 1·6/11 + 2·3/11 + 3·2/11 = 18/11 ≈ 1.64 words before merging of neighbours.
  assert.ok(ngram > unigram + 0.3, `mean run ${ngram.toFixed(2)} words with n-grams vs ${unigram.toFixed(2)} without`);
});
