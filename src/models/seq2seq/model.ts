/**
 * Seq2Seq: an attentional encoder–decoder (Bahdanau et al. 2015; Luong et al. 2015) over LSTM or GRU
 * layers, with scheduled-sampling training. Decoding (greedy, sampling, beam search) goes through
 * generate/'s one decoder-step interface: `decoderStep` gives the step over an encoded source batch.
 *
 * Shapes: B batch, S source length, T target steps, V tgtVocab.
 *   src [B, S] int32 (padded with padId), srcLengths [B]
 *   tgt [B, T + 1] int32: BOS y₁ … y_n EOS, then padId — the decoder reads tgt[:, :T], predicts tgt[:, 1:]
 *   logits [B, T, V], attention [B, T, S]
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { indexSelect, reshape, slice, stack } from "../../ops/index.js";
import { Module } from "../../nn/module.js";
import { crossEntropy } from "../../losses/index.js";
import { tensor } from "../../tensor/factory.js";
import { type Generator, defaultGenerator } from "../../tensor/rng.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { AttentionMemory } from "./attention.js";
import { SEQ2SEQ_MODEL_TYPE, type Seq2SeqConfig, type Seq2SeqOptions, seq2seqConfig } from "./config.js";
import { type DecoderState, Seq2SeqDecoder } from "./decoder.js";
import { Seq2SeqEncoder } from "./encoder.js";
import { selectStateRows } from "./recurrent-layer.js";

export interface TeacherForcingOptions {
  /**
   * Probability ε of feeding the ground-truth previous token rather than the model's own argmax
   * prediction, drawn per row and step (scheduled sampling, Bengio et al. 2015). Default 1: full teacher
   * forcing. See teacher-forcing.ts for schedules of ε over training steps.
   */
  teacherForcingRatio?: number;
  /** Source of the coin flips (default: the seeded global generator). */
  generator?: Generator;
}

export interface Seq2SeqOutput {
  /** [B, T, V] */
  logits: Tensor;
  /** [B, T, S] */
  attention: Tensor;
}

/**
 * The decoder of one encoded source batch as a decoder step (generate/'s DecoderStep): each call feeds
 * every row's last token (the decoder start token first) and returns the next-token logits [n][V] and
 * the step's attention over the source [n][S]; `reorder` selects the rows of the recurrent state and of
 * the encoder memory (beam search).
 */
export class Seq2SeqDecoderStep {
  constructor(private readonly decoder: Seq2SeqDecoder, private state: DecoderState) {}

  next(rows: readonly (readonly number[])[]): { logits: (Float32Array | Float64Array)[]; attention: Float64Array[] } {
    const out = this.decoder.step(ids(rows.map((r) => r.at(-1) as number)), this.state);
    this.state = out.state;
    const attention = rowsOf(out.weights).map((r) => Float64Array.from(r));
    return { logits: rowsOf(out.logits), attention };
  }

  reorder(from: readonly number[]): void {
    const index = ids(from);
    const m = this.state.memory;
    const memory: AttentionMemory = {
      values: indexSelect(m.values, 0, index),
      keys: indexSelect(m.keys, 0, index),
      mask: m.mask === null ? null : indexSelect(m.mask, 0, index),
    };
    this.state = { rnn: selectStateRows(this.state.rnn, index), memory };
  }
}

/** The rows of an [n, C] float tensor. */
function rowsOf(t: Tensor): (Float32Array | Float64Array)[] {
  const [n, c] = t.shape as [number, number];
  const flat = t.toTypedArray() as Float32Array | Float64Array;
  return Array.from({ length: n }, (_, i) => flat.slice(i * c, (i + 1) * c));
}

function ids(rows: readonly number[]): Tensor {
  return tensor(Int32Array.from(rows), { dtype: "int32" });
}

/** Rows of a [B, T] int32 tensor as number arrays. */
function rowsOfIds(t: Tensor): number[][] {
  const [b, n] = t.shape as [number, number];
  const v = t.toTypedArray();
  return Array.from({ length: b }, (_, i) => Array.from(v.subarray(i * n, (i + 1) * n)));
}

export class Seq2Seq extends Module {
  /** config.json's model_type: how the model registry finds this family. */
  readonly modelType = SEQ2SEQ_MODEL_TYPE;
  readonly config: Seq2SeqConfig;
  encoder: Seq2SeqEncoder;
  decoder: Seq2SeqDecoder;

  constructor(options: Seq2SeqOptions) {
    super();
    this.config = seq2seqConfig(options);
    this.encoder = new Seq2SeqEncoder(this.config);
    this.decoder = new Seq2SeqDecoder(this.config, this.encoder.outputSize);
  }

  /** Encodes a source batch into the decoder's initial state. */
  encode(src: Tensor, srcLengths: readonly number[]): DecoderState {
    if (src.ndim !== 2 || src.dtype !== "int32" || srcLengths.length !== src.shape[0]) {
      throw new ShapeError(`Seq2Seq: expected int32 src [B, S] and B lengths, got ${src.dtype} ${formatShape(src.shape)} and ${srcLengths.length} lengths`);
    }
    const { states, mask, initial } = this.encoder.forward(src, srcLengths);
    return { rnn: initial, memory: this.decoder.prepare(states, mask) };
  }

  /** Decoder logits for inputs tgtIn [B, T] (BOS first), with scheduled sampling at the given ratio. */
  forward(src: Tensor, srcLengths: readonly number[], tgtIn: Tensor, options: TeacherForcingOptions = {}): Seq2SeqOutput {
    const ratio = options.teacherForcingRatio ?? 1;
    if (!(ratio >= 0 && ratio <= 1)) throw new ValueError(`Seq2Seq: teacherForcingRatio must be in [0, 1], got ${ratio}`);
    if (tgtIn.ndim !== 2 || tgtIn.dtype !== "int32" || tgtIn.shape[0] !== src.shape[0]) {
      throw new ShapeError(`Seq2Seq: expected int32 target inputs [${src.shape[0]}, T], got ${tgtIn.dtype} ${formatShape(tgtIn.shape)}`);
    }
    let state = this.encode(src, srcLengths);
    if (ratio === 1 && !this.decoder.inputFeeding) {
      const { logits, weights } = this.decoder.forwardParallel(tgtIn, state);
      return { logits, attention: weights };
    }
    const gen = options.generator ?? defaultGenerator;
    const gold = rowsOfIds(tgtIn);
    const [B, T] = tgtIn.shape as [number, number];
    const logits: Tensor[] = [];
    const weights: Tensor[] = [];
    let previous: number[] = gold.map((row) => row[0] as number);
    for (let t = 0; t < T; t++) {
      const out = this.decoder.step(ids(previous), state);
      state = out.state;
      logits.push(out.logits);
      weights.push(out.weights);
      if (t + 1 === T) break;
      // Per row: the true token with probability ε, else the model's own most probable token.
      const predicted = ratio === 1 ? null : noGrad(() => out.logits.argmax(-1).toTypedArray());
      previous = Array.from({ length: B }, (_, b) => {
        const truth = (gold[b] as number[])[t + 1] as number;
        if (predicted === null || gen.random() < ratio) return truth;
        return predicted[b] as number;
      });
    }
    return { logits: stack(logits, 1), attention: stack(weights, 1) };
  }

  /**
   * Mean cross-entropy over the real target tokens of tgt [B, T + 1] (BOS … EOS, padded with padId);
   * padding positions are ignored.
   */
  loss(src: Tensor, srcLengths: readonly number[], tgt: Tensor, options: TeacherForcingOptions = {}): { loss: Tensor } & Seq2SeqOutput {
    if (tgt.ndim !== 2 || (tgt.shape[1] ?? 0) < 2) throw new ShapeError(`Seq2Seq.loss: expected tgt [B, T + 1] with T ≥ 1, got ${formatShape(tgt.shape)}`);
    const steps = (tgt.shape[1] as number) - 1;
    const out = this.forward(src, srcLengths, slice(tgt, 1, 0, steps), options);
    const V = this.config.tgtVocab;
    const targets = reshape(slice(tgt, 1, 1, steps + 1), [-1]); // [B·T]
    const loss = crossEntropy(reshape(out.logits, [-1, V]), targets, { ignoreIndex: this.config.padId });
    return { loss, ...out };
  }

  /** The decoder step over an encoded source batch src [B, S] (decode with generate/'s `decodeSources`). */
  decoderStep(src: Tensor, srcLengths: readonly number[]): Seq2SeqDecoderStep {
    return new Seq2SeqDecoderStep(this.decoder, this.encode(src, srcLengths));
  }

  /** What decoding needs to know: the decoder start id, the end id and the target vocabulary. */
  get decoding(): { startId: number; endId: number; vocabSize: number } {
    return { startId: this.config.bosId, endId: this.config.eosId, vocabSize: this.config.tgtVocab };
  }
}
