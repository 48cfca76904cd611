/**
 * The starting vocabulary of Unigram training (SentencePiece's `MakeSeedSentencePieces`): every
 * character, plus the substrings that repeat across the distinct words of the corpus, ranked by
 * occurrences × length. SentencePiece enumerates the internal nodes of a suffix tree (esaxx); a
 * substring is such a node when it occurs at least twice and is followed by at least two different
 * characters (the word boundary counting as one). Words are short and pieces at most `maxPieceLength`
 * characters, so the substrings are counted here directly, and the node condition is checked on the
 * counts of their one-character extensions.
 */

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
  // count[s]: occurrences of s in the distinct words (each word once, as in the suffix array);
  // ext[s]: most occurrences of any one-character extension of s; endCount[s]: occurrences at a
  // word end (the boundary counts as one more kind of extension).
  const count = new Map<string, number>();
  const ext = new Map<string, number>();
  const endCount = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  for (const [word] of words) {
    const chars = Array.from(word, (c) => c.codePointAt(0)!);
    const units: number[] = [0];
    for (const cp of chars) units.push(units[units.length - 1]! + (cp > 0xffff ? 2 : 1));
    for (let i = 0; i < chars.length; i++) {
      const longest = longestValidPiece(chars, i, options.maxPieceLength);
      for (let len = 1; len <= longest; len++) {
        const piece = word.slice(units[i], units[i + len]);
        bump(count, piece);
        if (i + len === chars.length) bump(endCount, piece);
      }
    }
  }
  for (const [piece, n] of count) {
    if (piece.length < 2) continue;
    const low = piece.charCodeAt(piece.length - 1);
    const astral = low >= 0xdc00 && low <= 0xdfff && piece.length >= 2;
    const prefix = piece.slice(0, piece.length - (astral ? 2 : 1));
    if (prefix.length === 0) continue;
    if (n > (ext.get(prefix) ?? 0)) ext.set(prefix, n);
  }
  const substrings: [string, number][] = [];
  for (const [piece, n] of count) {
    const length = [...piece].length;
    if (length <= 1 || n < 2) continue;
    const branching = Math.max(ext.get(piece) ?? 0, endCount.get(piece) ?? 0) < n;
    if (!branching) continue;
    substrings.push([piece, n * length]);
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
