/**
 * Labels for tokens in pictures and reports: each id decoded on its own (so byte-level BPE's "Ġthe"
 * reads " the"), falling back to the vocabulary entry where decoding one id alone gives nothing (a
 * special token, or part of a multi-byte character).
 */
import type { Tokenizer } from "../tokenizers/tokenizer.js";

/** A readable label for each id: its own decoding where that is non-empty, else its vocabulary entry or `#id`. */
export function tokenLabels(tokenizer: Tokenizer, ids: readonly number[]): string[] {
  return ids.map((id) => {
    const special = tokenizer.idToToken(id);
    const text = tokenizer.decode([id]);
    if (text !== "" && !text.includes("\ufffd")) return text;
    return special ?? `#${id}`;
  });
}
