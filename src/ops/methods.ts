/**
 * Installs the differentiable ops as Tensor methods (`x.add(y).relu().sum()`), PyTorch-style. Kept
 * here, above tensor/, so the Tensor class itself does not depend on the ops layer. Importing
 * src/ops/index.ts (or the package root) installs them.
 */
import type { DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import * as A from "./arithmetic.js";
import { to } from "./cast.js";
import { clamp } from "./clamp.js";
import { flip } from "./flip.js";
import * as G from "./gather.js";
import * as J from "./join.js";
import * as M from "./matmul.js";
import * as R from "./reduce.js";
import { repeat } from "./repeat.js";
import * as S from "./softmax.js";
import * as U from "./unary.js";
import * as V from "./views.js";
import { maskedFill, where } from "./where.js";
import { tril, triu } from "./triangular.js";
import type { TensorOrScalar } from "./record.js";

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** self + alpha·other, elementwise with broadcasting. */
    add(other: TensorOrScalar, alpha?: number): Tensor;
    /** self − other, elementwise with broadcasting. */
    sub(other: TensorOrScalar): Tensor;
    /** self · other, elementwise with broadcasting. */
    mul(other: TensorOrScalar): Tensor;
    /** self / other, elementwise with broadcasting (true division; integers give float32). */
    div(other: TensorOrScalar): Tensor;
    /** self raised to `exponent`, elementwise. */
    pow(exponent: TensorOrScalar): Tensor;
    /** −self. */
    neg(): Tensor;
    /** self mod other with the sign of the divisor, as Python's % and `torch.remainder`. */
    remainder(other: TensorOrScalar): Tensor;
    /** The larger of self and other, elementwise. */
    maximum(other: TensorOrScalar): Tensor;
    /** The smaller of self and other, elementwise. */
    minimum(other: TensorOrScalar): Tensor;
    /** self == other, as a bool tensor. */
    eq(other: TensorOrScalar): Tensor;
    /** self != other, as a bool tensor. */
    ne(other: TensorOrScalar): Tensor;
    /** self < other, as a bool tensor. */
    lt(other: TensorOrScalar): Tensor;
    /** self <= other, as a bool tensor. */
    le(other: TensorOrScalar): Tensor;
    /** self > other, as a bool tensor. */
    gt(other: TensorOrScalar): Tensor;
    /** self >= other, as a bool tensor. */
    ge(other: TensorOrScalar): Tensor;
    /** eˣ, elementwise. */
    exp(): Tensor;
    /** Natural logarithm, elementwise. */
    log(): Tensor;
    /** log(1 + x), accurate for small x. */
    log1p(): Tensor;
    /** eˣ − 1, accurate for small x. */
    expm1(): Tensor;
    /** √x, elementwise. */
    sqrt(): Tensor;
    /** 1/√x, elementwise. */
    rsqrt(): Tensor;
    /** |x|, elementwise. */
    abs(): Tensor;
    /** −1, 0 or 1 by the sign of x; gradient 0. */
    sign(): Tensor;
    /** sin x, elementwise. */
    sin(): Tensor;
    /** cos x, elementwise. */
    cos(): Tensor;
    /** tanh x, elementwise. */
    tanh(): Tensor;
    /** 1/(1 + e⁻ˣ), elementwise. */
    sigmoid(): Tensor;
    /** max(x, 0), elementwise. */
    relu(): Tensor;
    /** x², elementwise. */
    square(): Tensor;
    /** 1/x, elementwise. */
    reciprocal(): Tensor;
    /** The error function, elementwise. */
    erf(): Tensor;
    /** ⌊x⌋, elementwise; gradient 0. */
    floor(): Tensor;
    /** ⌈x⌉, elementwise; gradient 0. */
    ceil(): Tensor;
    /** x rounded to the nearest integer, halves to even (as PyTorch); gradient 0. */
    round(): Tensor;
    /** x rounded toward zero; gradient 0. */
    trunc(): Tensor;
    /** x where x > 0, else negativeSlope·x (default 0.01). */
    leakyRelu(negativeSlope?: number): Tensor;
    /** GELU, x·Φ(x): exact (erf) by default, or the tanh approximation GPT-2 uses. */
    gelu(options?: U.GeluOptions): Tensor;
    /** SiLU (swish), x·sigmoid(x). */
    silu(): Tensor;
    /** log(1 + e^(βx))/β, a smooth ReLU. */
    softplus(beta?: number): Tensor;
    /** x where x > 0, else alpha·(eˣ − 1). */
    elu(alpha?: number): Tensor;
    /** Sum of all elements, or along `dim` (kept as size 1 with `keepdim`). */
    sum(dim?: R.Dims, keepdim?: boolean): Tensor;
    /** Mean of all elements, or along `dim`. */
    mean(dim?: R.Dims, keepdim?: boolean): Tensor;
    /** Variance, with Bessel's correction by default (`correction: 0` for the population variance). */
    var(dim?: R.Dims, options?: R.VarOptions): Tensor;
    /** Standard deviation (the square root of `var`). */
    std(dim?: R.Dims, options?: R.VarOptions): Tensor;
    /** The largest element; with `dim`, the largest values along it and their indices. */
    max(): Tensor;
    /** The largest element; with `dim`, the largest values along it and their indices. */
    max(dim: number, keepdim?: boolean): R.ValuesIndices;
    /** The smallest element; with `dim`, the smallest values along it and their indices. */
    min(): Tensor;
    /** The smallest element; with `dim`, the smallest values along it and their indices. */
    min(dim: number, keepdim?: boolean): R.ValuesIndices;
    /** Index of the largest element, flat or along `dim`. */
    argmax(dim?: number, keepdim?: boolean): Tensor;
    /** Index of the smallest element, flat or along `dim`. */
    argmin(dim?: number, keepdim?: boolean): Tensor;
    /** The largest values along `dim` (no indices). */
    amax(dim?: R.Dims, keepdim?: boolean): Tensor;
    /** The smallest values along `dim` (no indices). */
    amin(dim?: R.Dims, keepdim?: boolean): Tensor;
    /** log Σ exp(x) along `dim`, computed stably (max subtracted first). */
    logsumexp(dim: R.Dims, keepdim?: boolean): Tensor;
    /** exp(x)/Σ exp(x) along `dim` (default the last). */
    softmax(dim?: number): Tensor;
    /** log of softmax along `dim`, computed stably. */
    logSoftmax(dim?: number): Tensor;
    /** Matrix product with NumPy rules (vectors, matrices, broadcast batches). */
    matmul(other: Tensor): Tensor;
    /** The same elements in a new shape (−1 infers one size); a view when the layout allows, else a copy. */
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    /** The same storage seen with a new shape; the tensor must be contiguous enough, as PyTorch's `view`. */
    view(...shape: number[] | [readonly number[]]): Tensor;
    /** Dimensions `startDim`..`endDim` merged into one. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Size-1 dimensions removed (all, or the given ones). */
    squeeze(dims?: number | readonly number[]): Tensor;
    /** A size-1 dimension inserted at `dim`. */
    unsqueeze(dim: number): Tensor;
    /** A view with the dimensions reordered. */
    permute(...dims: number[] | [readonly number[]]): Tensor;
    /** A view with two dimensions swapped (default the last two). */
    transpose(dim0?: number, dim1?: number): Tensor;
    /** Transpose of a 2-D tensor (or of the last two dims). */
    readonly T: Tensor;
    /** A view broadcast to a larger shape (−1 keeps a size), without copying. */
    expand(...shape: number[] | [readonly number[]]): Tensor;
    /** A view broadcast to `other`'s shape. */
    expandAs(other: Tensor): Tensor;
    /** A view of `length` elements of `dim` from `start`. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** A view of `dim` from `start` to `end` (exclusive) with a step, as Python's `x[start:end:step]`. */
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    /** A view of one index of `dim`, that dimension removed. */
    select(dim: number, index: number): Tensor;
    /** Itself if row-major contiguous, else a row-major copy. */
    contiguous(): Tensor;
    /** Converted to `dtype` (itself if it already has it). */
    to(dtype: DType): Tensor;
    /** Converted to float32. */
    float(): Tensor;
    /** Converted to float64. */
    double(): Tensor;
    /** Converted to int32 (truncating toward zero). */
    int(): Tensor;
    /** Views cut along `dim`: pieces of a given size, or of the listed sizes. */
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    /** Views cut along `dim` into `chunks` nearly equal pieces. */
    chunk(chunks: number, dim?: number): Tensor[];
    /** Values picked along `dim` at `index`, as `torch.gather`. */
    gather(dim: number, index: Tensor): Tensor;
    /** A copy with `src` written along `dim` at `index`. */
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    /** A copy with `src` added along `dim` at `index` (repeated indices accumulate). */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** The slices of `dim` at the given indices. */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** A copy with `src`'s slices added to the slices of `dim` at `index`. */
    indexAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** `x.where(cond, y)` is `where(cond, x, y)`, as PyTorch's Tensor.where. */
    where(condition: Tensor, other: TensorOrScalar): Tensor;
    /** A copy with `value` where `mask` is true. */
    maskedFill(mask: Tensor, value: number): Tensor;
    /** The upper triangle of the last two dims (from `diagonal`), zeros elsewhere. */
    triu(diagonal?: number): Tensor;
    /** The lower triangle of the last two dims (up to `diagonal`), zeros elsewhere. */
    tril(diagonal?: number): Tensor;
    /** Values limited to [min, max] (either optional). */
    clamp(min?: number, max?: number): Tensor;
    /** Elements in reverse order along `dims`. */
    flip(...dims: number[] | [readonly number[]]): Tensor;
    /** Tiled `sizes[i]` times along each dimension. */
    repeat(...sizes: number[] | [readonly number[]]): Tensor;
  }
}

type Proto = Record<string, unknown>;
const proto = Tensor.prototype as unknown as Proto;

function shapeArgs(args: (number | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
}

const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  add(this: Tensor, o: TensorOrScalar, alpha?: number) { return A.add(this, o, alpha); },
  sub(this: Tensor, o: TensorOrScalar) { return A.sub(this, o); },
  mul(this: Tensor, o: TensorOrScalar) { return A.mul(this, o); },
  div(this: Tensor, o: TensorOrScalar) { return A.div(this, o); },
  pow(this: Tensor, o: TensorOrScalar) { return A.pow(this, o); },
  neg(this: Tensor) { return A.neg(this); },
  remainder(this: Tensor, o: TensorOrScalar) { return A.remainder(this, o); },
  maximum(this: Tensor, o: TensorOrScalar) { return A.maximum(this, o); },
  minimum(this: Tensor, o: TensorOrScalar) { return A.minimum(this, o); },
  eq(this: Tensor, o: TensorOrScalar) { return A.eq(this, o); },
  ne(this: Tensor, o: TensorOrScalar) { return A.ne(this, o); },
  lt(this: Tensor, o: TensorOrScalar) { return A.lt(this, o); },
  le(this: Tensor, o: TensorOrScalar) { return A.le(this, o); },
  gt(this: Tensor, o: TensorOrScalar) { return A.gt(this, o); },
  ge(this: Tensor, o: TensorOrScalar) { return A.ge(this, o); },
  exp(this: Tensor) { return U.exp(this); },
  log(this: Tensor) { return U.log(this); },
  log1p(this: Tensor) { return U.log1p(this); },
  expm1(this: Tensor) { return U.expm1(this); },
  sqrt(this: Tensor) { return U.sqrt(this); },
  rsqrt(this: Tensor) { return U.rsqrt(this); },
  abs(this: Tensor) { return U.abs(this); },
  sign(this: Tensor) { return U.sign(this); },
  sin(this: Tensor) { return U.sin(this); },
  cos(this: Tensor) { return U.cos(this); },
  tanh(this: Tensor) { return U.tanh(this); },
  sigmoid(this: Tensor) { return U.sigmoid(this); },
  relu(this: Tensor) { return U.relu(this); },
  square(this: Tensor) { return U.square(this); },
  reciprocal(this: Tensor) { return U.reciprocal(this); },
  erf(this: Tensor) { return U.erf(this); },
  floor(this: Tensor) { return U.floor(this); },
  ceil(this: Tensor) { return U.ceil(this); },
  round(this: Tensor) { return U.round(this); },
  trunc(this: Tensor) { return U.trunc(this); },
  leakyRelu(this: Tensor, s?: number) { return U.leakyRelu(this, s); },
  gelu(this: Tensor, o?: U.GeluOptions) { return U.gelu(this, o); },
  silu(this: Tensor) { return U.silu(this); },
  softplus(this: Tensor, b?: number) { return U.softplus(this, b); },
  elu(this: Tensor, a?: number) { return U.elu(this, a); },
  sum(this: Tensor, d?: R.Dims, k?: boolean) { return R.sum(this, d, k); },
  mean(this: Tensor, d?: R.Dims, k?: boolean) { return R.mean(this, d, k); },
  var(this: Tensor, d?: R.Dims, o?: R.VarOptions) { return R.variance(this, d, o); },
  std(this: Tensor, d?: R.Dims, o?: R.VarOptions) { return R.std(this, d, o); },
  max(this: Tensor, d?: number, k?: boolean) { return d === undefined ? R.max(this) : R.max(this, d, k); },
  min(this: Tensor, d?: number, k?: boolean) { return d === undefined ? R.min(this) : R.min(this, d, k); },
  argmax(this: Tensor, d?: number, k?: boolean) { return R.argmax(this, d, k); },
  argmin(this: Tensor, d?: number, k?: boolean) { return R.argmin(this, d, k); },
  amax(this: Tensor, d?: R.Dims, k?: boolean) { return R.amax(this, d, k); },
  amin(this: Tensor, d?: R.Dims, k?: boolean) { return R.amin(this, d, k); },
  logsumexp(this: Tensor, d: R.Dims, k?: boolean) { return R.logsumexp(this, d, k); },
  softmax(this: Tensor, d?: number) { return S.softmax(this, d); },
  logSoftmax(this: Tensor, d?: number) { return S.logSoftmax(this, d); },
  matmul(this: Tensor, o: Tensor) { return M.matmul(this, o); },
  reshape(this: Tensor, ...s: (number | readonly number[])[]) { return V.reshape(this, shapeArgs(s)); },
  view(this: Tensor, ...s: (number | readonly number[])[]) { return V.view(this, shapeArgs(s)); },
  flatten(this: Tensor, a?: number, b?: number) { return V.flatten(this, a, b); },
  squeeze(this: Tensor, d?: number | readonly number[]) { return V.squeeze(this, d); },
  unsqueeze(this: Tensor, d: number) { return V.unsqueeze(this, d); },
  permute(this: Tensor, ...d: (number | readonly number[])[]) { return V.permute(this, shapeArgs(d)); },
  transpose(this: Tensor, a?: number, b?: number) { return V.transpose(this, a, b); },
  expand(this: Tensor, ...s: (number | readonly number[])[]) { return V.expand(this, shapeArgs(s)); },
  expandAs(this: Tensor, o: Tensor) { return V.expand(this, o.shape); },
  narrow(this: Tensor, d: number, s: number, l: number) { return V.narrow(this, d, s, l); },
  slice(this: Tensor, d: number, s?: number, e?: number, st?: number) { return V.slice(this, d, s, e, st); },
  select(this: Tensor, d: number, i: number) { return V.select(this, d, i); },
  contiguous(this: Tensor) { return V.contiguous(this); },
  to(this: Tensor, d: DType) { return to(this, d); },
  float(this: Tensor) { return to(this, "float32"); },
  double(this: Tensor) { return to(this, "float64"); },
  int(this: Tensor) { return to(this, "int32"); },
  split(this: Tensor, s: number | readonly number[], d?: number) { return J.split(this, s, d); },
  chunk(this: Tensor, c: number, d?: number) { return J.chunk(this, c, d); },
  gather(this: Tensor, d: number, i: Tensor) { return G.gather(this, d, i); },
  scatter(this: Tensor, d: number, i: Tensor, s: Tensor | number) { return G.scatter(this, d, i, s); },
  scatterAdd(this: Tensor, d: number, i: Tensor, s: Tensor) { return G.scatterAdd(this, d, i, s); },
  indexSelect(this: Tensor, d: number, i: Tensor) { return G.indexSelect(this, d, i); },
  indexAdd(this: Tensor, d: number, i: Tensor, s: Tensor) { return G.indexAdd(this, d, i, s); },
  where(this: Tensor, c: Tensor, o: TensorOrScalar) { return where(c, this, o); },
  maskedFill(this: Tensor, m: Tensor, v: number) { return maskedFill(this, m, v); },
  triu(this: Tensor, k?: number) { return triu(this, k); },
  tril(this: Tensor, k?: number) { return tril(this, k); },
  clamp(this: Tensor, lo?: number, hi?: number) { return clamp(this, lo, hi); },
  flip(this: Tensor, ...d: (number | readonly number[])[]) { return flip(this, shapeArgs(d)); },
  repeat(this: Tensor, ...s: (number | readonly number[])[]) { return repeat(this, shapeArgs(s)); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
Object.defineProperty(proto, "T", {
  get(this: Tensor) {
    return V.transpose(this, -2, -1);
  },
  configurable: true,
});
