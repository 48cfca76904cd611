/**
 * The BPE training algorithm on plain data — word counts in, vocabulary and merges out — following
 * Hugging Face tokenizers' `BpeTrainer::do_train` (`models/bpe/trainer.rs`) step for step, so that the
 * same words give the same merges in the same order:
 *
 * 1. special tokens take the first ids; 2. the alphabet (see trainer-alphabet.ts) follows in code-point
 * order; 3. each word becomes a list of symbol ids (characters outside the alphabet are dropped; the
 * continuing-subword prefix goes on every character but the word's first, the end-of-word suffix on its
 * last, and such decorated characters get ids as they are first met); 4. pairs are counted, each with
 * the set of words it occurs in; 5. the best pair is popped from a max-heap (trainer-queue.ts),
 * merged in the words of its entry, and the pairs around each merge site are updated incrementally.
 *
 * Details kept from HF because they change the result:
 * - Heap entries are invalidated lazily: an entry whose count differs from the pair's current count is
 *   pushed back with the current count (keeping its own word set) instead of being used.
 * - An entry pushed for a pair that gained occurrences holds only the words where it gained them. When
 *   a token can be built in two ways (a+bc, ab+c) the same pair can therefore sit in the heap twice with
 *   different word sets, and be merged twice; HF keeps the later position of such a pair in the merges.
 * - The merged pair's own count is never decreased; only the neighbouring pairs change.
 * - `maxTokenLength` (in characters) only stops new pairs from forming when the two sides together are
 *   not shorter than it (`prev.len + new.len < max_length`); pairs counted at the start are not checked.
 *
 * Where HF's outcome depends on the iteration order of a randomly seeded HashMap (ids of decorated
 * characters, ties between two heap entries of the same pair and count) it is not reproducible from
 * run to run in HF itself; here the order is that in which words were first fed.
 *
 * Checked against HF's Rust trainer (test/tokenizers/models/bpe/trainer-hf.test.ts): identical
 * vocabularies and merge lists, trained to exhaustion on State of the Union addresses.
 */
import { computeAlphabet } from "./trainer-alphabet.js";
import { MergeQueue } from "./trainer-queue.js";
import type { TrainerProgress } from "../../trainers/trainer.js";

export interface BpeTrainingOptions {
  /** Target vocabulary size, special tokens included. */
  vocabSize: number;
  /** A pair seen fewer times than this is never merged. */
  minFrequency: number;
  specialTokens: readonly string[];
  /** Keep at most this many characters in the alphabet (the most frequent). */
  limitAlphabet?: number | undefined;
  /** Characters always in the alphabet, seen or not (only the first character of each string counts). */
  initialAlphabet: readonly string[];
  /** Put on every symbol that does not start a word, e.g. "##" for WordPiece. */
  continuingSubwordPrefix?: string | undefined;
  /** Put on the symbol that ends a word, e.g. "</w>". */
  endOfWordSuffix?: string | undefined;
  /** Longest token, in characters, that merges may build (see above for HF's exact rule). */
  maxTokenLength?: number | undefined;
  onProgress?: ((progress: TrainerProgress) => void) | undefined;
}

export interface BpeTrainingResult {
  /** Tokens by id. */
  vocab: string[];
  /** Merges in rank order, as the two token strings joined. */
  merges: [string, string][];
}

/** Pair (left, right) as one number; ids stay below 2^26, so the key stays below 2^52. */
const PAIR_SHIFT = 0x4000000;

interface Word {
  ids: Int32Array;
  /** Length in characters of each symbol, for `maxTokenLength`. */
  lens: Int32Array;
  size: number;
}

export function learnBpe(wordCounts: ReadonlyMap<string, number>, options: BpeTrainingOptions): BpeTrainingResult {
  const { vocabSize, minFrequency, continuingSubwordPrefix: prefix, endOfWordSuffix: suffix } = options;
  const maxLength = options.maxTokenLength ?? Number.POSITIVE_INFINITY;
  const progress = options.onProgress;
  const tokens: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (token: string): number => {
    let id = ids.get(token);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(token);
      ids.set(token, id);
    }
    return id;
  };

  // 1–2. Special tokens, then the alphabet.
  for (const t of options.specialTokens) idOf(t);
  for (const cp of computeAlphabet(wordCounts, options.initialAlphabet, options.limitAlphabet)) {
    idOf(String.fromCodePoint(cp));
  }

  // 3. Words as symbol ids.
  const words: Word[] = [];
  const counts: number[] = [];
  const totalWords = wordCounts.size;
  for (const [word, count] of wordCounts) {
    const chars = Array.from(word);
    const wordIds = new Int32Array(chars.length);
    let size = 0;
    for (let i = 0; i < chars.length; i++) {
      let s = chars[i] as string;
      if (!ids.has(s)) continue;
      if (i > 0 && prefix !== undefined) s = prefix + s;
      if (i === chars.length - 1 && suffix !== undefined) s = s + suffix;
      wordIds[size++] = idOf(s);
    }
    words.push({ ids: wordIds, lens: new Int32Array(chars.length).fill(1), size });
    counts.push(count);
    if (progress !== undefined && words.length % 10000 === 0) {
      progress({ stage: "tokenize words", done: words.length, total: totalWords });
    }
  }

  // 4. Pair counts and, per pair, the words it occurs in (each word once, in word order).
  const pairCounts = new Map<number, number>();
  let where = new Map<number, number[]>();
  const addOccurrences = (key: number, wordIndex: number, delta: number): void => {
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + delta);
    if (delta <= 0) return;
    const list = where.get(key);
    if (list === undefined) where.set(key, [wordIndex]);
    else if (list[list.length - 1] !== wordIndex) list.push(wordIndex);
  };
  for (let w = 0; w < words.length; w++) {
    const { ids: s, size } = words[w] as Word;
    const count = counts[w] as number;
    for (let i = 0; i + 1 < size; i++) addOccurrences((s[i] as number) * PAIR_SHIFT + (s[i + 1] as number), w, count);
  }
  const queue = new MergeQueue();
  const flushWhere = (): void => {
    for (const [key, list] of where) {
      const count = pairCounts.get(key) as number;
      if (count > 0) queue.push(Math.floor(key / PAIR_SHIFT), key % PAIR_SHIFT, count, list);
    }
    where = new Map();
  };
  flushWhere();
  progress?.({ stage: "count pairs", done: words.length, total: words.length });

  // 5. Merges.
  const mergeIds: [number, number][] = [];
  for (;;) {
    if (ids.size >= vocabSize) break;
    const top = queue.pop();
    if (top === undefined) break;
    const key = top.left * PAIR_SHIFT + top.right;
    const current = pairCounts.get(key) as number;
    if (top.count !== current) {
      top.count = current;
      queue.pushCandidate(top);
      continue;
    }
    if (top.count < 1 || minFrequency > top.count) break;

    let right = tokens[top.right] as string;
    if (prefix !== undefined && right.startsWith(prefix)) right = right.slice(prefix.length);
    const merged = idOf((tokens[top.left] as string) + right);
    if (merged >= PAIR_SHIFT) throw new RangeError(`BPE training: more than ${PAIR_SHIFT} tokens`);
    mergeIds.push([top.left, top.right]);

    for (const w of top.words) {
      mergeInWord(words[w] as Word, top.left, top.right, merged, maxLength, w, counts[w] as number, addOccurrences);
    }
    flushWhere();
    if (progress !== undefined && mergeIds.length % 100 === 0) {
      progress({ stage: "merge", done: ids.size, total: vocabSize });
    }
  }
  progress?.({ stage: "merge", done: vocabSize, total: vocabSize });

  // A pair merged twice keeps its later rank (HF collects the merges into a map, later ones win).
  const seen = new Set<number>();
  const merges: [string, string][] = [];
  for (let i = mergeIds.length - 1; i >= 0; i--) {
    const [l, r] = mergeIds[i] as [number, number];
    const key = l * PAIR_SHIFT + r;
    if (seen.has(key)) continue;
    seen.add(key);
    merges.push([tokens[l] as string, tokens[r] as string]);
  }
  merges.reverse();
  return { vocab: tokens, merges };
}

/**
 * Replaces every (left, right) in the word by `merged`, left to right, and reports the pair changes
 * around each site as HF's `Word::merge` does: the old neighbouring pairs lose `count`, the new ones
 * gain it (unless the new token would reach `maxLength` characters).
 */
function mergeInWord(
  word: Word,
  left: number,
  right: number,
  merged: number,
  maxLength: number,
  wordIndex: number,
  count: number,
  change: (key: number, wordIndex: number, delta: number) => void,
): void {
  const { ids, lens, size } = word;
  let w = 0;
  let r = 0;
  while (r < size) {
    if (ids[r] === left && r + 1 < size && ids[r + 1] === right) {
      const len = (lens[r] as number) + (lens[r + 1] as number);
      if (w > 0) {
        const prev = ids[w - 1] as number;
        change(prev * PAIR_SHIFT + left, wordIndex, -count);
        if ((lens[w - 1] as number) + len < maxLength) change(prev * PAIR_SHIFT + merged, wordIndex, count);
      }
      if (r + 2 < size) {
        const next = ids[r + 2] as number;
        change(right * PAIR_SHIFT + next, wordIndex, -count);
        if ((lens[r + 2] as number) + len < maxLength) change(merged * PAIR_SHIFT + next, wordIndex, count);
      }
      ids[w] = merged;
      lens[w] = len;
      w++;
      r += 2;
    } else {
      ids[w] = ids[r] as number;
      lens[w] = lens[r] as number;
      w++;
      r++;
    }
  }
  word.size = w;
}
