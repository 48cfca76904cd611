/**
 * Unary elementwise kernels and their derivatives, one switch per call. `p` is the op's parameter
 * (LeakyReLU slope, Softplus beta, ELU alpha). Formulas:
 *   sigmoid σ(x) = 1/(1+e^(−x)), σ' = σ(1−σ);  tanh' = 1 − tanh²;
 *   GELU (exact) x·Φ(x), Φ(x) = ½(1+erf(x/√2)), GELU' = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π);
 *   GELU (tanh) ½x(1+tanh(u)), u = √(2/π)(x+0.044715x³) (Hendrycks & Gimpel);
 *   SiLU x·σ(x), SiLU' = σ(x)(1 + x(1−σ(x)));  Softplus (1/β)·ln(1+e^(βx)), linear above βx > 20.
 */
import type { Storage } from "../../tensor/dtype.js";
import { erf } from "./elementwise.js";

export const UnaryOp = {
  exp: 0, log: 1, sqrt: 2, rsqrt: 3, abs: 4, sign: 5, sin: 6, cos: 7, tanh: 8, sigmoid: 9, relu: 10,
  square: 11, reciprocal: 12, erf: 13, floor: 14, ceil: 15, round: 16, trunc: 17, log1p: 18, expm1: 19,
  leakyRelu: 20, gelu: 21, geluTanh: 22, silu: 23, softplus: 24, elu: 25, neg: 26,
} as const;
export type UnaryOpCode = (typeof UnaryOp)[keyof typeof UnaryOp];

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function sigmoid(x: number): number {
  // Branches keep exp's argument ≤ 0 so large |x| cannot overflow.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Round half to even, as torch.round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function unaryValue(op: UnaryOpCode, x: number, p: number): number {
  switch (op) {
    case UnaryOp.exp: return Math.exp(x);
    case UnaryOp.log: return Math.log(x);
    case UnaryOp.sqrt: return Math.sqrt(x);
    case UnaryOp.rsqrt: return 1 / Math.sqrt(x);
    case UnaryOp.abs: return Math.abs(x);
    case UnaryOp.sign: return x > 0 ? 1 : x < 0 ? -1 : x;
    case UnaryOp.sin: return Math.sin(x);
    case UnaryOp.cos: return Math.cos(x);
    case UnaryOp.tanh: return Math.tanh(x);
    case UnaryOp.sigmoid: return sigmoid(x);
    case UnaryOp.relu: return x > 0 ? x : 0;
    case UnaryOp.square: return x * x;
    case UnaryOp.reciprocal: return 1 / x;
    case UnaryOp.erf: return erf(x);
    case UnaryOp.floor: return Math.floor(x);
    case UnaryOp.ceil: return Math.ceil(x);
    case UnaryOp.round: return roundHalfEven(x);
    case UnaryOp.trunc: return Math.trunc(x);
    case UnaryOp.log1p: return Math.log1p(x);
    case UnaryOp.expm1: return Math.expm1(x);
    case UnaryOp.leakyRelu: return x > 0 ? x : p * x;
    case UnaryOp.gelu: return 0.5 * x * (1 + erf(x * INV_SQRT_2));
    case UnaryOp.geluTanh: return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
    case UnaryOp.silu: return x * sigmoid(x);
    case UnaryOp.softplus: return p * x > 20 ? x : Math.log1p(Math.exp(p * x)) / p;
    case UnaryOp.elu: return x > 0 ? x : p * Math.expm1(x);
    case UnaryOp.neg: return -x;
  }
}

/** d op(x)/dx given x and y = op(x). */
export function unaryDerivative(op: UnaryOpCode, x: number, y: number, p: number): number {
  switch (op) {
    case UnaryOp.exp: return y;
    case UnaryOp.log: return 1 / x;
    case UnaryOp.sqrt: return 0.5 / y;
    case UnaryOp.rsqrt: return -0.5 * y * y * y;
    case UnaryOp.abs: return x > 0 ? 1 : x < 0 ? -1 : 0;
    case UnaryOp.sin: return Math.cos(x);
    case UnaryOp.cos: return -Math.sin(x);
    case UnaryOp.tanh: return 1 - y * y;
    case UnaryOp.sigmoid: return y * (1 - y);
    case UnaryOp.relu: return x > 0 ? 1 : 0;
    case UnaryOp.square: return 2 * x;
    case UnaryOp.reciprocal: return -y * y;
    case UnaryOp.erf: return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);
    case UnaryOp.log1p: return 1 / (1 + x);
    case UnaryOp.expm1: return y + 1;
    case UnaryOp.leakyRelu: return x > 0 ? 1 : p;
    case UnaryOp.gelu: return 0.5 * (1 + erf(x * INV_SQRT_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case UnaryOp.geluTanh: {
      const u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
      const t = Math.tanh(u);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
    }
    case UnaryOp.silu: {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case UnaryOp.softplus: return p * x > 20 ? 1 : sigmoid(p * x);
    case UnaryOp.elu: return x > 0 ? 1 : y + p;
    case UnaryOp.neg: return -1;
    // Piecewise-constant ops: zero gradient almost everywhere, as in PyTorch.
    case UnaryOp.sign:
    case UnaryOp.floor:
    case UnaryOp.ceil:
    case UnaryOp.round:
    case UnaryOp.trunc:
      return 0;
  }
}

/** out[i] = op(x[xo + i]) for i < out.length. */
export function unaryForward(op: UnaryOpCode, out: Storage, x: Storage, xo: number, p: number): void {
  const n = out.length;
  switch (op) {
    case UnaryOp.exp: for (let i = 0; i < n; i++) out[i] = Math.exp(x[xo + i] as number); break;
    case UnaryOp.tanh: for (let i = 0; i < n; i++) out[i] = Math.tanh(x[xo + i] as number); break;
    case UnaryOp.relu: for (let i = 0; i < n; i++) { const v = x[xo + i] as number; out[i] = v > 0 ? v : 0; } break;
    default: for (let i = 0; i < n; i++) out[i] = unaryValue(op, x[xo + i] as number, p);
  }
}

/** gx[i] = g[i] · op'(x[i]) (x, y, g contiguous, same length). */
export function unaryBackward(op: UnaryOpCode, gx: Storage, g: Storage, x: Storage, y: Storage, p: number): void {
  const n = gx.length;
  switch (op) {
    case UnaryOp.relu: for (let i = 0; i < n; i++) gx[i] = (x[i] as number) > 0 ? (g[i] as number) : 0; break;
    case UnaryOp.tanh: for (let i = 0; i < n; i++) { const t = y[i] as number; gx[i] = (g[i] as number) * (1 - t * t); } break;
    default: for (let i = 0; i < n; i++) gx[i] = (g[i] as number) * unaryDerivative(op, x[i] as number, y[i] as number, p);
  }
}
