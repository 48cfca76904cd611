/** The pre-tokenizer stage: splits a `PreTokenizedString` into pieces (words) the model tokenizes one by one. */
import type { PreTokenizedString } from "../pre-tokenized-string.js";
import { Registry } from "../registry.js";

/** A pre-tokenizer: splits text into the words the model tokenizes one by one. */
export interface PreTokenizer {
  /** The `"type"` tag in tokenizer.json. */
  readonly type: string;
  preTokenize(pts: PreTokenizedString): void;
  /**
   * The pieces `preTokenize` makes of one piece of text, without offsets — optional; used by
   * training when every stage has it (the tests check both give the same pieces).
   */
  preTokenizeString?(text: string): string[];
  /** The JSON object of this pre-tokenizer, fields in the order Hugging Face writes them. */
  toJSON(): Record<string, unknown>;
}

/** `"type"` → reader for pre-tokenizers; see pre_tokenizers/index.ts for the built-in ones. */
export const preTokenizerRegistry = new Registry<PreTokenizer>("pre-tokenizer");
