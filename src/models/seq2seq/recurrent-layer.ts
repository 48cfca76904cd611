/**
 * The encoder's and decoder's recurrent layers (nn/recurrent's LSTM or GRU, batchFirst), behind one
 * state type so the rest of seq2seq does not branch on the cell. Shapes: L layers, D directions.
 *   GRU state h [L·D, B, H]; LSTM state [h, c], each [L·D, B, H].
 */
import { indexSelect, select } from "../../ops/index.js";
import { GRU, LSTM } from "../../nn/recurrent/index.js";
import type { LSTMState, RecurrentState } from "../../nn/recurrent/index.js";
import { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../tensor/dtype.js";
import type { RecurrentCellKind } from "./config.js";

export type RecurrentLayer = LSTM | GRU;

export interface RecurrentLayerOptions {
  numLayers: number;
  bidirectional: boolean;
  dropout: number;
  dtype: FloatDType;
}

export function createRecurrentLayer(cell: RecurrentCellKind, inputSize: number, hiddenSize: number, options: RecurrentLayerOptions): RecurrentLayer {
  const o = { ...options, batchFirst: true };
  return cell === "lstm" ? new LSTM(inputSize, hiddenSize, o) : new GRU(inputSize, hiddenSize, o);
}

/** x [B, T, in] → output [B, T, D·H] and the final state; rows past their length are padding. */
export function runRecurrent(
  rnn: RecurrentLayer, x: Tensor, state: RecurrentState | null, lengths: readonly number[] | null = null,
): { output: Tensor; state: RecurrentState } {
  const options = lengths === null ? {} : { lengths };
  if (rnn instanceof LSTM) {
    const [output, s] = rnn.forward(x, state as LSTMState | null, options);
    return { output, state: s };
  }
  const [output, h] = rnn.forward(x, state as Tensor | null, options);
  return { output, state: h };
}

/** Applies fn to h (and c). */
export function mapState(state: RecurrentState, fn: (t: Tensor) => Tensor): RecurrentState {
  return state instanceof Tensor ? fn(state) : [fn(state[0]), fn(state[1])];
}

/** h of the top layer, [B, H]: what a Bahdanau decoder attends with. */
export function topHidden(state: RecurrentState): Tensor {
  const h = state instanceof Tensor ? state : state[0];
  return select(h, 0, (h.shape[0] ?? 1) - 1);
}

/** The state of batch rows `rows` (dim 1 of every [L·D, B, H] tensor), in that order. */
export function selectStateRows(state: RecurrentState, rows: Tensor): RecurrentState {
  return mapState(state, (t) => indexSelect(t, 1, rows));
}
