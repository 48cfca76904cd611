/**
 * The WordLevel vocabulary (HF tokenizers' `WordLevelTrainer::do_train`): special tokens first, then
 * the words seen at least `minFrequency` times, most frequent first, equal counts in string order
 * (Rust compares `String`s by UTF-8 bytes, which is code-point order), cut at `vocabSize` entries.
 *
 * One difference, on purpose: a word equal to a special token is not listed twice. HF collects the ids
 * into a map, so such a word would move the special token to a later id and leave its first id unused.
 */
export interface WordLevelTrainingOptions {
  vocabSize: number;
  minFrequency: number;
  specialTokens: readonly string[];
}

/** Tokens by id. */
export function learnWordLevel(wordCounts: ReadonlyMap<string, number>, options: WordLevelTrainingOptions): string[] {
  const vocab = [...new Set(options.specialTokens)];
  const special = new Set(vocab);
  const words = [...wordCounts].filter(([w, c]) => c >= options.minFrequency && !special.has(w));
  words.sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
  for (const [w] of words) {
    if (vocab.length >= options.vocabSize) break;
    vocab.push(w);
  }
  return vocab.slice(0, Math.max(0, options.vocabSize));
}

/** Orders strings by code point, as Rust orders `String`s (JavaScript's `<` orders UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only surrogates (U+D800–DFFF) sort differently: as code points they stand above U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
