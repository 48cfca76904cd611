/**
 * Selection by a boolean mask: where(cond, a, b) and maskedFill(x, mask, value), broadcasting as
 * PyTorch does. The gradient flows to whichever operand was chosen at each position.
 */
import { DTypeError, ShapeError, formatShape } from "../errors.js";
import { type DType, allocate, convertStorage, isHalf } from "../tensor/dtype.js";
import { promoteOperands } from "./half.js";
import { to } from "./cast.js";
import { broadcastShapes, broadcastStrides, numel, shapesEqual, stridedOffsets } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { asTensor, record, type TensorOrScalar } from "./record.js";
import { sumToShape } from "./views.js";

function checkMask(op: string, mask: Tensor): void {
  if (mask.dtype !== "bool") throw new DTypeError(`${op}: condition must be a bool tensor, got ${mask.dtype}`);
}

function offsetsIn(t: Tensor, shape: readonly number[]): Int32Array {
  return stridedOffsets(shape, broadcastStrides(t.shape, t.strides, shape), t.offset);
}

/** cond ? a : b elementwise, over the broadcast shape of all three; no recording. */
function select(cond: Tensor, a: Tensor, b: Tensor, dtype: DType, shape: readonly number[]): Tensor {
  const ic = offsetsIn(cond, shape);
  const ia = offsetsIn(a, shape);
  const ib = offsetsIn(b, shape);
  const out = allocate(dtype, numel(shape));
  const c = cond.storage;
  const as = a.storage;
  const bs = b.storage;
  for (let i = 0; i < out.length; i++) out[i] = c[ic[i] as number] ? (as[ia[i] as number] as number) : (bs[ib[i] as number] as number);
  return new Tensor(out, shape);
}

function scalarOf(value: number, dtype: DType): Tensor {
  if (isHalf(dtype)) return new Tensor(convertStorage(Float32Array.of(value), "float32", dtype), []);
  const s = allocate(dtype, 1);
  s[0] = value;
  return new Tensor(s, []);
}

/**
 * Elementwise `cond ? a : b` with cond a bool tensor; cond, a and b broadcast together. A number operand
 * takes the other operand's dtype (two numbers give float32). Gradients: a gets g where cond holds,
 * b gets g elsewhere, each summed back to its own shape.
 */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  checkMask("where", cond);
  let at: Tensor;
  let bt: Tensor;
  if (typeof a === "number" && typeof b === "number") {
    at = scalarOf(a, "float32");
    bt = scalarOf(b, "float32");
  } else if (typeof a === "number") {
    bt = b as Tensor;
    at = asTensor(a, bt);
  } else {
    at = a;
    bt = asTensor(b, a);
  }
  const dtype = promoteOperands(at, bt);
  // select() copies elements as they are stored, so half operands meet only their own dtype.
  if (at.dtype !== dtype && (isHalf(at.dtype) || isHalf(dtype))) at = to(at, dtype);
  if (bt.dtype !== dtype && (isHalf(bt.dtype) || isHalf(dtype))) bt = to(bt, dtype);
  let shape: number[];
  try {
    shape = broadcastShapes(broadcastShapes(cond.shape, at.shape, "where"), bt.shape, "where");
  } catch {
    throw new ShapeError(
      `where: condition ${formatShape(cond.shape)}, input ${formatShape(at.shape)} and other ${formatShape(bt.shape)} cannot be broadcast together`,
    );
  }
  const out = select(cond, at, bt, dtype, shape);
  return record(out, "where", [at, bt], (g) => {
    const zero = scalarOf(0, g.dtype);
    return [
      at.requiresGrad ? sumToShape(select(cond, g, zero, g.dtype, g.shape), at.shape) : null,
      bt.requiresGrad ? sumToShape(select(cond, zero, g, g.dtype, g.shape), bt.shape) : null,
    ];
  });
}

/**
 * x with `value` wherever mask (bool, broadcastable to x's shape) is true; gradient zero there. The
 * result keeps x's dtype (the value is converted), as PyTorch's masked_fill.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkMask("maskedFill", mask);
  let shape: number[] | null;
  try {
    shape = broadcastShapes(x.shape, mask.shape, "maskedFill");
  } catch {
    shape = null;
  }
  if (shape === null || !shapesEqual(shape, x.shape)) {
    throw new ShapeError(`maskedFill: mask of shape ${formatShape(mask.shape)} cannot be broadcast to input shape ${formatShape(x.shape)}`);
  }
  const out = select(mask, scalarOf(value, x.dtype), x, x.dtype, x.shape);
  return record(out, "maskedFill", [x], (g) => [select(mask, scalarOf(0, g.dtype), g, g.dtype, g.shape)]);
}
