/** Recurrent states and truncated back-propagation through time. */
import type { Tensor } from "../../tensor/tensor.js";

/** An LSTM's (h, c): h [numLayers·numDirections, B, P], c [numLayers·numDirections, B, H] (cells: [B, ·]). */
export type LSTMState = readonly [h: Tensor, c: Tensor];

/** Any recurrent state: h alone (RNN, GRU) or (h, c) (LSTM). */
export type RecurrentState = Tensor | LSTMState;

/**
 * The state cut from the graph that produced it, for truncated BPTT (Williams & Peng 1990): carry the
 * final state of one chunk into the next as its initial state, but let gradients stop at the chunk
 * boundary so memory and time per step stay bounded.
 */
export function detachState<S extends RecurrentState>(state: S): S {
  if (Array.isArray(state)) return state.map((t: Tensor) => t.detach()) as unknown as S;
  return (state as Tensor).detach() as S;
}
