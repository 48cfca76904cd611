/**
 * The encoder–decoder models a seq2seq task trains, behind one small surface: build one for a
 * vocabulary, its loss on a batch of pairs, and decoding (greedy in batches, beam search in batches)
 * through generate/'s one decoder-step interface.
 *   rnn: the attentional RNN Seq2Seq (models/seq2seq, model_type "loom-seq2seq"), decoder start <s>.
 *   t5:  T5ForConditionalGeneration (models/t5, model_type "t5"), decoder start <pad>, as T5 does.
 *   transformer: the original Transformer (models/transformer, model_type "transformer"), post-norm,
 *        one embedding shared by source, target and output, label-smoothed loss; decoder start <s>.
 *
 * Shapes: B batch, S longest source, T longest target + 1 (the end token).
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { ValueError } from "../../errors.js";
import { beamSearchBatch } from "../../generate/beam-search-batch.js";
import { inEvalMode } from "../../generate/causal-step.js";
import { decodeSources } from "../../generate/encoder-decoder.js";
import { resolveGenerateOptions } from "../../generate/options.js";
import { SEQ2SEQ_MODEL_TYPE, type AttentionKind, type RecurrentCellKind } from "../../models/seq2seq/config.js";
import { Seq2Seq } from "../../models/seq2seq/model.js";
import { T5_MODEL_TYPE, type FeedForwardProj } from "../../models/t5/config.js";
import { T5ForConditionalGeneration } from "../../models/t5/model.js";
import { TRANSFORMER_MODEL_TYPE } from "../../models/transformer/config.js";
import { Transformer } from "../../models/transformer/model.js";
import { Tensor } from "../../tensor/tensor.js";
import type { EncodedPair } from "./batches.js";
import type { PairVocabulary } from "./vocabulary.js";

/** The model kinds of `loom seq2seq train --model`. */
export const SEQ2SEQ_MODEL_KINDS = ["rnn", "t5", "transformer"] as const;
/** A model kind. */
export type Seq2SeqModelKind = (typeof SEQ2SEQ_MODEL_KINDS)[number];

/** A model a seq2seq task trains. */
export type TaskModel = Seq2Seq | T5ForConditionalGeneration | Transformer;

/** Size settings of the task models (each kind reads its own; unset → the kind's default here). */
export interface TaskModelSizes {
  /** t5: d_model (default 256); transformer: d_model (default 192); rnn: hidden size (default 256). */
  width?: number;
  /** t5: encoder and decoder blocks each (default 3); transformer: (default 2); rnn: stacked layers (default 1). */
  layers?: number;
  /** t5, transformer: attention heads (default 4; d_kv = width / heads). */
  heads?: number;
  /** t5, transformer: feed-forward width (default 4·width). */
  ffWidth?: number;
  /** transformer: label smoothing of the loss (default 0.1, the paper's). */
  labelSmoothing?: number;
  /** t5: feed-forward form (default "relu"). */
  feedForward?: FeedForwardProj;
  /** rnn: embedding size (default width / 2). */
  embedDim?: number;
  /** rnn: recurrent cell (default "lstm"). */
  cell?: RecurrentCellKind;
  /** rnn: attention (default "luong-general"). */
  attention?: AttentionKind;
  /** Dropout (default 0: the data set is large next to what a short run sees). */
  dropout?: number;
}

/** Longest source or target (in tokens, end token included) a transformer here accepts: CMUdict's longest is 34. */
const POSITIONS = 128;

/** The ids a model is built around: the vocabulary size, padding, end, and the RNN's/Transformer's decoder start. */
export interface TaskIds {
  size: number;
  padId: number;
  eosId: number;
  bosId: number;
}

/** Builds a fresh model of `kind` for a vocabulary (a PairVocabulary, or a tokenizer's ids). */
export function buildTaskModel(kind: Seq2SeqModelKind, vocab: TaskIds, sizes: TaskModelSizes = {}): TaskModel {
  const dropout = sizes.dropout ?? 0;
  if (kind === "t5") {
    const width = sizes.width ?? 256;
    const heads = sizes.heads ?? 4;
    if (width % heads !== 0) throw new ValueError(`seq2seq t5: the width ${width} must be a multiple of the heads ${heads} (d_kv = width / heads)`);
    return new T5ForConditionalGeneration({
      vocab_size: vocab.size, d_model: width, d_kv: width / heads, num_heads: heads, d_ff: sizes.ffWidth ?? 4 * width,
      num_layers: sizes.layers ?? 3, num_decoder_layers: null, feed_forward_proj: sizes.feedForward ?? "relu", dropout_rate: dropout,
      n_positions: POSITIONS, decoder_start_token_id: vocab.padId, pad_token_id: vocab.padId, eos_token_id: vocab.eosId,
    });
  }
  if (kind === "transformer") {
    // 2+2 blocks of width 192: the size measured to train well within loom seq2seq train's default 20-minute
    // budget on 2 cores (docs/g2p.md); the 3+3 × 256 default of T5 gets a fifth of the steps there.
    const layers = sizes.layers ?? 2;
    const width = sizes.width ?? 192;
    const heads = sizes.heads ?? 4;
    if (width % heads !== 0) throw new ValueError(`seq2seq transformer: the width ${width} must be a multiple of the heads ${heads}`);
    return new Transformer({
      src_vocab_size: vocab.size, tgt_vocab_size: vocab.size, d_model: width, nhead: heads, num_encoder_layers: layers,
      num_decoder_layers: layers, dim_feedforward: sizes.ffWidth ?? 4 * width, dropout, max_position_embeddings: POSITIONS,
      share_embeddings: true, tie_word_embeddings: true, label_smoothing: sizes.labelSmoothing ?? 0.1,
      pad_token_id: vocab.padId, decoder_start_token_id: vocab.bosId, eos_token_id: vocab.eosId,
    });
  }
  const width = sizes.width ?? 256;
  return new Seq2Seq({
    srcVocab: vocab.size, tgtVocab: vocab.size, hiddenSize: width, embedDim: sizes.embedDim ?? Math.max(1, Math.round(width / 2)),
    encoderLayers: sizes.layers ?? 1, cell: sizes.cell ?? "lstm", attention: sizes.attention ?? "luong-general", dropout,
    padId: vocab.padId, bosId: vocab.bosId, eosId: vocab.eosId,
  });
}

/** The kind of a loaded model (by its registry model_type), or null for another family. */
export function taskModelKind(model: { modelType: string }): Seq2SeqModelKind | null {
  if (model.modelType === T5_MODEL_TYPE) return "t5";
  if (model.modelType === TRANSFORMER_MODEL_TYPE) return "transformer";
  return model.modelType === SEQ2SEQ_MODEL_TYPE ? "rnn" : null;
}

/** Sources as one right-padded [B, S] int32 tensor and their lengths. */
export function sourceBatch(sources: readonly (readonly number[])[], padId: number): { src: Tensor; lengths: number[] } {
  const S = Math.max(1, ...sources.map((s) => s.length));
  const ids = new Int32Array(sources.length * S).fill(padId);
  sources.forEach((s, b) => ids.set(s, b * S));
  return { src: new Tensor(ids, [sources.length, S]), lengths: sources.map((s) => s.length) };
}

/**
 * The loss of a T5 or Transformer on padded ids: inputIds [B, S] with attentionMask [B, S] (1 = real),
 * labels [B, T] ending with the end token, −100 after it; the model shifts the labels right itself.
 */
export function encoderDecoderLoss(model: TaskModel, inputIds: Tensor, attentionMask: Tensor, labels: Tensor): Tensor {
  if (taskModelKind(model) === "rnn") throw new ValueError("encoderDecoderLoss: the RNN Seq2Seq takes <s>-first targets (batchLoss), not labels");
  return (model as T5ForConditionalGeneration | Transformer).forward(inputIds, { attentionMask, labels }).loss as Tensor;
}

/** Mean cross-entropy per target token (end token included, padding excluded) of a batch. */
export function batchLoss(model: TaskModel, batch: readonly EncodedPair[], vocab: PairVocabulary): Tensor {
  const { src, lengths } = sourceBatch(batch.map((p) => p.source), vocab.padId);
  const B = batch.length;
  const T = Math.max(...batch.map((p) => p.target.length)) + 1; // + end token
  const kind = taskModelKind(model);
  if (kind === "t5" || kind === "transformer") {
    const S = src.shape[1] as number;
    const mask = new Int32Array(B * S);
    lengths.forEach((n, b) => mask.fill(1, b * S, b * S + n));
    // labels [B, T]: y₁ … y_n </s>, then −100 (ignored); the model shifts them right behind <pad>.
    const labels = new Int32Array(B * T).fill(-100);
    batch.forEach((p, b) => {
      labels.set(p.target, b * T);
      labels[b * T + p.target.length] = vocab.eosId;
    });
    return encoderDecoderLoss(model, src, new Tensor(mask, [B, S]), new Tensor(labels, [B, T]));
  }
  // tgt [B, T + 1]: <s> y₁ … y_n </s>, then <pad> (ignored by the loss).
  const tgt = new Int32Array(B * (T + 1)).fill(vocab.padId);
  batch.forEach((p, b) => {
    const row = b * (T + 1);
    tgt[row] = vocab.bosId;
    tgt.set(p.target, row + 1);
    tgt[row + 1 + p.target.length] = vocab.eosId;
  });
  return (model as Seq2Seq).loss(src, lengths, new Tensor(tgt, [B, T + 1])).loss;
}

/** Options of {@link predictTargets}. */
export interface PredictOptions {
  /** 1: greedy decoding; more: beam search with this many beams (length penalty 0, as decodeSources). */
  numBeams?: number;
  /** Sources decoded together (default 256). */
  batchSize?: number;
}

/**
 * The predicted target ids (end token removed) of each source, in input order. Sources are decoded in
 * batches of similar length; greedy decoding and beam search both run a whole batch at once.
 */
export function predictTargets(model: TaskModel, sources: readonly (readonly number[])[], options: PredictOptions = {}): number[][] {
  const numBeams = options.numBeams ?? 1;
  const batchSize = options.batchSize ?? 256;
  const order = sources.map((_, i) => i).sort((a, b) => (sources[a] as readonly number[]).length - (sources[b] as readonly number[]).length);
  const out: number[][] = sources.map(() => []);
  const { startId, endId, vocabSize } = model.decoding;
  const padId = taskModelKind(model) === "rnn" ? (model as Seq2Seq).config.padId : (model as T5ForConditionalGeneration | Transformer).config.pad_token_id;
  inEvalMode(model, () => noGrad(() => {
    for (let i = 0; i < order.length; i += batchSize) {
      const rows = order.slice(i, i + batchSize);
      const { src, lengths } = sourceBatch(rows.map((r) => sources[r] as readonly number[]), padId);
      // As decodeSources: at most 2·S + 10 tokens, stop at the end token, no length normalisation.
      const settings = { maxNewTokens: 2 * (src.shape[1] as number) + 10, stopIds: [endId], lengthPenalty: 0, earlyStopping: "never" as const };
      let predictions: number[][];
      if (numBeams <= 1) {
        predictions = decodeSources(model, src, lengths, { ...settings, temperature: 0 }).map((r) => r[0]?.tokens ?? []);
      } else {
        const o = resolveGenerateOptions({ ...settings, numBeams }, vocabSize);
        predictions = beamSearchBatch(model.decoderStep(src, lengths), lengths.map(() => [startId]), o).map((h) => h[0]?.tokens ?? []);
      }
      rows.forEach((r, k) => {
        const tokens = predictions[k] as number[];
        out[r] = tokens.at(-1) === endId ? tokens.slice(0, -1) : tokens;
      });
    }
  }));
  return out;
}
