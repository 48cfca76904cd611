/** The normalizer stage: rewrites a `NormalizedString` in place, keeping its alignments. */
import type { NormalizedString } from "../normalized-string.js";
import { Registry } from "../registry.js";

/** A normalizer: rewrites text (keeping the alignment to the original) before it is split. */
export interface Normalizer {
  /** The `"type"` tag in tokenizer.json. */
  readonly type: string;
  normalize(s: NormalizedString): void;
  /**
   * The same normalization on a plain string, without alignments — optional; when every stage has
   * it, training skips NormalizedString (the tests check both give the same text).
   */
  normalizeString?(text: string): string;
  /** The JSON object of this normalizer, fields in the order Hugging Face writes them. */
  toJSON(): Record<string, unknown>;
}

/** `"type"` → reader for normalizers; see normalizers/index.ts for the built-in ones. */
export const normalizerRegistry = new Registry<Normalizer>("normalizer");

