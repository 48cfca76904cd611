/**
 * A recurrent language model: embedding → stacked LSTM/GRU/RNN → linear output over the vocabulary,
 * with the same `forward(ids, { targets, cache, lastOnly })` surface as GPT, so the trainer, run folders,
 * `loom generate` and beam search work on it unchanged. Its "cache" is the recurrent state: per layer
 * h (and c for LSTM) as [B, H] tensors whose row dim beam search reorders.
 *
 * Shapes: B batch, T steps, E = n_embd, H = hidden_size, V = vocab_size, L = n_layer.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { nextTokenLoss } from "../next-token-loss.js";
import { indexSelect, linear, select, stack } from "../../ops/index.js";
import type { DecodingCache } from "../../nn/attention/kv-cache.js";
import { rejectUnknownKeys } from "../config-fields.js";
import { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../../nn/functional/index.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { Linear } from "../../nn/layers/linear.js";
import { Module } from "../../nn/module.js";
import { GRU, LSTM, RNN } from "../../nn/recurrent/index.js";
import { RNNLM_MODEL_TYPE, type RecurrentLMConfig, defaultRecurrentLMConfig, validateRecurrentLMConfig } from "./config.js";

/** The recurrent state of each layer: the model's decoding state, whose rows beam search reorders. */
export class RecurrentCache implements DecodingCache {
  /** k = h [B, H], v = c [B, H] (LSTM) or h again (GRU, RNN). */
  layers: ({ k: Tensor; v: Tensor } | null)[];
  /** Steps processed so far. */
  length = 0;

  constructor(nLayer: number) {
    this.layers = new Array<{ k: Tensor; v: Tensor } | null>(nLayer).fill(null);
  }

  reorder(from: readonly number[]): void {
    const index = new Tensor(Int32Array.from(from), [from.length]);
    this.layers = this.layers.map((s) => s && { k: indexSelect(s.k, 0, index), v: indexSelect(s.v, 0, index) });
  }
}

/** Options of `RecurrentLM.forward`: targets for the loss, and the state carried from the previous chunk. */
export interface RecurrentLMForwardOptions {
  targets?: Tensor;
  /** A cache from newCache (the recurrent state), continued and updated. */
  cache?: DecodingCache;
  lastOnly?: boolean;
}

export class RecurrentLM extends Module {
  /** config.json's model_type: how the model registry finds this family. */
  readonly modelType = RNNLM_MODEL_TYPE;
  readonly config: RecurrentLMConfig;
  embedding: Embedding;
  rnn: LSTM | GRU | RNN;
  /** Output layer [V, H]; null when tied to the embedding. */
  head: Linear | null;

  constructor(config: Partial<RecurrentLMConfig> = {}) {
    super();
    rejectUnknownKeys(config, Object.keys(defaultRecurrentLMConfig), "RecurrentLM config");
    this.config = { ...defaultRecurrentLMConfig, ...config };
    validateRecurrentLMConfig(this.config, "<config>");
    const c = this.config;
    this.embedding = new Embedding(c.vocab_size, c.n_embd);
    const options = { numLayers: c.n_layer, batchFirst: true, dropout: c.dropout };
    this.rnn = c.cell === "lstm" ? new LSTM(c.n_embd, c.hidden_size, options) : c.cell === "gru" ? new GRU(c.n_embd, c.hidden_size, options) : new RNN(c.n_embd, c.hidden_size, options);
    this.head = c.tie_word_embeddings ? null : new Linear(c.hidden_size, c.vocab_size);
  }

  newCache(): RecurrentCache {
    return new RecurrentCache(this.config.n_layer);
  }

  /** ids [B, T] → logits [B, T, V] ([B, 1, V] with lastOnly), and the mean next-token loss with targets. */
  forward(ids: Tensor, options: RecurrentLMForwardOptions = {}): { logits: Tensor; loss: Tensor | null } {
    if (ids.ndim !== 2) throw new ShapeError(`RecurrentLM.forward: ids must be [B, T], got ${formatShape(ids.shape)}`);
    const T = ids.shape[1] as number;
    const c = this.config;
    const x = dropout(this.embedding.forward(ids), c.dropout, this.training); // [B, T, E]
    const cache = options.cache;
    if (cache !== undefined && !(cache instanceof RecurrentCache)) throw new ValueError("RecurrentLM.forward: cache must be a RecurrentCache made by newCache()");
    const past = cache && cache.layers[0] ? cache.layers : null;
    let out: Tensor;
    if (this.rnn instanceof LSTM) {
      const state = past ? ([stack(past.map((l) => (l as { k: Tensor }).k), 0), stack(past.map((l) => (l as { v: Tensor }).v), 0)] as const) : null;
      const [y, [h, cc]] = this.rnn.forward(x, state);
      out = y;
      if (cache) cache.layers = Array.from({ length: c.n_layer }, (_, l) => ({ k: select(h, 0, l), v: select(cc, 0, l) }));
    } else {
      const h0 = past ? stack(past.map((l) => (l as { k: Tensor }).k), 0) : null;
      const [y, h] = this.rnn.forward(x, h0);
      out = y;
      if (cache) cache.layers = Array.from({ length: c.n_layer }, (_, l) => ({ k: select(h, 0, l), v: select(h, 0, l) }));
    }
    if (cache) cache.length += T;
    out = dropout(out, c.dropout, this.training); // [B, T, H]
    if (options.lastOnly) out = out.slice(1, T - 1, T);
    const logits = this.head ? this.head.forward(out) : linear(out, this.embedding.weight);
    const loss = nextTokenLoss(logits, ids, options.targets, "RecurrentLM.forward");
    return { logits, loss };
  }
}
