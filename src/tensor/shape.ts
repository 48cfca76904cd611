/** Shape arithmetic: sizes, strides, broadcasting (PyTorch/NumPy rules) and dimension checks. */
import { IndexError, ShapeError, ValueError, formatShape } from "../errors.js";

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] ?? 1;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShape(shape: Shape, op: string): number[] {
  if (!Array.isArray(shape)) throw new ValueError(`${op}: shape must be an array of sizes, got ${typeof shape === "object" ? "an object" : String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ValueError(`${op}: invalid shape ${formatShape(shape)}`);
  }
  return [...shape];
}

/** Broadcast two shapes: align from the right; each pair of sizes must be equal or contain a 1. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if expanded to `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    out[lead + i] = shape[i] === 1 && target[lead + i] !== 1 ? 0 : (strides[i] ?? 0);
  }
  return out;
}

/** Resolves a possibly negative dimension index. */
export function normalizeDim(dim: number, ndim: number, op: string): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new IndexError(`${op}: dimension ${dim} out of range for a tensor with ${ndim} dimensions`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Resolves a list of dims (or all dims when undefined), sorted, without duplicates. */
export function normalizeDims(dims: number | readonly number[] | undefined, ndim: number, op: string): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  const out = [...new Set(list.map((d) => normalizeDim(d, ndim, op)))].sort((x, y) => x - y);
  if (out.length !== list.length) throw new ValueError(`${op}: repeated dimension in [${list.join(",")}]`);
  return out;
}

/** For every element of a tensor in row-major order of `shape`, its storage offset. */
export function stridedOffsets(shape: Shape, strides: readonly number[], offset: number): Int32Array {
  const n = numel(shape);
  const out = new Int32Array(n);
  const nd = shape.length;
  if (nd === 0) {
    out[0] = offset;
    return out;
  }
  const last = nd - 1;
  const lastSize = shape[last] ?? 1;
  const lastStride = strides[last] ?? 0;
  const index = new Array<number>(nd).fill(0);
  let base = offset;
  for (let i = 0; i < n; i += lastSize) {
    for (let j = 0; j < lastSize; j++) out[i + j] = base + j * lastStride;
    // advance the multi-index over the leading dims
    for (let d = last - 1; d >= 0; d--) {
      index[d] = (index[d] ?? 0) + 1;
      base += strides[d] ?? 0;
      if ((index[d] ?? 0) < (shape[d] ?? 1)) break;
      base -= (strides[d] ?? 0) * (shape[d] ?? 1);
      index[d] = 0;
    }
  }
  return out;
}
