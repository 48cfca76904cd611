/**
 * The starting vocabulary of Unigram training (SentencePiece's `MakeSeedSentencePieces`): every
 * character, plus the substrings that repeat across the distinct words of the corpus, ranked by
 * occurrences × length. SentencePiece enumerates the internal nodes of a suffix tree (esaxx); a
 * substring is such a node when it occurs at least twice and is followed by at least two different
 * characters (the word boundary counting as one). Words are short and pieces at most `maxPieceLength`
 * characters, so the substrings are counted here directly, and the node condition is checked on the
 * counts of their one-character extensions.
 */
import { PieceTrie } from "./trie.js";

const SCRIPTS = [
  "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Syriac", "Thaana", "Devanagari", "Bengali",
  "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao",
  "Tibetan", "Myanmar", "Georgian", "Hangul", "Ethiopic", "Cherokee", "Khmer", "Mongolian", "Han",
  "Hiragana", "Katakana", "Bopomofo", "Yi", "Runic", "Ogham", "Inherited", "Common",
].map((name) => [name, new RegExp(`^\\p{Script=${name}}$`, "u")] as const);

const scriptCache = new Map<number, string>();

/**
 * The Unicode script of a code point as SentencePiece's trainer sees it: Hiragana, Katakana and the
 * prolonged sound mark "ー" count as Han, so Japanese words may mix them.
 */
export function scriptOf(cp: number): string {
  let script = scriptCache.get(cp);
  if (script === undefined) {
    const ch = String.fromCodePoint(cp);
    script = SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? "Other";
    if (script === "Hiragana" || script === "Katakana" || cp === 0x30fc) script = "Han";
    scriptCache.set(cp, script);
  }
  return script;
}

/**
 * Length (in characters) of the longest prefix of `chars[start…]` that is a valid piece, at most
 * `maxLength`: "▁" only as the first character, no space, one Unicode script throughout
 * (SentencePiece's `IsValidSentencePiece` with default settings). Validity is prefix-closed, so every
 * shorter prefix is valid too.
 */
export function longestValidPiece(chars: readonly number[], start: number, maxLength: number): number {
  let script: string | undefined;
  const end = Math.min(chars.length, start + maxLength);
  for (let i = start; i < end; i++) {
    const cp = chars[i]!;
    if (cp === 0x20 || cp === 0) return i - start;
    if (cp === 0x2581) {
      if (i > start) return i - start;
      continue;
    }
    const s = scriptOf(cp);
    if (script !== undefined && s !== script) return i - start;
    script = s;
  }
  return end - start;
}

export interface SeedOptions {
  seedSize: number;
  maxPieceLength: number;
}

/**
 * Seed pieces with log-probability scores, most probable first: all characters of `required` (scored
 * by their weighted counts), then the repeated substrings by occurrences × length until `seedSize`.
 */
export function seedPieces(
  words: ReadonlyArray<readonly [string, number]>,
  required: ReadonlyMap<string, number>,
  options: SeedOptions,
): [string, number][] {
  // Substrings are counted in a trie over UTF-16 units (no string per occurrence): count[n]
  // occurrences of node n's string in the distinct words (each word once, as in the suffix array);
  // endCount[n] those at a word end (the boundary counts as one more kind of extension); ext[n] the
  // most occurrences of any one-character extension. charParent[n] is the node one character
  // shorter, chars[n] the length in characters (0 for a node inside a surrogate pair).
  // The edges (node, code unit) → child live in a PieceTrie's typed-array hash table, whose nodes
  // are numbered in order of creation like the arrays below (a Map keyed by node·65536 + unit cost
  // most of the counting time).
  const edges = new PieceTrie();
  let size = 1;
  let count: Int32Array = new Int32Array(1024);
  let endCount: Int32Array = new Int32Array(1024);
  let parent: Int32Array = new Int32Array(1024);
  let unitOf: Uint16Array = new Uint16Array(1024);
  let charParent: Int32Array = new Int32Array(1024);
  let chars: Int32Array = new Int32Array(1024);
  const grow = (): void => {
    const n = 2 * count.length;
    const g32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    count = g32(count);
    endCount = g32(endCount);
    parent = g32(parent);
    charParent = g32(charParent);
    chars = g32(chars);
    const u = new Uint16Array(n);
    u.set(unitOf);
    unitOf = u;
  };
  const childOf = (node: number, unit: number): number => {
    const c = edges.childOrAdd(node, unit);
    if (c === size) {
      // A new node.
      if (size === count.length) grow();
      size++;
      parent[c] = node;
      unitOf[c] = unit;
    }
    return c;
  };
  for (const [word] of words) {
    const codePoints = Array.from(word, (c) => c.codePointAt(0)!);
    for (let i = 0; i < codePoints.length; i++) {
      const longest = longestValidPiece(codePoints, i, options.maxPieceLength);
      let node = 0;
      for (let len = 1; len <= longest; len++) {
        const cp = codePoints[i + len - 1]!;
        const before = node;
        if (cp > 0xffff) {
          node = childOf(node, 0xd800 + ((cp - 0x10000) >> 10));
          node = childOf(node, 0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
          node = childOf(node, cp);
        }
        charParent[node] = before;
        chars[node] = len;
        count[node]!++;
        if (i + len === codePoints.length) endCount[node]!++;
      }
    }
  }
  const ext = new Int32Array(size);
  for (let n = 1; n < size; n++) {
    if (chars[n] === 0 || chars[n] === 1) continue;
    const prefix = charParent[n]!;
    if (count[n]! > ext[prefix]!) ext[prefix] = count[n]!;
  }
  const spell = (node: number): string => {
    const units: number[] = [];
    for (let n = node; n !== 0; n = parent[n]!) units.push(unitOf[n]!);
    units.reverse();
    return String.fromCharCode(...units);
  };
  const substrings: [string, number][] = [];
  for (let n = 1; n < size; n++) {
    const length = chars[n]!;
    const occurrences = count[n]!;
    if (length <= 1 || occurrences < 2) continue;
    const branching = Math.max(ext[n]!, endCount[n]!) < occurrences;
    if (!branching) continue;
    substrings.push([spell(n), occurrences * length]);
  }
  substrings.sort(byScoreThenPiece);
  const seeds: [string, number][] = [...required].sort(byScoreThenPiece);
  const seen = new Set(seeds.map(([piece]) => piece));
  for (const [piece, score] of substrings) {
    if (seeds.length >= options.seedSize) break;
    if (seen.has(piece)) continue;
    seeds.push([piece, score]);
  }
  // Scores → log-probabilities (SentencePiece's ToLogProb).
  let total = 0;
  for (const [, score] of seeds) total += score;
  const logTotal = Math.log(total);
  return seeds.map(([piece, score]) => [piece, Math.log(score) - logTotal]);
}

/** Higher score first; equal scores in code-unit order of the piece, so results do not depend on Map order. */
export function byScoreThenPiece(a: readonly [string, number], b: readonly [string, number]): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
