/**
 * The attentional decoder, one target step at a time (or all steps at once under teacher forcing when
 * no step feeds the next).
 *
 * Shapes: B batch, T target steps, S source length, E embedDim, H hiddenSize, Dk = encoder state size,
 * V tgtVocab, L layers.
 *
 * Each step t, with y the previous token (BOS first) and s the recurrent state:
 *   Luong (Luong et al. 2015, §3): h_t = RNN(E y, s_{t−1}); c_t = attend(h_t); h̃_t = tanh(W_c [c_t; h_t])
 *   Bahdanau (Bahdanau et al. 2015, §3.1): c_t = attend(s_{t−1}); h_t = RNN([E y; c_t], s_{t−1}) — the
 *     context is fed into the input — and the same h̃_t = tanh(W_c [c_t; h_t]) as readout.
 *   logits_t = W_s dropout(h̃_t)
 * Luong's steps depend on one another only through s, so with every input token known (teacher forcing)
 * the RNN runs over all T steps in one call and attention takes the [B, T, H] queries together.
 */
import { ValueError } from "../../errors.js";
import { cat, squeeze, tanh, unsqueeze } from "../../ops/index.js";
import { Dropout } from "../../nn/layers/dropout.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { Linear } from "../../nn/layers/linear.js";
import { Module } from "../../nn/module.js";
import type { RecurrentState } from "../../nn/recurrent/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { Attention, AttentionMemory } from "./attention.js";
import { BahdanauAttention } from "./bahdanau-attention.js";
import type { Seq2SeqConfig } from "./config.js";
import { LuongAttention } from "./luong-attention.js";
import { type RecurrentLayer, createRecurrentLayer, runRecurrent, topHidden } from "./recurrent-layer.js";

/** The decoder's recurrent state between steps. */
export interface DecoderState {
  /** [L, B, H] (h, or [h, c]) */
  rnn: RecurrentState;
  /** The encoder states prepared for attention, B rows. */
  memory: AttentionMemory;
}

/** What a decoder pass returns: logits, the final state, and the attention weights. */
export interface DecoderOutput {
  /** [B, V] for a step, [B, T, V] for a sequence */
  logits: Tensor;
  /** [B, S] or [B, T, S] */
  weights: Tensor;
}

export class Seq2SeqDecoder extends Module {
  readonly config: Seq2SeqConfig;
  /** Whether the context enters the RNN input (Bahdanau) rather than only the readout (Luong). */
  readonly inputFeeding: boolean;
  embedding: Embedding;
  dropout: Dropout;
  rnn: RecurrentLayer;
  attention: Attention;
  /** W_c: [H, Dk + H], no bias (Luong eq. 5). */
  linear_out: Linear;
  /** W_s: [V, H] */
  out_proj: Linear;

  constructor(config: Seq2SeqConfig, keyDim: number) {
    super();
    this.config = config;
    const { embedDim: E, hiddenSize: H, dtype } = config;
    this.inputFeeding = config.attention === "bahdanau";
    this.embedding = new Embedding(config.tgtVocab, E, { paddingIdx: config.padId, dtype });
    this.dropout = new Dropout(config.dropout);
    this.rnn = createRecurrentLayer(config.cell, this.inputFeeding ? E + keyDim : E, H, {
      numLayers: config.encoderLayers, bidirectional: false, dropout: config.dropout, dtype,
    });
    this.attention = config.attention === "bahdanau"
      ? new BahdanauAttention(H, keyDim, { dtype })
      : new LuongAttention(H, keyDim, config.attention === "luong-dot" ? "dot" : config.attention === "luong-general" ? "general" : "concat", { dtype });
    this.linear_out = new Linear(keyDim + H, H, { dtype, bias: false });
    this.out_proj = new Linear(H, config.tgtVocab, { dtype });
  }

  /** Encoder states [B, S, Dk] and mask → the attention memory of a batch. */
  prepare(states: Tensor, mask: Tensor): AttentionMemory {
    return this.attention.prepare(states, mask);
  }

  /** h̃ = tanh(W_c [c; h]) → logits, for [B, ·] or [B, T, ·]. */
  private readout(context: Tensor, h: Tensor): Tensor {
    const attentional = tanh(this.linear_out.forward(cat([context, h], -1)));
    return this.out_proj.forward(this.dropout.forward(attentional));
  }

  /** One step: previous tokens [B] (int32) → logits [B, V], weights [B, S], next state. */
  step(tokens: Tensor, state: DecoderState): DecoderOutput & { state: DecoderState } {
    const y = this.dropout.forward(this.embedding.forward(unsqueeze(tokens, 1))); // [B, 1, E]
    if (this.inputFeeding) {
      const { context, weights } = this.attention.attend(topHidden(state.rnn), state.memory); // [B, Dk], [B, S]
      const { output, state: rnn } = runRecurrent(this.rnn, cat([y, unsqueeze(context, 1)], -1), state.rnn); // [B, 1, H]
      return { logits: this.readout(context, squeeze(output, 1)), weights, state: { rnn, memory: state.memory } };
    }
    const { output, state: rnn } = runRecurrent(this.rnn, y, state.rnn);
    const h = squeeze(output, 1); // [B, H]
    const { context, weights } = this.attention.attend(h, state.memory);
    return { logits: this.readout(context, h), weights, state: { rnn, memory: state.memory } };
  }

  /**
   * All steps at once from known input tokens [B, T] (Luong only: without input feeding no step needs
   * the previous one's output) → logits [B, T, V], weights [B, T, S].
   */
  forwardParallel(tokens: Tensor, state: DecoderState): DecoderOutput {
    if (this.inputFeeding) throw new ValueError("Seq2SeqDecoder.forwardParallel: input feeding (Bahdanau) decodes step by step");
    const y = this.dropout.forward(this.embedding.forward(tokens)); // [B, T, E]
    const { output } = runRecurrent(this.rnn, y, state.rnn); // [B, T, H]
    const { context, weights } = this.attention.attend(output, state.memory); // [B, T, Dk], [B, T, S]
    return { logits: this.readout(context, output), weights };
  }
}
