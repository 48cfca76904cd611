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
    add(other: TensorOrScalar, alpha?: number): Tensor;
    sub(other: TensorOrScalar): Tensor;
    mul(other: TensorOrScalar): Tensor;
    div(other: TensorOrScalar): Tensor;
    pow(exponent: TensorOrScalar): Tensor;
    neg(): Tensor;
    remainder(other: TensorOrScalar): Tensor;
    maximum(other: TensorOrScalar): Tensor;
    minimum(other: TensorOrScalar): Tensor;
    eq(other: TensorOrScalar): Tensor;
    ne(other: TensorOrScalar): Tensor;
    lt(other: TensorOrScalar): Tensor;
    le(other: TensorOrScalar): Tensor;
    gt(other: TensorOrScalar): Tensor;
    ge(other: TensorOrScalar): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    expm1(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    erf(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    trunc(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    gelu(options?: U.GeluOptions): Tensor;
    silu(): Tensor;
    softplus(beta?: number): Tensor;
    elu(alpha?: number): Tensor;
    sum(dim?: R.Dims, keepdim?: boolean): Tensor;
    mean(dim?: R.Dims, keepdim?: boolean): Tensor;
    var(dim?: R.Dims, options?: R.VarOptions): Tensor;
    std(dim?: R.Dims, options?: R.VarOptions): Tensor;
    max(): Tensor;
    max(dim: number, keepdim?: boolean): R.ValuesIndices;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): R.ValuesIndices;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    amax(dim?: R.Dims, keepdim?: boolean): Tensor;
    amin(dim?: R.Dims, keepdim?: boolean): Tensor;
    logsumexp(dim: R.Dims, keepdim?: boolean): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    matmul(other: Tensor): Tensor;
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    view(...shape: number[] | [readonly number[]]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    squeeze(dims?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    permute(...dims: number[] | [readonly number[]]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    /** Transpose of a 2-D tensor (or of the last two dims). */
    readonly T: Tensor;
    expand(...shape: number[] | [readonly number[]]): Tensor;
    expandAs(other: Tensor): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    select(dim: number, index: number): Tensor;
    contiguous(): Tensor;
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** `x.where(cond, y)` is `where(cond, x, y)`, as PyTorch's Tensor.where. */
    where(condition: Tensor, other: TensorOrScalar): Tensor;
    maskedFill(mask: Tensor, value: number): Tensor;
    triu(diagonal?: number): Tensor;
    tril(diagonal?: number): Tensor;
    clamp(min?: number, max?: number): Tensor;
    flip(...dims: number[] | [readonly number[]]): Tensor;
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
