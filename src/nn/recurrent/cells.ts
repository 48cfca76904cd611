/**
 * One-step recurrent cells, as torch.nn.RNNCell / LSTMCell / GRUCell: parameters `weight_ih`
 * [G·H, in], `weight_hh` [G·H, P], `bias_ih`, `bias_hh` [G·H] (G: RNN 1, LSTM 4 as i, f, g, o; GRU 3
 * as r, z, n), all ~ U(−1/√H, 1/√H). LSTMCell also offers the layer variants: `projSize` (weight_hr
 * [P, H], h = W_hr·(o⊙tanh c)), `peephole` (weight_ch [3, H]) and `coupledInputForget` (G = 3: f, g, o).
 *
 * Shapes: x [B, in] (or [in], unbatched) → h [B, P], c [B, H] (P = projSize or H).
 */
import type { RnnNonlinearity } from "../../backend/reference/recurrent.js";
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { linear, squeeze, unsqueeze } from "../../ops/index.js";
import { zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { type LayerOptions, checkSize } from "../layers/options.js";
import { Module } from "../module.js";
import { gruStep, lstmStep, rnnStep } from "./cell-ops.js";
import { addParameter, namedParameter, requiredParameter, resetRecurrentParameters } from "./params.js";
import type { LSTMState } from "./state.js";

export interface RecurrentCellOptions extends LayerOptions {
  /** Learn bias_ih and bias_hh (default true). */
  bias?: boolean;
}

export interface RNNCellOptions extends RecurrentCellOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: RnnNonlinearity;
}

export interface LSTMVariantOptions {
  /** Size P of the projected hidden state (PyTorch's proj_size; default 0 = none). */
  projSize?: number;
  /** Peephole connections: i, f see c_{t−1} and o sees c_t through diagonal weights (default false). */
  peephole?: boolean;
  /** Coupled input-forget gate, i = 1 − f, with gates f, g, o only (default false). */
  coupledInputForget?: boolean;
}

export interface LSTMCellOptions extends RecurrentCellOptions, LSTMVariantOptions {}

/** The shared part of the cells: the four PyTorch parameters and batching of unbatched inputs. */
abstract class RecurrentCell extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;

  protected constructor(name: string, inputSize: number, hiddenSize: number, gates: number, stateSize: number, options: RecurrentCellOptions) {
    super();
    this.inputSize = checkSize(inputSize, "inputSize", name);
    this.hiddenSize = checkSize(hiddenSize, "hiddenSize", name);
    this.bias = options.bias ?? true;
    const dtype = options.dtype ?? "float32";
    addParameter(this, "weight_ih", [gates * hiddenSize, inputSize], dtype);
    addParameter(this, "weight_hh", [gates * hiddenSize, stateSize], dtype);
    if (this.bias) {
      addParameter(this, "bias_ih", [gates * hiddenSize], dtype);
      addParameter(this, "bias_hh", [gates * hiddenSize], dtype);
    }
  }

  resetParameters(): void {
    resetRecurrentParameters(this, this.hiddenSize);
  }

  /** x·W_ihᵀ + b_ih and h·W_hhᵀ + b_hh, each [B, G·H]. */
  protected projections(x: Tensor, h: Tensor): [Tensor, Tensor] {
    return [
      linear(x, requiredParameter(this, "weight_ih"), namedParameter(this, "bias_ih")),
      linear(h, requiredParameter(this, "weight_hh"), namedParameter(this, "bias_hh")),
    ];
  }

  /** x as [B, in] and whether it came unbatched. */
  protected batched(x: Tensor): [Tensor, boolean] {
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${this.constructor.name}: expected input [B, ${this.inputSize}] or [${this.inputSize}], got ${formatShape(x.shape)}`);
    }
    return x.ndim === 1 ? [unsqueeze(x, 0), true] : [x, false];
  }

  /** A given state as [B, size] (zeros when absent). */
  protected stateOf(s: Tensor | null | undefined, x: Tensor, unbatched: boolean, size: number, what: string): Tensor {
    const B = x.shape[0] ?? 0;
    if (s === null || s === undefined) return zeros([B, size], { dtype: x.dtype });
    const t = unbatched && s.ndim === 1 ? unsqueeze(s, 0) : s;
    if (t.ndim !== 2 || t.shape[0] !== B || t.shape[1] !== size) {
      throw new ShapeError(`${this.constructor.name}: ${what} must be [${B}, ${size}], got ${formatShape(s.shape)}`);
    }
    return t;
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? "" : ", bias=false"}`;
  }
}

/** Elman cell: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh). */
export class RNNCell extends RecurrentCell {
  readonly nonlinearity: RnnNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super("RNNCell", inputSize, hiddenSize, 1, hiddenSize, options);
    this.nonlinearity = options.nonlinearity ?? "tanh";
    if (this.nonlinearity !== "tanh" && this.nonlinearity !== "relu") {
      throw new ValueError(`RNNCell: nonlinearity must be "tanh" or "relu", got "${String(this.nonlinearity)}"`);
    }
    this.resetParameters();
  }

  /** x [B, in], h [B, H] (zeros when omitted) → h' [B, H]. */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    const [xb, unbatched] = this.batched(x);
    const hb = this.stateOf(h, xb, unbatched, this.hiddenSize, "h");
    const [xg, hg] = this.projections(xb, hb);
    const out = rnnStep(xg, hg, this.nonlinearity);
    return unbatched ? squeeze(out, 0) : out;
  }
}

/** GRU cell (Cho et al. 2014, PyTorch's form: n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))). */
export class GRUCell extends RecurrentCell {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentCellOptions = {}) {
    super("GRUCell", inputSize, hiddenSize, 3, hiddenSize, options);
    this.resetParameters();
  }

  /** x [B, in], h [B, H] (zeros when omitted) → h' [B, H]. */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    const [xb, unbatched] = this.batched(x);
    const hb = this.stateOf(h, xb, unbatched, this.hiddenSize, "h");
    const [xg, hg] = this.projections(xb, hb);
    const out = gruStep(xg, hg, hb);
    return unbatched ? squeeze(out, 0) : out;
  }
}

/** LSTM cell (Hochreiter & Schmidhuber 1997 with forget gate), with optional projection, peepholes, CIFG. */
export class LSTMCell extends RecurrentCell {
  readonly projSize: number;
  readonly peephole: boolean;
  readonly coupledInputForget: boolean;

  constructor(inputSize: number, hiddenSize: number, options: LSTMCellOptions = {}) {
    const projSize = checkSize(options.projSize ?? 0, "projSize", "LSTMCell");
    if (projSize >= hiddenSize && projSize > 0) throw new ValueError(`LSTMCell: projSize (${projSize}) must be smaller than hiddenSize (${hiddenSize})`);
    const coupled = options.coupledInputForget ?? false;
    super("LSTMCell", inputSize, hiddenSize, coupled ? 3 : 4, projSize > 0 ? projSize : hiddenSize, options);
    this.projSize = projSize;
    this.peephole = options.peephole ?? false;
    this.coupledInputForget = coupled;
    const dtype = options.dtype ?? "float32";
    if (projSize > 0) addParameter(this, "weight_hr", [projSize, hiddenSize], dtype);
    if (this.peephole) addParameter(this, "weight_ch", [coupled ? 2 : 3, hiddenSize], dtype);
    this.resetParameters();
  }

  /** Size of h: projSize when projecting, else hiddenSize. */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** x [B, in], (h [B, P], c [B, H]) (zeros when omitted) → (h', c'). */
  forward(x: Tensor, state?: LSTMState | null): LSTMState {
    const [xb, unbatched] = this.batched(x);
    const hb = this.stateOf(state?.[0], xb, unbatched, this.outputSize, "h");
    const cb = this.stateOf(state?.[1], xb, unbatched, this.hiddenSize, "c");
    const [xg, hg] = this.projections(xb, hb);
    const step = lstmStep(xg, hg, cb, namedParameter(this, "weight_ch"), this.coupledInputForget);
    const weightHR = namedParameter(this, "weight_hr");
    const h = weightHR ? linear(step.h, weightHR) : step.h;
    return unbatched ? [squeeze(h, 0), squeeze(step.c, 0)] : [h, step.c];
  }

  override extraRepr(): string {
    const extra = [
      this.projSize > 0 ? `projSize=${this.projSize}` : "",
      this.peephole ? "peephole=true" : "",
      this.coupledInputForget ? "coupledInputForget=true" : "",
    ].filter((s) => s !== "");
    return [super.extraRepr(), ...extra].join(", ");
  }
}
