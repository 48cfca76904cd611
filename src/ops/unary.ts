/** Unary elementwise ops and activations, each with its derivative (see backend/reference/unary.ts). */
import { UnaryOp, type UnaryOpCode, unaryBackward, unaryForward } from "../backend/reference/unary.js";
import { getBackend, type FloatArray } from "../backend/index.js";
import { type HalfDType, allocateUninitialized, isFloating, isHalf, type DType } from "../tensor/dtype.js";
import { halfBits, inFloat32 } from "./half.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";

/** Ops that keep integer dtypes (abs, sign, neg, relu, square, rounding); the rest compute in float. */
const KEEPS_INT = new Set<UnaryOpCode>([UnaryOp.abs, UnaryOp.sign, UnaryOp.neg, UnaryOp.relu, UnaryOp.square, UnaryOp.floor, UnaryOp.ceil, UnaryOp.round, UnaryOp.trunc]);

function unary(op: UnaryOpCode, name: string, x: Tensor, p = 0): Tensor {
  if (isHalf(x.dtype)) return inFloat32([x], x.dtype, (w) => unary(op, name, w, p));
  let dtype: DType = x.dtype;
  if (!isFloating(dtype)) dtype = KEEPS_INT.has(op) ? "int32" : "float32";
  const xs = x.contiguousValues();
  const out = allocateUninitialized(dtype, x.size);
  // float32 runs on the backend (SIMD kernels for large arrays); other dtypes on the reference loops.
  if (out instanceof Float32Array && xs instanceof Float32Array) getBackend().unary(op, out, xs, p);
  else unaryForward(op, out, xs, 0, p);
  const y = new Tensor(out, x.shape);
  return record(y, name, [x], (g) => {
    const gs = g.contiguousValues();
    const gx = allocateUninitialized(g.dtype, x.size);
    if (gx instanceof Float32Array && gs instanceof Float32Array && xs instanceof Float32Array && out instanceof Float32Array) {
      getBackend().unaryBackward(op, gx, gs, xs, out, p);
    } else unaryBackward(op, gx, gs, xs, out, p);
    return [new Tensor(gx, x.shape)];
  });
}

/** eˣ, elementwise. */
export const exp = (x: Tensor): Tensor => unary(UnaryOp.exp, "exp", x);
/** Natural logarithm, elementwise. */
export const log = (x: Tensor): Tensor => unary(UnaryOp.log, "log", x);
/** log(1 + x), accurate for small x. */
export const log1p = (x: Tensor): Tensor => unary(UnaryOp.log1p, "log1p", x);
/** eˣ − 1, accurate for small x. */
export const expm1 = (x: Tensor): Tensor => unary(UnaryOp.expm1, "expm1", x);
/** √x, elementwise. */
export const sqrt = (x: Tensor): Tensor => unary(UnaryOp.sqrt, "sqrt", x);
/** 1/√x, elementwise. */
export const rsqrt = (x: Tensor): Tensor => unary(UnaryOp.rsqrt, "rsqrt", x);
/** |x|, elementwise. */
export const abs = (x: Tensor): Tensor => unary(UnaryOp.abs, "abs", x);
/** The sign of x (−1, 0 or 1), elementwise; its gradient is 0. */
export const sign = (x: Tensor): Tensor => unary(UnaryOp.sign, "sign", x);
/** sin x, elementwise. */
export const sin = (x: Tensor): Tensor => unary(UnaryOp.sin, "sin", x);
/** cos x, elementwise. */
export const cos = (x: Tensor): Tensor => unary(UnaryOp.cos, "cos", x);
/** tanh x, elementwise. */
export const tanh = (x: Tensor): Tensor => unary(UnaryOp.tanh, "tanh", x);
/** The logistic function 1/(1 + e⁻ˣ), elementwise. */
export const sigmoid = (x: Tensor): Tensor => unary(UnaryOp.sigmoid, "sigmoid", x);
/** max(x, 0), elementwise. */
export const relu = (x: Tensor): Tensor => unary(UnaryOp.relu, "relu", x);
/** x², elementwise. */
export const square = (x: Tensor): Tensor => unary(UnaryOp.square, "square", x);
/** 1/x, elementwise. */
export const reciprocal = (x: Tensor): Tensor => unary(UnaryOp.reciprocal, "reciprocal", x);
/** The error function erf x, elementwise. */
export const erf = (x: Tensor): Tensor => unary(UnaryOp.erf, "erf", x);
/** ⌊x⌋, elementwise; its gradient is 0. */
export const floor = (x: Tensor): Tensor => unary(UnaryOp.floor, "floor", x);
/** ⌈x⌉, elementwise; its gradient is 0. */
export const ceil = (x: Tensor): Tensor => unary(UnaryOp.ceil, "ceil", x);
/** Rounds half to even, as torch.round. */
export const round = (x: Tensor): Tensor => unary(UnaryOp.round, "round", x);
/** x rounded toward zero, elementwise; its gradient is 0. */
export const trunc = (x: Tensor): Tensor => unary(UnaryOp.trunc, "trunc", x);

/** LeakyReLU: x for x > 0, slope·x otherwise (slope 0.01 by default, as PyTorch). */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => unary(UnaryOp.leakyRelu, "leakyRelu", x, negativeSlope);

/** Options of `gelu`: exact (erf) or the tanh approximation GPT-2 uses. */
export interface GeluOptions {
  /** "none" (exact, via erf) or "tanh" (the approximation GPT-2 uses). */
  approximate?: "none" | "tanh";
}

/**
 * GELU(x) = x·Φ(x); `{ approximate: "tanh" }` gives ½x(1+tanh(√(2/π)(x+0.044715x³))). Floating-point
 * inputs run on the backend's GELU kernels (a transformer's MLP applies it to 4·C values per token).
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const approximate = options.approximate === "tanh" ? "tanh" : "none";
  if (isHalf(x.dtype) && getBackend().geluForwardHalf) return geluHalf(x, approximate);
  if (isHalf(x.dtype)) return inFloat32([x], x.dtype, (w) => gelu(w, options));
  if (!isFloating(x.dtype)) return unary(approximate === "tanh" ? UnaryOp.geluTanh : UnaryOp.gelu, "gelu", x);
  const xs = (x.isContiguous() && x.offset === 0 && x.storage.length === x.size ? x.storage : x.toTypedArray()) as FloatArray;
  const out = allocateUninitialized(x.dtype, x.size) as FloatArray;
  getBackend().geluForward(out, xs, x.size, approximate);
  return record(new Tensor(out, x.shape), "gelu", [x], (g) => {
    const dy = (g.isContiguous() && g.offset === 0 && g.storage.length === g.size ? g.storage : g.toTypedArray()) as FloatArray;
    const dx = allocateUninitialized(x.dtype, x.size) as FloatArray;
    getBackend().geluBackward(dx, dy, xs, x.size, approximate);
    return [new Tensor(dx, x.shape)];
  });
}

/**
 * GELU of a half (bfloat16 or float16) tensor on the backend's half kernels: float32 arithmetic on the
 * widened values and one rounding, the bits `inFloat32` gives, with the half input kept for the
 * backward (no float32 copy of the input or the result, and no recomputed forward).
 */
function geluHalf(x: Tensor, approximate: "none" | "tanh"): Tensor {
  const be = getBackend();
  const dtype = x.dtype as HalfDType;
  const xs = halfBits(x, dtype);
  const out = allocateUninitialized(dtype, x.size);
  be.geluForwardHalf?.(dtype, out as Uint16Array, xs, x.size, approximate);
  return record(new Tensor(out, x.shape), "gelu", [x], (grad) => {
    const dy = halfBits(grad, dtype);
    const dx = allocateUninitialized(dtype, x.size);
    be.geluBackwardHalf?.(dtype, dx as Uint16Array, dy, xs, x.size, approximate);
    return [new Tensor(dx, x.shape)];
  });
}

/** SiLU (swish): x·σ(x). */
export const silu = (x: Tensor): Tensor => unary(UnaryOp.silu, "silu", x);

/** Softplus (1/β)·ln(1+e^(βx)), linear where βx > 20 (PyTorch's threshold). */
export const softplus = (x: Tensor, beta = 1): Tensor => unary(UnaryOp.softplus, "softplus", x, beta);

/** ELU: x for x > 0, α(eˣ − 1) otherwise. */
export const elu = (x: Tensor, alpha = 1): Tensor => unary(UnaryOp.elu, "elu", x, alpha);
