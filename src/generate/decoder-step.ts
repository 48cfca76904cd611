/**
 * The one decoding interface: a decoder step with a state that can be reordered. Greedy decoding,
 * sampling, beam search and streaming all drive a `DecoderStep`, whether it wraps a decoder-only
 * model (GPT, the recurrent LM: `causalLanguageModelStep`) or the decoder of an encoder–decoder model
 * over one encoded source (Seq2Seq's, T5's and the Transformer's `decoderStep`).
 *
 * Shapes: n rows (a batch, or the live beams), V vocabulary, S source length.
 */
export type LogitRow = Float32Array | Float64Array;

/** What a decoder step returns: next-token logits per row, and attention over the source where the model has it. */
export interface StepResult {
  /** [n][V]: next-token logits (or log-probabilities) of each row. */
  logits: LogitRow[];
  /** [n][S]: the step's attention over the source, for models that have one (encoder–decoder). */
  attention?: Float64Array[];
}

/**
 * One interface for decoding any model, decoder-only or encoder–decoder: the next-token logits after each row, and reordering
 * rows as beams move.
 */
export interface DecoderStep {
  /**
   * The next-token distribution after each row. The first call's rows are the prompts (for an
   * encoder–decoder, the decoder start tokens); each later call's rows extend the previous call's rows
   * (after any `reorder`) by exactly one token.
   */
  next(rows: readonly (readonly number[])[]): StepResult;
  /** Keeps rows `from` in that order (row i becomes old row from[i]; repeats allowed): beam search. */
  reorder(from: readonly number[]): void;
}
