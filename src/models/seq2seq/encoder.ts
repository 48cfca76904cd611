/**
 * The encoder: source embeddings → (bi)directional LSTM/GRU over each row's real length → encoder
 * states for attention, and the decoder's initial state.
 *
 * Shapes: B batch, S source length, E embedDim, H hiddenSize, D directions (1 or 2), L layers.
 *   src [B, S] int32 → states [B, S, D·H] (zero at padding), mask [B, S], initial [L, B, H] (× 2 for LSTM)
 *
 * Bridge. The decoder is unidirectional with H units per layer; a bidirectional encoder ends each
 * layer with a forward and a backward state, [h→; h←] of size 2H. A Linear layer maps it to H:
 * h₀ = tanh(W_h [h→; h←] + b_h) (the tanh keeps h₀ in the range of a hidden state), and for the LSTM
 * cell c₀ = W_c [c→; c←] + b_c (a cell state is unbounded). A unidirectional encoder's final state is
 * passed through as it is.
 */
import { permute, reshape, tanh } from "../../ops/index.js";
import { Dropout } from "../../nn/layers/dropout.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { Linear } from "../../nn/layers/linear.js";
import { Module } from "../../nn/module.js";
import type { RecurrentState } from "../../nn/recurrent/index.js";
import { Tensor } from "../../tensor/tensor.js";
import type { Seq2SeqConfig } from "./config.js";
import { sourceMaskFromLengths } from "./masking.js";
import { type RecurrentLayer, createRecurrentLayer, runRecurrent } from "./recurrent-layer.js";

/** The encoder's outputs per source position and its final state. */
export interface EncoderOutput {
  /** [B, S, D·H] */
  states: Tensor;
  /** bool [B, S], true at real tokens */
  mask: Tensor;
  /** The decoder's initial state, [L, B, H] (h, or [h, c]). */
  initial: RecurrentState;
}

export class Seq2SeqEncoder extends Module {
  readonly config: Seq2SeqConfig;
  embedding: Embedding;
  dropout: Dropout;
  rnn: RecurrentLayer;
  /** [H, 2H]: bidirectional only. */
  bridge_h: Linear | null = null;
  /** [H, 2H]: bidirectional LSTM only. */
  bridge_c: Linear | null = null;

  constructor(config: Seq2SeqConfig) {
    super();
    this.config = config;
    const { embedDim, hiddenSize, dtype } = config;
    this.embedding = new Embedding(config.srcVocab, embedDim, { paddingIdx: config.padId, dtype });
    this.dropout = new Dropout(config.dropout);
    this.rnn = createRecurrentLayer(config.cell, embedDim, hiddenSize, {
      numLayers: config.encoderLayers, bidirectional: config.bidirectionalEncoder, dropout: config.dropout, dtype,
    });
    if (config.bidirectionalEncoder) {
      this.bridge_h = new Linear(2 * hiddenSize, hiddenSize, { dtype });
      if (config.cell === "lstm") this.bridge_c = new Linear(2 * hiddenSize, hiddenSize, { dtype });
    }
  }

  /** Size of each encoder state: D·H. */
  get outputSize(): number {
    return (this.config.bidirectionalEncoder ? 2 : 1) * this.config.hiddenSize;
  }

  /** src [B, S] int32, lengths [B] (each in [1, S]). */
  forward(src: Tensor, lengths: readonly number[]): EncoderOutput {
    const [B, S] = src.shape as [number, number];
    const mask = sourceMaskFromLengths(lengths, S);
    const x = this.dropout.forward(this.embedding.forward(src)); // [B, S, E]
    const { output, state } = runRecurrent(this.rnn, x, null, lengths);
    if (!this.config.bidirectionalEncoder) return { states: output, mask, initial: state };
    const L = this.config.encoderLayers;
    const H = this.config.hiddenSize;
    // [L·2, B, H] → [L, 2, B, H] → [L, B, 2, H] → [L, B, 2H]: each layer's [h→; h←].
    const joined = (t: Tensor): Tensor => reshape(permute(reshape(t, [L, 2, B, H]), [0, 2, 1, 3]), [L, B, 2 * H]);
    const initial: RecurrentState = state instanceof Tensor
      ? tanh((this.bridge_h as Linear).forward(joined(state)))
      : [tanh((this.bridge_h as Linear).forward(joined(state[0]))), (this.bridge_c as Linear).forward(joined(state[1]))];
    return { states: output, mask, initial };
  }
}
