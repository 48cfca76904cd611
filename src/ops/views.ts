/**
 * View ops: new shape/strides/offset over the same storage (DESIGN.md decision 2). Where a view is
 * impossible (reshape of a non-contiguous tensor), the op copies, as PyTorch's reshape does.
 */
import { IndexError, ShapeError, ValueError, formatShape } from "../errors.js";
import { allocate, isHalf } from "../tensor/dtype.js";
import { narrowValues, widenValues } from "./half.js";
import { getBackend } from "../backend/index.js";
import { sumColumns } from "../backend/reference/elementwise.js";
import { contiguousStrides, normalizeDim, numel, shapesEqual, stridedOffsets } from "../tensor/shape.js";
import { copyView } from "../tensor/strided.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";

function viewOf(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.storage, shape, strides, offset);
}

/** A contiguous copy (or x itself when already contiguous). */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = new Tensor(x.toTypedArray(), x.shape);
  return record(out, "contiguous", [x], (g) => [g]);
}

/** Resolves one -1 in a requested shape. */
export function inferShape(shape: readonly number[], size: number, op: string, from: readonly number[]): number[] {
  const out = [...shape];
  const neg = out.indexOf(-1);
  if (neg !== out.lastIndexOf(-1)) throw new ValueError(`${op}: only one dimension can be -1, got ${formatShape(shape)}`);
  if (neg >= 0) {
    const rest = out.reduce((p, d, i) => (i === neg ? p : p * d), 1);
    if (rest === 0 || size % rest !== 0) throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} into ${formatShape(shape)}`);
    out[neg] = size / rest;
  }
  for (const d of out) if (!Number.isInteger(d) || d < 0) throw new ValueError(`${op}: invalid shape ${formatShape(shape)}`);
  if (numel(out) !== size) throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} (${size} elements) into ${formatShape(shape)}`);
  return out;
}

/** Strides for viewing x as `shape` without copying, or null when impossible (PyTorch's computeStride). */
function viewStrides(x: Tensor, shape: readonly number[]): number[] | null {
  if (x.isContiguous()) return contiguousStrides(shape);
  // Group x's dims into contiguous chunks and map each chunk onto a run of new dims.
  const oldShape = x.shape;
  const oldStrides = x.strides;
  const newStrides = new Array<number>(shape.length).fill(0);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d] ?? 1;
    const chunkEnd = d === 0 || ((oldShape[d - 1] ?? 1) !== 1 && (oldStrides[d - 1] ?? 0) !== tensorNumel * chunkBase);
    if (chunkEnd) {
      while (viewD >= 0 && (viewNumel < tensorNumel || (shape[viewD] ?? 1) === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD] ?? 1;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1] ?? 1;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}

/** Same data in a new shape; a view when strides allow, a copy otherwise. One dimension may be -1. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.size, "reshape", x.shape);
  const strides = viewStrides(x, target);
  const out = strides ? viewOf(x, target, strides, x.offset) : new Tensor(x.toTypedArray(), target);
  const from = x.shape;
  return record(out, "reshape", [x], (g) => [reshape(g, from)]);
}

/** Like reshape, but never copies: fails when the strides do not allow a view (PyTorch's `view`). */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.size, "view", x.shape);
  const strides = viewStrides(x, target);
  if (!strides) {
    throw new ShapeError(`view: cannot view a non-contiguous tensor of shape ${formatShape(x.shape)} as ${formatShape(target)}; use reshape()`);
  }
  const from = x.shape;
  return record(viewOf(x, target, strides, x.offset), "view", [x], (g) => [reshape(g, from)]);
}

/** Merges dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim, "flatten");
  const e = normalizeDim(endDim, x.ndim, "flatten");
  if (s > e) throw new ValueError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Removes size-1 dims (all, or the given ones). */
export function squeeze(x: Tensor, dims?: number | readonly number[]): Tensor {
  const drop = new Set<number>();
  if (dims === undefined) x.shape.forEach((d, i) => d === 1 && drop.add(i));
  else for (const d of typeof dims === "number" ? [dims] : dims) {
    const k = normalizeDim(d, x.ndim, "squeeze");
    if (x.shape[k] === 1) drop.add(k);
  }
  const shape = x.shape.filter((_, i) => !drop.has(i));
  const strides = x.strides.filter((_, i) => !drop.has(i));
  const from = x.shape;
  return record(viewOf(x, shape, strides, x.offset), "squeeze", [x], (g) => [reshape(g, from)]);
}

/** Inserts a size-1 dim at `dim` (which may be x.ndim). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, "unsqueeze");
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? (x.strides[d] ?? 1) * (x.shape[d] ?? 1) : 1);
  const from = x.shape;
  return record(viewOf(x, shape, strides, x.offset), "unsqueeze", [x], (g) => [reshape(g, from)]);
}

/** Reorders dims: out.shape[i] = x.shape[dims[i]]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new ShapeError(`permute: got ${dims.length} dims [${dims.join(",")}] for a tensor of shape ${formatShape(x.shape)}`);
  }
  const order = dims.map((d) => normalizeDim(d, x.ndim, "permute"));
  if (new Set(order).size !== order.length) throw new ValueError(`permute: repeated dimension in [${dims.join(",")}]`);
  const shape = order.map((d) => x.shape[d] ?? 1);
  const strides = order.map((d) => x.strides[d] ?? 1);
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return record(viewOf(x, shape, strides, x.offset), "permute", [x], (g) => [permute(g, inverse)]);
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) return x;
  const a = normalizeDim(dim0, x.ndim, "transpose");
  const b = normalizeDim(dim1, x.ndim, "transpose");
  const order = Array.from({ length: x.ndim }, (_, i) => i);
  order[a] = b;
  order[b] = a;
  return permute(x, order);
}

/** Broadcasts size-1 dims (and new leading dims) to `shape` without copying; -1 keeps a size. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim) {
    throw new ShapeError(`expand: cannot expand ${formatShape(x.shape)} to fewer dimensions ${formatShape(shape)}`);
  }
  const lead = shape.length - x.ndim;
  const outShape = new Array<number>(shape.length);
  const strides = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const want = shape[i] ?? 1;
    if (i < lead) {
      if (want < 0) throw new ShapeError(`expand: -1 not allowed for new leading dim in ${formatShape(shape)}`);
      outShape[i] = want;
      strides[i] = 0;
      continue;
    }
    const have = x.shape[i - lead] ?? 1;
    if (want === -1 || want === have) {
      outShape[i] = have;
      strides[i] = x.strides[i - lead] ?? 0;
    } else if (have === 1) {
      outShape[i] = want;
      strides[i] = 0;
    } else {
      throw new ShapeError(`expand: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}`);
    }
  }
  const from = x.shape;
  return record(viewOf(x, outShape, strides, x.offset), "expand", [x], (g) => [sumToShape(g, from)]);
}

/**
 * Sums a broadcast gradient back to `shape` (the inverse of broadcasting). Implemented here with a
 * direct loop so views stay free of a dependency on the reductions module.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  // Half gradients are summed in float32 and rounded once (the loops below add stored values).
  if (isHalf(g.dtype)) return sumLeadingRowsHalf(g, shape) ?? narrowValues(sumToShape(widenValues(g), shape), g.dtype);
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new ShapeError(`sumToShape: cannot reduce ${formatShape(g.shape)} to ${formatShape(shape)}`);
  const fast = sumLeadingRows(g, shape);
  if (fast) return fast;
  // Strides of the output as seen from g's index space: 0 on summed dims.
  const outStrides = contiguousStrides(shape);
  const mapped = new Array<number>(g.ndim).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const gd = g.shape[lead + i] ?? 1;
    const sd = shape[i] ?? 1;
    if (sd !== gd && sd !== 1) throw new ShapeError(`sumToShape: cannot reduce ${formatShape(g.shape)} to ${formatShape(shape)}`);
    mapped[lead + i] = sd === 1 ? 0 : (outStrides[i] ?? 0);
  }
  const out = allocate(g.dtype, numel(shape));
  const src = stridedOffsets(g.shape, g.strides, g.offset);
  const dst = stridedOffsets(g.shape, mapped, 0);
  const gs = g.storage;
  for (let i = 0; i < src.length; i++) {
    const d = dst[i] ?? 0;
    out[d] = (out[d] ?? 0) + (gs[src[i] ?? 0] ?? 0);
  }
  return new Tensor(out, shape);
}

/**
 * The common case of bias gradients: g contiguous and `shape` equal to g's trailing dims after dropping
 * leading ones (e.g. [B, T, C] → [C] or [1, C]) — a sum of contiguous rows, no index arrays.
 */
function sumLeadingRows(g: Tensor, shape: readonly number[]): Tensor | null {
  if (!g.isContiguous()) return null;
  const inner = trailingBlock(g.shape, shape);
  if (inner === null) return null;
  const rows = inner === 0 ? 0 : g.size / inner;
  const out = allocate(g.dtype, inner);
  const values = g.contiguousValues();
  // Σ over rows on the backend (SIMD column sums for large float32 gradients; the reference loop adds
  // row by row). Integer gradients keep the same loop here.
  if ((out instanceof Float32Array && values instanceof Float32Array) || (out instanceof Float64Array && values instanceof Float64Array)) {
    getBackend().sumColumns(out, values, rows, inner);
  } else sumColumns(out, values, rows, inner);
  return new Tensor(out, shape);
}

/**
 * The size of the block that `shape` keeps of `gShape` when every other dim of `shape` is 1 (so the
 * sum to `shape` adds whole contiguous rows of that size), else null.
 */
function trailingBlock(gShape: readonly number[], shape: readonly number[]): number | null {
  let inner = 1;
  let trailing = 0;
  // Match shape's dims from the right against g's; stop at the first size-1 dim that g does not have.
  for (let i = shape.length - 1; i >= 0; i--) {
    const gd = gShape[gShape.length - shape.length + i] ?? 1;
    if ((shape[i] ?? 1) !== gd) break;
    inner *= gd;
    trailing++;
  }
  // Every remaining (leading) dim of `shape` must be 1: those are summed over, like g's extra dims.
  for (let i = 0; i < shape.length - trailing; i++) if ((shape[i] ?? 1) !== 1) return null;
  return inner;
}

/**
 * sumLeadingRows of a contiguous half gradient on the backend's half column sums (float32 sums of the
 * stored bits, rounded once: the bits of widening first), or null where that does not apply.
 */
function sumLeadingRowsHalf(g: Tensor, shape: readonly number[]): Tensor | null {
  const be = getBackend();
  if (!isHalf(g.dtype) || !be.sumColumnsHalf || !g.isContiguous()) return null;
  const inner = trailingBlock(g.shape, shape);
  if (inner === null || inner === 0) return null;
  const out = new Float32Array(inner);
  be.sumColumnsHalf(g.dtype, out, g.contiguousValues() as Uint16Array, g.size / inner, inner);
  return narrowValues(new Tensor(out, shape), g.dtype);
}

/** Elements start..start+length-1 along dim (a view). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, x.ndim, "narrow");
  const size = x.shape[d] ?? 1;
  const s = start < 0 ? start + size : start;
  if (s < 0 || length < 0 || s + length > size) {
    throw new IndexError(`narrow: range [${start}, ${start + length}) out of bounds for dim ${dim} of size ${size}`);
  }
  return slice(x, d, s, s + length);
}

/**
 * Python-style slice along dim: start (inclusive), end (exclusive), step > 0; negative indices count
 * from the end and out-of-range bounds are clamped, as in `x[start:end:step]`.
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normalizeDim(dim, x.ndim, "slice");
  if (!Number.isInteger(step) || step <= 0) throw new ValueError(`slice: step must be a positive integer, got ${step}`);
  const size = x.shape[d] ?? 1;
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clamp(start);
  const e = Math.max(s, clamp(end ?? size));
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[d] = len;
  strides[d] = (x.strides[d] ?? 1) * step;
  const out = viewOf(x, shape, strides, x.offset + s * (x.strides[d] ?? 1));
  const from = x.shape;
  const dtype = x.dtype;
  return record(out, "slice", [x], (g) => {
    const full = new Tensor(allocate(dtype, numel(from)), from);
    const target = new Tensor(full.storage, shape, contiguousStridesSlice(from, d, step), s * (contiguousStrides(from)[d] ?? 1));
    copyInto(target, g);
    return [full];
  });
}

function contiguousStridesSlice(shape: readonly number[], dim: number, step: number): number[] {
  const strides = contiguousStrides(shape);
  strides[dim] = (strides[dim] ?? 1) * step;
  return strides;
}

/** Writes src's elements into the (possibly strided) view dst, element by element. */
export function copyInto(dst: Tensor, src: Tensor): void {
  const n = dst.size;
  if (src.size !== n) throw new ShapeError(`copy: shapes ${formatShape(dst.shape)} and ${formatShape(src.shape)} differ`);
  if (shapesEqual(dst.shape, src.shape)) {
    copyView(dst.storage, dst.strides, dst.offset, src.storage, src.strides, src.offset, dst.shape);
    return;
  }
  const di = stridedOffsets(dst.shape, dst.strides, dst.offset);
  const si = stridedOffsets(src.shape, src.strides, src.offset);
  const d = dst.storage;
  const s = src.storage;
  for (let i = 0; i < n; i++) d[di[i] ?? 0] = s[si[i] ?? 0] ?? 0;
}

/** Removes dim by taking index `index` along it (a view). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, x.ndim, "select");
  const size = x.shape[d] ?? 1;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError(`select: index ${index} out of range for dim ${dim} of size ${size}`);
  }
  const i = index < 0 ? index + size : index;
  return squeeze(slice(x, d, i, i + 1), d);
}
