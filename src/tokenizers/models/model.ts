/**
 * The contract every tokenization model (BPE, WordPiece, Unigram, WordLevel) fulfils — the "model"
 * stage of the Hugging Face pipeline: normalizer → pre-tokenizer → **model** → post-processor → decoder.
 */

/** One token produced by a model from one pre-tokenized piece. */
export interface Token {
  id: number;
  /** The token's string as it appears in the vocabulary. */
  value: string;
  /** [start, end) in UTF-16 code units of the piece that was given to `tokenize`. */
  offsets: [number, number];
}

/** A tokenizer model: splits one pre-tokenized word into tokens and maps tokens to ids and back. */
export interface Model {
  /** The `"type"` tag of this model in tokenizer.json ("BPE", "WordPiece", "Unigram", "WordLevel"). */
  readonly type: string;
  /** Splits one pre-tokenized (and normalized) piece into tokens. */
  tokenize(sequence: string): Token[];
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  getVocab(): Map<string, number>;
  getVocabSize(): number;
  /** The `"model"` object of tokenizer.json, fields in the order Hugging Face writes them. */
  toJSON(): Record<string, unknown>;
  /** Drops whatever the model caches while encoding (BPE's word cache); absent where it caches nothing. */
  clearCache?(): void;
}
