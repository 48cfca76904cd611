/**
 * Broadcasting binary ops (add, sub, mul, div, pow, maximum, minimum, comparisons) and their backward
 * rules. Gradients of broadcast operands are summed back to the operand's shape.
 */
import { BinaryOp, type BinaryOpCode, binaryContiguous, binaryIndexed, binaryRows, binaryScalar } from "../backend/reference/elementwise.js";
import { getBackend } from "../backend/index.js";
import { type DType, type Storage, allocateUninitialized, isFloatingPoint, isHalf } from "../tensor/dtype.js";
import { narrowValues, promoteOperands, widenValues } from "./half.js";
import { broadcastShapes, broadcastStrides, shapesEqual, stridedOffsets } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { asTensor, record, type TensorOrScalar } from "./record.js";
import { floor, log } from "./unary.js";
import { sumToShape } from "./views.js";
import { where } from "./where.js";

/** Computes `a op b` with broadcasting into a fresh tensor of dtype `outType`. No graph recording. */
export function binaryForward(op: BinaryOpCode, a: Tensor, b: Tensor, name: string, outType?: DType): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, name);
  const dtype = outType ?? promoteOperands(a, b);
  if (isHalf(a.dtype) || isHalf(b.dtype) || isHalf(dtype)) {
    const mixed = dtype === "float32" ? mixedHalf(op, a, b, shape) : null;
    if (mixed) return mixed;
    // Half operands compute in float32 and the result is rounded once (PyTorch's CPU kernels do the same).
    const wide = binaryForward(op, widenValues(a), widenValues(b), name, isHalf(dtype) ? "float32" : dtype);
    return narrowValues(wide, dtype);
  }
  const n = shape.reduce((p, d) => p * d, 1);
  const out = allocateUninitialized(dtype, n); // every branch below writes all of it
  const aFull = shapesEqual(a.shape, shape);
  const bFull = shapesEqual(b.shape, shape);
  // float32 operands of the common layouts go through the backend (SIMD kernels for large arrays);
  // other dtypes and strided or general broadcasts run the reference loops here.
  const f32 = out instanceof Float32Array && a.storage instanceof Float32Array && b.storage instanceof Float32Array;
  if (aFull && a.isContiguous() && b.size === 1) {
    const y = b.storage[b.offset] ?? 0;
    if (f32) getBackend().binaryScalar(op, out, span(a), y);
    else binaryScalar(op, out, a.storage, a.offset, y);
  } else if (aFull && bFull && a.isContiguous() && b.isContiguous()) {
    if (f32) getBackend().binary(op, out, span(a), span(b));
    else binaryContiguous(op, out, a.storage, a.offset, b.storage, b.offset);
  } else if (aFull && a.isContiguous() && b.isContiguous() && isTrailingBlock(b.shape, shape)) {
    // x + bias: b repeats over the leading dims of the output, one contiguous block per row.
    if (f32) getBackend().binaryRows(op, out, span(a), span(b), false);
    else binaryRows(op, out, a.storage, a.offset, b.storage, b.offset, b.size, false);
  } else if (bFull && a.isContiguous() && b.isContiguous() && isTrailingBlock(a.shape, shape)) {
    if (f32) getBackend().binaryRows(op, out, span(b), span(a), true);
    else binaryRows(op, out, b.storage, b.offset, a.storage, a.offset, a.size, true);
  } else {
    const ia = stridedOffsets(shape, broadcastStrides(a.shape, a.strides, shape), a.offset);
    const ib = stridedOffsets(shape, broadcastStrides(b.shape, b.strides, shape), b.offset);
    binaryIndexed(op, out, a.storage, ia, b.storage, ib);
  }
  return new Tensor(out, shape);
}

/**
 * float32 a op b of a float32 and a half (bfloat16 or float16) tensor of the output's shape, both
 * contiguous (a residual stream plus a half branch under autocast), on the backend's mixed kernel,
 * which widens the half operand as it reads it; null where that does not apply.
 */
function mixedHalf(op: BinaryOpCode, a: Tensor, b: Tensor, shape: readonly number[]): Tensor | null {
  const be = getBackend();
  if (!be.binaryMixedHalf || !shapesEqual(a.shape, shape) || !shapesEqual(b.shape, shape) || !a.isContiguous() || !b.isContiguous()) return null;
  const swapped = isHalf(a.dtype);
  const [wide, half] = swapped ? [b, a] : [a, b];
  if (wide.dtype !== "float32" || !isHalf(half.dtype)) return null;
  const out = allocateUninitialized("float32", wide.size) as Float32Array;
  return be.binaryMixedHalf(half.dtype, op, out, span(wide), half.contiguousValues() as Uint16Array, swapped) ? new Tensor(out, shape) : null;
}

/** A contiguous float32 tensor's elements as one array (its storage, or a view of it). */
function span(t: Tensor): Float32Array {
  return t.contiguousValues() as Float32Array;
}

/** Whether `small` (without leading 1s) equals the trailing dims of `shape`: it repeats as a block. */
function isTrailingBlock(small: readonly number[], shape: readonly number[]): boolean {
  let i = 0;
  while (i < small.length && small[i] === 1) i++;
  const rest = small.slice(i);
  if (rest.length === 0 || rest.length > shape.length) return false;
  const offset = shape.length - rest.length;
  return rest.every((d, k) => d === shape[offset + k]);
}

function arithmeticType(a: Tensor, b: Tensor): DType {
  const t = promoteOperands(a, b);
  return t === "bool" ? "int32" : t;
}

/**
 * a + alpha·b, elementwise with broadcasting.
 * @example
 * ```ts
 * import { tensor, ops } from "loom";
 * ops.add(tensor([[1, 2], [3, 4]]), tensor([10, 20])); // tensor([[11, 22], [13, 24]])
 * ```
 */
export function add(a: Tensor, b: TensorOrScalar, alpha = 1): Tensor {
  const bt = asTensor(b, a);
  if (alpha !== 1) return add(a, mul(bt, alpha));
  const out = binaryForward(BinaryOp.add, a, bt, "add", arithmeticType(a, bt));
  return record(out, "add", [a, bt], (g) => [sumToShape(g, a.shape), sumToShape(g, bt.shape)]);
}

/** a − b, elementwise with broadcasting. */
export function sub(a: Tensor, b: TensorOrScalar): Tensor {
  const bt = asTensor(b, a);
  const out = binaryForward(BinaryOp.sub, a, bt, "sub", arithmeticType(a, bt));
  return record(out, "sub", [a, bt], (g) => [sumToShape(g, a.shape), bt.requiresGrad ? sumToShape(neg(g), bt.shape) : null]);
}

/** b - a, for a scalar b: `rsub(x, 1)` is 1 - x. */
export function rsub(a: Tensor, b: number): Tensor {
  return sub(asTensor(b, a), a);
}

/** a · b, elementwise with broadcasting. */
export function mul(a: Tensor, b: TensorOrScalar): Tensor {
  const bt = asTensor(b, a);
  const out = binaryForward(BinaryOp.mul, a, bt, "mul", arithmeticType(a, bt));
  return record(out, "mul", [a, bt], (g) => [
    a.requiresGrad ? sumToShape(mul(g, bt), a.shape) : null,
    bt.requiresGrad ? sumToShape(mul(g, a), bt.shape) : null,
  ]);
}

/** True division (integer operands give float32, as in PyTorch). */
export function div(a: Tensor, b: TensorOrScalar): Tensor {
  const bt = asTensor(b, a);
  let t = promoteOperands(a, bt);
  if (!isFloatingPoint(t)) t = "float32";
  const out = binaryForward(BinaryOp.div, a, bt, "div", t);
  return record(out, "div", [a, bt], (g) => [
    a.requiresGrad ? sumToShape(div(g, bt), a.shape) : null,
    // d(a/b)/db = -a/b² = -out/b
    bt.requiresGrad ? sumToShape(neg(div(mul(g, out), bt)), bt.shape) : null,
  ]);
}

/** −a, elementwise. */
export function neg(a: Tensor): Tensor {
  return mulNoPromote(a, -1, "neg");
}

function mulNoPromote(a: Tensor, k: number, name: string): Tensor {
  if (isHalf(a.dtype)) {
    const out = narrowValues(mulNoPromote(widenValues(a), k, name), a.dtype);
    return record(out, name, [a], (g) => [mulNoPromote(g, k, name)]);
  }
  const dtype = a.dtype === "bool" ? "int32" : a.dtype;
  const out = allocateUninitialized(dtype, a.size);
  const values: Storage = a.contiguousValues();
  if (out instanceof Float32Array && values instanceof Float32Array) getBackend().binaryScalar(BinaryOp.mul, out, values, k);
  else binaryScalar(BinaryOp.mul, out, values, 0, k);
  return record(new Tensor(out, a.shape), name, [a], (g) => [mulNoPromote(g, k, name)]);
}

/** a ** b elementwise. */
export function pow(a: Tensor, b: TensorOrScalar): Tensor {
  const bt = asTensor(b, a);
  let t = promoteOperands(a, bt);
  if (t === "bool") t = "int32";
  const out = binaryForward(BinaryOp.pow, a, bt, "pow", t);
  return record(out, "pow", [a, bt], (g) => [
    // d/da a^b = b·a^(b-1)
    a.requiresGrad ? sumToShape(mul(g, mul(bt, pow(a, sub(bt, 1)))), a.shape) : null,
    // d/db a^b = a^b·ln a, taken as 0 where a = 0 (PyTorch's convention; 0·ln 0 would be NaN)
    bt.requiresGrad ? sumToShape(mul(g, mul(out, where(eq(a, 0), 0, log(a)))), bt.shape) : null,
  ]);
}

/** Elementwise max; where a == b the gradient is split evenly, as in PyTorch. */
export function maximum(a: Tensor, b: TensorOrScalar): Tensor {
  return minMax(a, asTensor(b, a), BinaryOp.maximum, "maximum");
}

/** The smaller of a and b, elementwise (broadcast). */
export function minimum(a: Tensor, b: TensorOrScalar): Tensor {
  return minMax(a, asTensor(b, a), BinaryOp.minimum, "minimum");
}

function minMax(a: Tensor, b: Tensor, op: BinaryOpCode, name: string): Tensor {
  const out = binaryForward(op, a, b, name);
  return record(out, name, [a, b], (g) => {
    const cmp = op === BinaryOp.maximum ? BinaryOp.gt : BinaryOp.lt;
    const aWins = binaryForward(cmp, a, b, name, g.dtype);
    const tie = binaryForward(BinaryOp.eq, a, b, name, g.dtype);
    const aShare = add(aWins, mul(tie, 0.5));
    const bShare = rsub(add(aWins, mul(tie, 0.5)), 1);
    return [a.requiresGrad ? sumToShape(mul(g, aShare), a.shape) : null, b.requiresGrad ? sumToShape(mul(g, bShare), b.shape) : null];
  });
}

function compare(op: BinaryOpCode, name: string) {
  return (a: Tensor, b: TensorOrScalar): Tensor => binaryForward(op, a, asTensor(b, a), name, "bool");
}

/** a == b elementwise (broadcast), as a bool tensor. */
export const eq = compare(BinaryOp.eq, "eq");
/** a != b elementwise (broadcast), as a bool tensor. */
export const ne = compare(BinaryOp.ne, "ne");
/** a < b elementwise (broadcast), as a bool tensor. */
export const lt = compare(BinaryOp.lt, "lt");
/** a <= b elementwise (broadcast), as a bool tensor. */
export const le = compare(BinaryOp.le, "le");
/** a > b elementwise (broadcast), as a bool tensor. */
export const gt = compare(BinaryOp.gt, "gt");
/** a >= b elementwise (broadcast), as a bool tensor. */
export const ge = compare(BinaryOp.ge, "ge");

/** Remainder with the sign of the divisor (Python's %); gradient 1 for a, -floor(a/b) for b. */
export function remainder(a: Tensor, b: TensorOrScalar): Tensor {
  const bt = asTensor(b, a);
  const out = binaryForward(BinaryOp.remainder, a, bt, "remainder");
  return record(out, "remainder", [a, bt], (g) => [
    a.requiresGrad ? sumToShape(g, a.shape) : null,
    bt.requiresGrad ? sumToShape(neg(mul(g, floor(div(a, bt)))), bt.shape) : null,
  ]);
}
