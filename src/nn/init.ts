/**
 * nn.init: in-place weight initialisation, as torch.nn.init (without the trailing underscores: every
 * function here fills its tensor in place, under noGrad, and returns it). Random fills draw from the
 * seeded default generator unless a `generator` is given, one draw per element in row-major order.
 *
 * Fans follow PyTorch's `_calculate_fan_in_and_fan_out`: for a weight of shape [out, in, ...kernel],
 * fanIn = in·∏kernel and fanOut = out·∏kernel (the receptive field multiplies both).
 *   xavierUniform: U(−a, a), a = gain·√(6/(fanIn + fanOut))   (Glorot & Bengio 2010)
 *   xavierNormal:  N(0, std²), std = gain·√(2/(fanIn + fanOut))
 *   kaimingUniform: U(−b, b), b = √3·gain/√fan                 (He et al. 2015)
 *   kaimingNormal:  N(0, std²), std = gain/√fan  (gain √2 for ReLU, so std = √(2/fan))
 */
import { noGrad } from "../autograd/grad-mode.js";
import { DTypeError, ValueError, formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { type Generator, defaultGenerator } from "../tensor/rng.js";
import { stridedOffsets } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

/** The seeded generator an initialiser draws from (default: the global one). */
export interface InitOptions {
  generator?: Generator;
}

/** The nonlinearity a gain is computed for (`calculateGain`), as PyTorch names them. */
export type Nonlinearity =
  | "linear" | "identity" | "conv1d" | "conv2d" | "conv3d" | "convTranspose1d" | "convTranspose2d" | "convTranspose3d"
  | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "selu";

/** Which fan Kaiming initialisation keeps the variance of: inputs (forward pass) or outputs (backward pass). */
export type FanMode = "fanIn" | "fanOut";

/** Options of Kaiming initialisation: the negative slope, the fan mode and the nonlinearity. */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the rectifier after this layer (leakyRelu only; default 0). */
  a?: number;
  /** "fanIn" (default) keeps the forward variance, "fanOut" the backward one. */
  mode?: FanMode;
  /** Default "leakyRelu" (with a = 0 that is ReLU's gain √2), as PyTorch. */
  nonlinearity?: Nonlinearity;
}

/**
 * The gain PyTorch recommends per nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for ReLU,
 * √(2/(1 + slope²)) for leaky ReLU (slope `param`, default 0.01), 3/4 for SELU.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "identity": case "sigmoid":
    case "conv1d": case "conv2d": case "conv3d":
    case "convTranspose1d": case "convTranspose2d": case "convTranspose3d":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu": {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new ValueError(`calculateGain: negative slope ${param} is not a number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain: unsupported nonlinearity "${String(nonlinearity)}"`);
  }
}

/** fanIn and fanOut of a weight tensor with at least 2 dims ([out, in, ...receptive field]). */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new ValueError(`init: fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions, got ${formatShape(t.shape)}`);
  }
  let receptiveField = 1;
  for (let i = 2; i < t.ndim; i++) receptiveField *= t.shape[i] ?? 1;
  return { fanIn: (t.shape[1] ?? 1) * receptiveField, fanOut: (t.shape[0] ?? 1) * receptiveField };
}

function calculateFan(t: Tensor, mode: FanMode): number {
  if (mode !== "fanIn" && mode !== "fanOut") throw new ValueError(`init: mode must be "fanIn" or "fanOut", got "${String(mode)}"`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return mode === "fanIn" ? fanIn : fanOut;
}

/** Writes sample() into every element of t (through its strides), in row-major order. */
function fill(t: Tensor, sample: () => number): Tensor {
  if (!isFloating(t.dtype)) throw new DTypeError(`init: expected a floating-point tensor, got ${t.dtype}`);
  noGrad(() => {
    const data = t.storage;
    if (t.isContiguous()) {
      for (let i = 0, n = t.size; i < n; i++) data[t.offset + i] = sample();
    } else {
      const offsets = stridedOffsets(t.shape, t.strides, t.offset);
      for (let i = 0; i < offsets.length; i++) data[offsets[i] as number] = sample();
    }
  });
  return t;
}

/** Fills with U(a, b). */
export function uniform(t: Tensor, a = 0, b = 1, options: InitOptions = {}): Tensor {
  if (!(b >= a)) throw new ValueError(`uniform: upper bound ${b} is below lower bound ${a}`);
  const gen = options.generator ?? defaultGenerator;
  return fill(t, () => a + (b - a) * gen.random());
}

/** Fills with N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1, options: InitOptions = {}): Tensor {
  if (!(std >= 0)) throw new ValueError(`normal: std must be non-negative, got ${std}`);
  const gen = options.generator ?? defaultGenerator;
  return fill(t, () => mean + std * gen.normal());
}

/**
 * Fills with N(mean, std²) restricted to [a, b] by redrawing values outside it (default bounds
 * ±2, in absolute units as torch.nn.init.trunc_normal_).
 */
export function truncNormal(t: Tensor, mean = 0, std = 1, a = -2, b = 2, options: InitOptions = {}): Tensor {
  if (!(b > a)) throw new ValueError(`truncNormal: upper bound ${b} must exceed lower bound ${a}`);
  if (!(std > 0)) throw new ValueError(`truncNormal: std must be positive, got ${std}`);
  const gen = options.generator ?? defaultGenerator;
  return fill(t, () => {
    for (;;) {
      const v = mean + std * gen.normal();
      if (v >= a && v <= b) return v;
    }
  });
}

/** Fills `t` with `value`, in place. */
export function constant(t: Tensor, value: number): Tensor {
  return fill(t, () => value);
}

/** Fills `t` with zeros, in place. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Fills `t` with ones, in place. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Xavier/Glorot uniform: U(−a, a) with a = gain·√(6/(fanIn + fanOut)). */
export function xavierUniform(t: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, options);
}

/** Xavier/Glorot normal: N(0, std²) with std = gain·√(2/(fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), options);
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const fan = calculateFan(t, options.mode ?? "fanIn");
  if (fan === 0) throw new ValueError(`init: cannot initialise a tensor with zero fan, shape ${formatShape(t.shape)}`);
  return calculateGain(options.nonlinearity ?? "leakyRelu", options.a ?? 0) / Math.sqrt(fan);
}

/** Kaiming/He uniform: U(−b, b) with b = √3·gain/√fan. */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.size === 0) return t; // nothing to fill (PyTorch warns and skips)
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, -bound, bound, options);
}

/** Kaiming/He normal: N(0, std²) with std = gain/√fan. */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.size === 0) return t;
  return normal(t, 0, kaimingStd(t, options), options);
}
