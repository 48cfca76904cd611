/**
 * The interface between a decoder and the search algorithms (greedy-search.ts, beam-search.ts), so the
 * searches can be tested on hand-made step functions. n is the number of hypotheses being extended
 * (the batch for greedy search, the live beams for beam search), V the vocabulary, S the source length.
 */
import type { Tensor } from "../../tensor/tensor.js";

export interface StepOutput<State> {
  /** [n, V]: log-probabilities of the next token of each hypothesis. */
  logProbs: Tensor;
  /** The decoder state after consuming the tokens. */
  state: State;
  /** [n, S]: the attention weights of this step, when the decoder has them. */
  attention?: Tensor;
}

export interface Decoder<State> {
  /** Feeds each hypothesis's last token (BOS first) and returns the next-token distribution. */
  step(tokens: readonly number[], state: State): StepOutput<State>;
  /** The state of hypotheses `rows` (indices into the current n, repeats allowed), in that order. */
  reorder(state: State, rows: readonly number[]): State;
}

export interface SearchOptions {
  bosId: number;
  eosId: number;
  /** Most tokens generated per hypothesis, EOS included. */
  maxLength: number;
}

export interface Hypothesis {
  /** Generated ids, without BOS; ends with EOS unless maxLength stopped it. */
  tokens: number[];
  /** Σ log p of the tokens. */
  score: number;
  /** score / lengthPenalty(tokens.length): what the beam search ranks finished hypotheses by. */
  normalizedScore: number;
  /** One row of S attention weights per generated token (empty when the decoder gives none). */
  attention: number[][];
}

/** The rows of an [n, C] tensor as arrays of numbers. */
export function rowsOf(t: Tensor): Float64Array[] {
  const [n, c] = t.shape as [number, number];
  const flat = t.toTypedArray();
  return Array.from({ length: n }, (_, i) => Float64Array.from(flat.subarray(i * c, (i + 1) * c)));
}
