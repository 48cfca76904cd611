/**
 * Which key positions count as special tokens or punctuation, decided from the token strings alone so
 * that the statistics work for any tokenizer.
 */

/**
 * Special tokens recognised by default: BERT's `[CLS]`/`[SEP]`/`[PAD]`/`[MASK]`, RoBERTa's and T5's
 * `<s>`/`</s>`/`<pad>`, GPT-2's `<|endoftext|>` (its BOS and EOS), and the common `<bos>`/`<eos>`.
 */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = [
  "[CLS]", "[SEP]", "[PAD]", "[MASK]", "<s>", "</s>", "<pad>", "<|endoftext|>", "<bos>", "<eos>",
];

// Word-boundary markers tokenizers put on pieces: GPT-2 byte-level "Ġ" (space) and "Ċ" (newline),
// SentencePiece "▁", WordPiece continuation "##".
const PIECE_MARKERS = /^(?:##|[\u0120\u010a\u2581\s])+/u;
const ONLY_PUNCTUATION = /^\p{P}+$/u;

/**
 * True when a token, once its word-boundary marker (`Ġ`, `▁`, `##`, spaces) is removed, is one or more
 * Unicode punctuation characters (general category P), e.g. `","`, `"Ġ."`, `"##!"`, `"▁?"`.
 * Special tokens such as `[SEP]` are not punctuation: they are counted on their own.
 */
export function isPunctuationToken(token: string): boolean {
  const bare = token.replace(PIECE_MARKERS, "");
  return bare.length > 0 && ONLY_PUNCTUATION.test(bare);
}

/** Positions whose token is in `specialTokens` (default {@link DEFAULT_SPECIAL_TOKENS}). */
export function specialTokenPositions(tokens: readonly string[], specialTokens: readonly string[] = DEFAULT_SPECIAL_TOKENS): number[] {
  const set = new Set(specialTokens);
  const out: number[] = [];
  tokens.forEach((t, i) => {
    if (set.has(t)) out.push(i);
  });
  return out;
}

/** Positions whose token is punctuation by {@link isPunctuationToken}. */
export function punctuationPositions(tokens: readonly string[]): number[] {
  const out: number[] = [];
  tokens.forEach((t, i) => {
    if (isPunctuationToken(t)) out.push(i);
  });
  return out;
}
