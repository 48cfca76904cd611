/**
 * Multi-layer, optionally bidirectional recurrent layers, as torch.nn.RNN / LSTM / GRU: the same
 * parameter names and layouts (`weight_ih_l{k}` [G·H, in_k], `weight_hh_l{k}` [G·H, P], `bias_ih_l{k}`,
 * `bias_hh_l{k}` [G·H], LSTM `weight_hr_l{k}` [P, H], with `_reverse` for the backward direction), so
 * a PyTorch state dict loads by name. Loom adds `weight_ch_l{k}` for peephole LSTMs.
 *
 * Shapes: T steps, B batch, D directions (1 or 2), L layers, H hidden, P = projSize or H.
 *   input [T, B, in] ([B, T, in] with batchFirst; [T, in] unbatched)
 *   h0 / hN [L·D, B, P], c0 / cN [L·D, B, H]   output [T, B, D·P] ([B, T, D·P] with batchFirst)
 * Per layer and direction, x·W_ihᵀ + b_ih for all steps is one matmul; the time loop is one fused op
 * (sequence-op.ts). Dropout (training only, seeded) applies to each layer's output except the last.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { cat, linear, reshape, select, squeeze, stack, transpose, unsqueeze } from "../../ops/index.js";
import { zeros } from "../../tensor/factory.js";
import { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../functional/dropout.js";
import { type LayerOptions, checkSize } from "../layers/options.js";
import { Module } from "../module.js";
import type { LSTMVariantOptions, RNNCellOptions } from "./cells.js";
import { addParameter, namedParameter, requiredParameter, resetRecurrentParameters } from "./params.js";
import { type CellKind, recurrentSequence } from "./sequence-op.js";
import type { LSTMState } from "./state.js";

/** Options common to the recurrent layers: layers, bias, batch-first layout, dropout between layers, bidirectional. */
export interface RecurrentOptions extends LayerOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output as [B, T, ·] instead of [T, B, ·] (default false; states keep [L·D, B, ·]). */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training (default 0). */
  dropout?: number;
  /** Also run each layer from the last step to the first and concatenate (default false). */
  bidirectional?: boolean;
}

/** Options of `nn.RNN`: the recurrent options plus the nonlinearity (tanh or relu). */
export type RNNOptions = RecurrentOptions & Pick<RNNCellOptions, "nonlinearity">;
/** Options of `nn.LSTM`: the recurrent options plus the LSTM variants (projection, coupled gates, peepholes). */
export type LSTMOptions = RecurrentOptions & LSTMVariantOptions;
/** Options of `nn.GRU`. */
export type GRUOptions = RecurrentOptions;

/** Which steps of a padded batch are real: give one of the two (like a packed sequence). */
export interface SequenceOptions {
  /** Length of each sequence of the batch (each in [0, T]); steps from the length on are padding. */
  lengths?: readonly number[] | Int32Array;
  /**
   * [B, T] mask, true (nonzero) at real steps and false at padding, which must come after the real
   * steps of each row (as loom's attention masks: true = attend).
   */
  mask?: Tensor;
}

interface RunResult {
  output: Tensor;
  h: Tensor;
  c: Tensor | null;
}

/** The lengths of SequenceOptions as an Int32Array, or null when every row is full. */
function lengthsOf(options: SequenceOptions, batch: number, steps: number, layer: string): Int32Array | null {
  if (options.lengths !== undefined && options.mask !== undefined) throw new ValueError(`${layer}: give lengths or mask, not both`);
  let lengths: Int32Array | null = null;
  if (options.lengths !== undefined) {
    lengths = Int32Array.from(options.lengths);
  } else if (options.mask !== undefined) {
    const m = options.mask;
    if (m.ndim !== 2 || m.shape[0] !== batch || m.shape[1] !== steps) {
      throw new ShapeError(`${layer}: mask must be [${batch}, ${steps}], got ${formatShape(m.shape)}`);
    }
    const v = m.toTypedArray();
    lengths = new Int32Array(batch);
    for (let b = 0; b < batch; b++) {
      let n = 0;
      while (n < steps && v[b * steps + n] !== 0) n++;
      for (let t = n; t < steps; t++) {
        if (v[b * steps + t] !== 0) throw new ValueError(`${layer}: mask row ${b} has a real step after padding (at ${t}); padding must come last`);
      }
      lengths[b] = n;
    }
  }
  if (lengths === null) return null;
  if (lengths.length !== batch) throw new ShapeError(`${layer}: ${lengths.length} lengths for a batch of ${batch}`);
  for (const n of lengths) {
    if (!(n >= 0 && n <= steps)) throw new ValueError(`${layer}: lengths must be in [0, ${steps}], got ${n}`);
  }
  return lengths.every((n) => n === steps) ? null : lengths;
}

/** The machinery shared by RNN, LSTM and GRU. */
abstract class RecurrentLayer extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  protected readonly cell: CellKind;
  protected readonly projSize: number;
  protected readonly coupled: boolean;

  protected constructor(
    name: string, cell: CellKind, inputSize: number, hiddenSize: number, options: RecurrentOptions, lstm: LSTMVariantOptions = {},
  ) {
    super();
    this.inputSize = checkSize(inputSize, "inputSize", name);
    this.hiddenSize = checkSize(hiddenSize, "hiddenSize", name);
    this.numLayers = options.numLayers ?? 1;
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1) throw new ValueError(`${name}: numLayers must be a positive integer, got ${this.numLayers}`);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new ValueError(`${name}: dropout must be in [0, 1], got ${this.dropout}`);
    this.bidirectional = options.bidirectional ?? false;
    this.cell = cell;
    this.projSize = checkSize(lstm.projSize ?? 0, "projSize", name);
    if (this.projSize > 0 && this.projSize >= hiddenSize) throw new ValueError(`${name}: projSize (${this.projSize}) must be smaller than hiddenSize (${hiddenSize})`);
    this.coupled = lstm.coupledInputForget ?? false;
    const G = cell === "lstm" ? (this.coupled ? 3 : 4) : cell === "gru" ? 3 : 1;
    const P = this.outputSize;
    const dtype = options.dtype ?? "float32";
    for (let l = 0; l < this.numLayers; l++) {
      for (const suffix of this.suffixes(l)) {
        const inSize = l === 0 ? inputSize : P * this.numDirections;
        addParameter(this, `weight_ih${suffix}`, [G * hiddenSize, inSize], dtype);
        addParameter(this, `weight_hh${suffix}`, [G * hiddenSize, P], dtype);
        if (this.bias) {
          addParameter(this, `bias_ih${suffix}`, [G * hiddenSize], dtype);
          addParameter(this, `bias_hh${suffix}`, [G * hiddenSize], dtype);
        }
        if (this.projSize > 0) addParameter(this, `weight_hr${suffix}`, [this.projSize, hiddenSize], dtype);
        if (lstm.peephole ?? false) addParameter(this, `weight_ch${suffix}`, [this.coupled ? 2 : 3, hiddenSize], dtype);
      }
    }
    this.resetParameters();
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Size of h (and of each direction's output): projSize when projecting, else hiddenSize. */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  resetParameters(): void {
    resetRecurrentParameters(this, this.hiddenSize);
  }

  private suffixes(layer: number): string[] {
    return this.bidirectional ? [`_l${layer}`, `_l${layer}_reverse`] : [`_l${layer}`];
  }

  /** A state given as [L·D, B, size] (or [L·D, size] unbatched), or zeros. */
  private initialState(s: Tensor | null | undefined, batch: number, size: number, unbatched: boolean, like: Tensor, what: string): Tensor {
    const LD = this.numLayers * this.numDirections;
    if (s === null || s === undefined) return zeros([LD, batch, size], { dtype: like.dtype });
    const t = unbatched ? unsqueeze(s, 1) : s;
    if (t.ndim !== 3 || t.shape[0] !== LD || t.shape[1] !== batch || t.shape[2] !== size) {
      const expected = unbatched ? [LD, size] : [LD, batch, size];
      throw new ShapeError(`${this.constructor.name}: ${what} must be ${formatShape(expected)}, got ${formatShape(s.shape)}`);
    }
    return t;
  }

  /** Runs every layer and direction; returns output and final states in the caller's layout. */
  protected run(input: Tensor, h0: Tensor | null | undefined, c0: Tensor | null | undefined, options: SequenceOptions): RunResult {
    const name = this.constructor.name;
    if ((input.ndim !== 2 && input.ndim !== 3) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: expected input [T, B, ${this.inputSize}] (or [B, T, ·] with batchFirst, or [T, ${this.inputSize}]), got ${formatShape(input.shape)}`);
    }
    const unbatched = input.ndim === 2;
    let x = unbatched ? unsqueeze(input, 1) : this.batchFirst ? transpose(input, 0, 1) : input; // [T, B, in]
    const T = x.shape[0] ?? 0;
    const B = x.shape[1] ?? 0;
    const lengths = lengthsOf(options, B, T, name);
    const P = this.outputSize;
    const H = this.hiddenSize;
    const isLstm = this.cell === "lstm";
    const hInit = this.initialState(h0, B, P, unbatched, x, "h0");
    const cInit = isLstm ? this.initialState(c0, B, H, unbatched, x, "c0") : null;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outputs: Tensor[] = [];
      this.suffixes(l).forEach((suffix, d) => {
        const index = l * this.numDirections + d;
        const inSize = x.shape[2] ?? 0;
        const weightIH = requiredParameter(this, `weight_ih${suffix}`);
        const xg = reshape(linear(reshape(x, [T * B, inSize]), weightIH, namedParameter(this, `bias_ih${suffix}`)), [T, B, -1]); // [T, B, G·H]
        const r = recurrentSequence(
          xg, select(hInit, 0, index), cInit ? select(cInit, 0, index) : null,
          {
            weightHH: requiredParameter(this, `weight_hh${suffix}`),
            biasHH: namedParameter(this, `bias_hh${suffix}`),
            weightHR: namedParameter(this, `weight_hr${suffix}`),
            peephole: namedParameter(this, `weight_ch${suffix}`),
          },
          { cell: this.cell, hidden: H, coupled: this.coupled, reverse: d === 1, lengths, label: suffix.slice(1) },
        );
        outputs.push(r.output);
        hs.push(r.h);
        if (r.c) cs.push(r.c);
      });
      x = outputs.length === 1 ? (outputs[0] as Tensor) : cat(outputs, 2); // [T, B, D·P]
      if (l < this.numLayers - 1) x = dropout(x, this.dropout, this.training);
    }
    const h = stack(hs, 0); // [L·D, B, P]
    const c = isLstm ? stack(cs, 0) : null; // [L·D, B, H]
    if (unbatched) return { output: squeeze(x, 1), h: squeeze(h, 1), c: c ? squeeze(c, 1) : null };
    return { output: this.batchFirst ? transpose(x, 0, 1) : x, h, c };
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) parts.push("bias=false");
    if (this.batchFirst) parts.push("batchFirst=true");
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push("bidirectional=true");
    if (this.projSize > 0) parts.push(`projSize=${this.projSize}`);
    return parts.join(", ");
  }
}

/** Elman RNN layers (tanh or relu). `forward(x, h0?, options?)` → [output, hN]. */
export class RNN extends RecurrentLayer {
  readonly nonlinearity: "tanh" | "relu";

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nonlinearity = options.nonlinearity ?? "tanh";
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") throw new ValueError(`RNN: nonlinearity must be "tanh" or "relu", got "${String(nonlinearity)}"`);
    super("RNN", nonlinearity === "tanh" ? "rnnTanh" : "rnnRelu", inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  forward(input: Tensor, h0?: Tensor | null, options: SequenceOptions = {}): [output: Tensor, hN: Tensor] {
    const r = this.run(input, h0, null, options);
    return [r.output, r.h];
  }
}

/** GRU layers. `forward(x, h0?, options?)` → [output, hN]. */
export class GRU extends RecurrentLayer {
  constructor(inputSize: number, hiddenSize: number, options: GRUOptions = {}) {
    super("GRU", "gru", inputSize, hiddenSize, options);
  }

  forward(input: Tensor, h0?: Tensor | null, options: SequenceOptions = {}): [output: Tensor, hN: Tensor] {
    const r = this.run(input, h0, null, options);
    return [r.output, r.h];
  }
}

/** LSTM layers, with PyTorch's projSize and loom's peephole / coupledInputForget variants. `forward(x, [h0, c0]?, options?)` → [output, [hN, cN]]. */
export class LSTM extends RecurrentLayer {
  readonly peephole: boolean;
  readonly coupledInputForget: boolean;

  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super("LSTM", "lstm", inputSize, hiddenSize, options, options);
    this.peephole = options.peephole ?? false;
    this.coupledInputForget = options.coupledInputForget ?? false;
  }

  forward(input: Tensor, state?: LSTMState | null, options: SequenceOptions = {}): [output: Tensor, state: LSTMState] {
    const r = this.run(input, state?.[0], state?.[1], options);
    return [r.output, [r.h, r.c as Tensor]];
  }

  override extraRepr(): string {
    return [super.extraRepr(), this.peephole ? "peephole=true" : "", this.coupledInputForget ? "coupledInputForget=true" : ""].filter((s) => s !== "").join(", ");
  }
}
