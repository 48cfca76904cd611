/**
 * The best segmentation of a string under a Unigram model, without building the lattice: one pass
 * keeping, for every end position, the best-scoring last piece (SentencePiece's `EncodeOptimized`,
 * Hugging Face's `encode_optimized`). Among equal scores the earliest start wins: candidates arrive
 * in order of start, and only a strictly better one replaces the kept one.
 *
 * Two arithmetics. Hugging Face adds doubles. libsentencepiece keeps the best score of each position
 * as a float32; a piece's candidate is the exact (double) sum of that float and the piece's float
 * score, compared with the stored float; an unknown character's candidate is a float32 sum. Which of
 * two near-equal paths wins depends on that rounding ("000" as "00"+"0" or "0"+"00"), and the rounding
 * depends on the running score, so libsentencepiece's answer for a word depends on the words before
 * it in the sentence.
 *
 * Spans are flat triples (start, end, id) in UTF-16 units; id is the unknown id (or -1) for an
 * unknown character.
 */
import type { PieceTrie } from "./trie.js";

/**
 * Words of a sentence → their cached segmentation, looked up by a hash of text[start, end) computed
 * while scanning for the word's end, so that a hit allocates nothing (a `Map` keyed by
 * `text.slice(start, end)` must make and hash a fresh string per word: a fifth of the encode time).
 * Everything lives in flat typed arrays — per slot the hash, the word's place in the key pool, its
 * spans' place in the span pools and its margin — because chasing a per-word object and its arrays
 * through the heap cost more than the Viterbi it saves. Open addressing with linear probing at load
 * ≤ 0.4; when full it is emptied (a cache, not a record).
 */
class WordTable {
  private static readonly slots = 1 << 17;
  private static readonly maxEntries = 50_000;
  private readonly hashes = new Int32Array(WordTable.slots);
  /** Per slot: 1 + the word's start in `keys`, 0 when empty. */
  private readonly keyStart = new Int32Array(WordTable.slots);
  private readonly keyLength = new Int32Array(WordTable.slots);
  /** Per slot: the first span's index in `steps` (its triple is at 3× that in `spans`). */
  readonly spanStart = new Int32Array(WordTable.slots);
  readonly spanCount = new Int32Array(WordTable.slots);
  /** Per slot: the smallest gap between two compared candidates in the word's exact (double) Viterbi. */
  readonly margin = new Float64Array(WordTable.slots);
  private keys = new Uint16Array(1 << 16);
  private keysUsed = 0;
  /** The cached words' spans relative to the word's start, (start, end, id) triples. */
  spans = new Int32Array(3 << 14);
  /** Per span, the score libsentencepiece adds to the running score (the float32 unknown score for an unknown character). */
  steps = new Float64Array(1 << 14);
  private spansUsed = 0;
  private count = 0;

  /** The slot of text[start, end) whose hash is `hash`, or -1 when it is not cached. */
  find(text: string, start: number, end: number, hash: number): number {
    const mask = WordTable.slots - 1;
    const length = end - start;
    const keys = this.keys;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = this.keyStart[slot]! - 1;
      if (at < 0) return -1;
      if (this.hashes[slot] !== hash || this.keyLength[slot] !== length) continue;
      let k = 0;
      while (k < length && keys[at + k] === text.charCodeAt(start + k)) k++;
      if (k === length) return slot;
    }
  }

  /** Caches text[start, end) (not already present, hash `hash`) with its spans, steps and margin; returns its slot. */
  add(text: string, start: number, end: number, hash: number, spans: Int32Array, steps: Float64Array, margin: number): number {
    const length = end - start;
    const count = steps.length;
    const keyLimit = 1 << 24;
    const spanLimit = 1 << 22;
    if (this.count >= WordTable.maxEntries || this.keysUsed + length > keyLimit || this.spansUsed + count > spanLimit) this.clear();
    while (this.keysUsed + length > this.keys.length) {
      const grown = new Uint16Array(2 * this.keys.length);
      grown.set(this.keys);
      this.keys = grown;
    }
    while (this.spansUsed + count > this.steps.length) {
      const grownSteps = new Float64Array(2 * this.steps.length);
      grownSteps.set(this.steps);
      this.steps = grownSteps;
      const grownSpans = new Int32Array(3 * grownSteps.length);
      grownSpans.set(this.spans);
      this.spans = grownSpans;
    }
    const mask = WordTable.slots - 1;
    let slot = hash & mask;
    while (this.keyStart[slot] !== 0) slot = (slot + 1) & mask;
    for (let k = 0; k < length; k++) this.keys[this.keysUsed + k] = text.charCodeAt(start + k);
    this.hashes[slot] = hash;
    this.keyStart[slot] = this.keysUsed + 1;
    this.keyLength[slot] = length;
    this.keysUsed += length;
    this.spans.set(spans, 3 * this.spansUsed);
    this.steps.set(steps, this.spansUsed);
    this.spanStart[slot] = this.spansUsed;
    this.spanCount[slot] = count;
    this.spansUsed += count;
    this.margin[slot] = margin;
    this.count++;
    return slot;
  }

  private clear(): void {
    this.keyStart.fill(0);
    this.keysUsed = 0;
    this.spansUsed = 0;
    this.count = 0;
  }
}

export class Viterbi {
  private bestScore64 = new Float64Array(0);
  private bestScore32 = new Float32Array(0);
  private bestStart = new Int32Array(0);
  private bestId = new Int32Array(0);
  /** The stored best score at the end of the last `run` (the sentence's running score). */
  private finalScore = 0;
  /** The smallest gap between compared candidates in the last `run`. */
  private margin = Infinity;
  private readonly cache = new WordTable();
  /** Output buffer of `spansSentencePiece`, reused. */
  private sentenceSpans = new Int32Array(1024);
  /** Largest |score| of any piece or of an unknown: bounds the running score's growth per character. */
  private readonly maxAbsScore: number;
  /**
   * Whether no piece holds "▁" after its first character: then no piece crosses a word start, each
   * word of a sentence can be segmented alone (starting from the running score) and results cached.
   */
  private readonly separableWords: boolean;

  constructor(
    private readonly trie: PieceTrie,
    private readonly scores: Float64Array,
    pieces: readonly string[],
    private readonly unkId: number,
    private readonly unkScore: number,
  ) {
    let maxAbs = Math.abs(unkScore);
    for (const s of scores) maxAbs = Math.max(maxAbs, Math.abs(s));
    this.maxAbsScore = maxAbs;
    this.separableWords = pieces.every((p) => p.indexOf("\u2581", 1) < 0);
  }

  /**
   * One Viterbi pass over `text` starting from running score `initial`; `float32`: libsentencepiece's
   * arithmetic. Leaves the final running score and the smallest candidate gap in fields.
   */
  private run(text: string, initial: number, float32: boolean, unknownScore: number): Int32Array {
    const length = text.length;
    if (this.bestStart.length < length + 1) {
      const size = Math.max(length + 1, 2 * this.bestStart.length);
      this.bestScore64 = new Float64Array(size);
      this.bestScore32 = new Float32Array(size);
      this.bestStart = new Int32Array(size);
      this.bestId = new Int32Array(size);
    }
    const bestScore = float32 ? this.bestScore32 : this.bestScore64;
    const bestStart = this.bestStart;
    const bestId = this.bestId;
    bestStart.fill(-1, 0, length + 1);
    bestScore[0] = initial;
    const { trie, scores, unkId } = this;
    const unkScore = unknownScore;
    let margin = Infinity;
    for (let pos = 0; pos < length; ) {
      const c = text.charCodeAt(pos);
      const charEnd = c >= 0xd800 && c <= 0xdbff && pos + 1 < length && (text.charCodeAt(pos + 1) & 0xfc00) === 0xdc00 ? pos + 2 : pos + 1;
      const here = bestScore[pos]!;
      let hasSingle = false;
      let node = 0;
      for (let i = pos; i < length; i++) {
        node = trie.child(node, text.charCodeAt(i));
        if (node === -1) break;
        const id = trie.valueAt(node);
        if (id < 0) continue;
        const end = i + 1;
        const candidate = here + scores[id]!;
        if (bestStart[end] === -1) {
          bestScore[end] = candidate;
          bestStart[end] = pos;
          bestId[end] = id;
        } else {
          const gap = candidate - bestScore[end]!;
          if (Math.abs(gap) < margin) margin = Math.abs(gap);
          if (gap > 0) {
            bestScore[end] = candidate;
            bestStart[end] = pos;
            bestId[end] = id;
          }
        }
        if (end === charEnd) hasSingle = true;
      }
      if (!hasSingle) {
        const candidate = float32 ? Math.fround(here + unkScore) : here + unkScore;
        if (bestStart[charEnd] === -1) {
          bestScore[charEnd] = candidate;
          bestStart[charEnd] = pos;
          bestId[charEnd] = unkId;
        } else {
          const gap = candidate - bestScore[charEnd]!;
          if (Math.abs(gap) < margin) margin = Math.abs(gap);
          if (gap > 0) {
            bestScore[charEnd] = candidate;
            bestStart[charEnd] = pos;
            bestId[charEnd] = unkId;
          }
        }
      }
      pos = charEnd;
    }
    this.finalScore = bestScore[length]!;
    this.margin = margin;
    let count = 0;
    for (let end = length; end > 0; end = bestStart[end]!) count++;
    const spans = new Int32Array(3 * count);
    for (let end = length, k = count - 1; end > 0; end = bestStart[end]!, k--) {
      spans[3 * k] = bestStart[end]!;
      spans[3 * k + 1] = end;
      spans[3 * k + 2] = bestId[end]!;
    }
    return spans;
  }

  /** The best segmentation of `text` with Hugging Face's double sums. */
  spansDouble(text: string): Int32Array {
    return this.run(text, 0, false, this.unkScore);
  }

  /** libsentencepiece's segmentation by one float32 pass over the whole sentence (what `spansSentencePiece` must equal). */
  spansSentencePieceWhole(text: string): Int32Array {
    return this.run(text, 0, true, Math.fround(this.unkScore));
  }

  /**
   * The best segmentation of the sentence `text` as libsentencepiece gives it. Word by word (when
   * no piece crosses a word start): a cached word is reused when its exact candidate gaps all exceed
   * what float32 rounding of the running score can shift them by (each stored score is off by at
   * most half a float32 spacing per character), so its comparisons come out the same at any running
   * score of that size; otherwise the word is run from the running score in float32, as the whole
   * sentence would be. Exact ties always take that route.
   */
  spansSentencePiece(text: string): Int32Array {
    const unkScore = Math.fround(this.unkScore);
    if (!this.separableWords) return this.run(text, 0, true, unkScore);
    let out = this.sentenceSpans;
    let used = 0;
    let running = 0;
    for (let start = 0; start < text.length; ) {
      // The word runs to the next "▁" (FNV-1a hash of its code units on the way).
      let end = start;
      let hash = 0x811c9dc5;
      do {
        hash = Math.imul(hash ^ text.charCodeAt(end), 0x01000193);
        end++;
      } while (end < text.length && text.charCodeAt(end) !== 0x2581);
      const cache = this.cache;
      let slot = cache.find(text, start, end, hash);
      if (slot < 0 && end - start <= 256) {
        const word = start === 0 && end === text.length ? text : text.slice(start, end);
        const spans = this.run(word, 0, false, unkScore);
        const steps = new Float64Array(spans.length / 3);
        for (let k = 2; k < spans.length; k += 3) {
          const id = spans[k]!;
          const isUnk = id < 0 || (id === this.unkId && !this.trieHas(word, spans[k - 2]!, spans[k - 1]!));
          steps[(k - 2) / 3] = isUnk ? unkScore : this.scores[id]!;
        }
        slot = cache.add(text, start, end, hash, spans, steps, this.margin);
      }
      // 2^-22·M bounds twice the float32 spacing at magnitude M.
      const length = end - start;
      const bound = 2 * (length + 1) * (Math.abs(running) + (length + 1) * this.maxAbsScore) * 2 ** -22;
      let spans: Int32Array;
      let first = 0;
      let count: number;
      if (slot >= 0 && cache.margin[slot]! > bound) {
        spans = cache.spans;
        first = cache.spanStart[slot]!;
        count = cache.spanCount[slot]!;
        // The running score is the chain of float32 stores along the chosen path.
        const steps = cache.steps;
        for (let k = first; k < first + count; k++) running = Math.fround(running + steps[k]!);
      } else {
        spans = this.run(start === 0 && end === text.length ? text : text.slice(start, end), running, true, unkScore);
        count = spans.length / 3;
        running = this.finalScore;
      }
      if (used + 3 * count > out.length) {
        const grown = new Int32Array(Math.max(2 * out.length, used + 3 * count));
        grown.set(out.subarray(0, used));
        out = grown;
        this.sentenceSpans = out;
      }
      for (let k = 3 * first; k < 3 * (first + count); k += 3) {
        out[used++] = spans[k]! + start;
        out[used++] = spans[k + 1]! + start;
        out[used++] = spans[k + 2]!;
      }
      start = end;
    }
    return out.slice(0, used);
  }
  /** Whether text[start, end) is a piece (an unknown-character span is not). */
  private trieHas(text: string, start: number, end: number): boolean {
    let node = 0;
    for (let i = start; i < end; i++) {
      node = this.trie.child(node, text.charCodeAt(i));
      if (node === -1) return false;
    }
    return this.trie.valueAt(node) >= 0;
  }
}

