/**
 * Index-driven ops with PyTorch semantics: gather, scatter, scatterAdd, indexSelect, indexAdd. Index
 * tensors are int32; an index outside [0, size) throws an IndexError naming the op, the index and the
 * size. Backward rules pair them up: gather ↔ scatterAdd, indexSelect ↔ indexAdd, so repeated indices
 * (an embedding lookup of the same id twice) sum their gradients.
 *
 *   gather (dim 1):      out[i][j][k] = x[i][index[i][j][k]][k]
 *   scatter (dim 1):     out[i][index[i][j][k]][k] = src[i][j][k]   (out starts as a copy of x)
 *   indexSelect (dim 1): out[i][j][k] = x[i][index[j]][k]
 */
import { DTypeError, IndexError, ShapeError, formatShape } from "../errors.js";
import { type Storage, allocate, isHalf } from "../tensor/dtype.js";
import { anyHalf, inFloat32 } from "./half.js";
import { contiguousStrides, normalizeDim, numel, shapesEqual, stridedOffsets } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";
import { copyInto } from "./views.js";

function checkIndexDType(op: string, index: Tensor): void {
  if (index.dtype !== "int32") throw new DTypeError(`${op}: index must be an int32 tensor, got ${index.dtype}`);
}

function checkedIndex(op: string, value: number, size: number, dim: number): number {
  if (!(value >= 0 && value < size)) {
    throw new IndexError(`${op}: index ${value} is out of bounds for dim ${dim} with size ${size}`);
  }
  return value;
}

/** index must have t's rank and fit inside t (outside `dim` when `exceptDim`). */
function checkFits(op: string, index: Tensor, t: Tensor, what: string, dim: number, exceptDim: boolean): void {
  const fits = index.ndim === t.ndim && index.shape.every((s, i) => (exceptDim && i === dim) || s <= (t.shape[i] ?? 1));
  if (!fits) {
    const where = exceptDim ? ` outside dim ${dim}` : "";
    throw new ShapeError(`${op}: index shape ${formatShape(index.shape)} must not exceed ${what} shape ${formatShape(t.shape)}${where}`);
  }
}

/** Storage offsets of t at each position of `shape`, with the coordinate along `dim` taken as 0. */
function offsetsWithoutDim(shape: readonly number[], strides: readonly number[], offset: number, dim: number): Int32Array {
  const s = [...strides];
  if (s.length > 0) s[dim] = 0;
  return stridedOffsets(shape, s, offset);
}

/** The index values in row-major order, each checked against `size`. */
function indexValues(op: string, index: Tensor, size: number, dim: number): Int32Array {
  const values = index.toTypedArray() as Int32Array;
  for (const v of values) checkedIndex(op, v, size, dim);
  return values;
}

/** Gathers values along dim: out has index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  if (isHalf(x.dtype)) return inFloat32([x], x.dtype, (w) => gather(w, dim, index));
  const d = normalizeDim(dim, x.ndim, "gather");
  checkIndexDType("gather", index);
  checkFits("gather", index, x, "input", d, true);
  const idx = indexValues("gather", index, x.shape[d] ?? 1, d);
  const base = offsetsWithoutDim(index.shape, x.strides, x.offset, d);
  const stride = x.strides[d] ?? 0;
  const out = allocate(x.dtype, index.size);
  const xs = x.storage;
  for (let i = 0; i < out.length; i++) out[i] = xs[(base[i] as number) + (idx[i] as number) * stride] as number;
  const shape = x.shape;
  return record(new Tensor(out, index.shape), "gather", [x], (g) => {
    const gx = allocate(g.dtype, numel(shape));
    scatterKernel(gx, shape, d, index, idx, g, true);
    return [new Tensor(gx, shape)];
  });
}

/** src's gradient: gather(g) placed in the leading corner of zeros shaped like src (src may exceed index). */
function srcGrad(g: Tensor, d: number, index: Tensor, src: Tensor): Tensor {
  const picked = gather(g, d, index);
  if (shapesEqual(picked.shape, src.shape)) return picked;
  const out = new Tensor(allocate(g.dtype, src.size), src.shape);
  copyInto(new Tensor(out.storage, picked.shape, out.strides, 0), picked);
  return out;
}

/** Writes (or, with `add`, adds) src's values into a contiguous copy of x at the indexed positions. */
function scatterInto(op: string, x: Tensor, d: number, index: Tensor, src: Tensor | number, add: boolean): Tensor {
  checkIndexDType(op, index);
  checkFits(op, index, x, "self", d, true);
  if (typeof src !== "number") {
    checkFits(op, index, src, "src", d, false);
    if (src.dtype !== x.dtype) throw new DTypeError(`${op}: src dtype ${src.dtype} does not match self dtype ${x.dtype}`);
  }
  const idx = indexValues(op, index, x.shape[d] ?? 1, d);
  const out: Storage = x.toTypedArray();
  scatterKernel(out, x.shape, d, index, idx, src, add);
  return new Tensor(out, x.shape);
}

/** Writes (or adds) src's values, or a number, into contiguous `out` of `shape` at the checked indices `idx`. */
function scatterKernel(out: Storage, shape: readonly number[], d: number, index: Tensor, idx: Int32Array, src: Tensor | number, add: boolean): void {
  const strides = contiguousStrides(shape);
  const base = offsetsWithoutDim(index.shape, strides, 0, d);
  const stride = strides[d] ?? 0;
  if (typeof src === "number") {
    for (let i = 0; i < idx.length; i++) out[(base[i] as number) + (idx[i] as number) * stride] = src;
    return;
  }
  const so = stridedOffsets(index.shape, src.strides, src.offset);
  const ss = src.storage;
  for (let i = 0; i < idx.length; i++) {
    const at = (base[i] as number) + (idx[i] as number) * stride;
    const v = ss[so[i] as number] as number;
    out[at] = add ? (out[at] as number) + v : v;
  }
}

/**
 * Out-of-place scatter: a copy of x with src's values (or a number) written at the indexed positions
 * along dim. Positions written by several index entries keep the last one (PyTorch leaves this
 * unspecified). Gradients: x gets g with the written positions zeroed, src gets gather(g).
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  if (anyHalf(x, typeof src === "number" ? null : src)) return inFloat32([x, typeof src === "number" ? null : src], x.dtype, (w, s) => scatter(w as Tensor, dim, index, s ?? (src as number)));
  const d = normalizeDim(dim, x.ndim, "scatter");
  const out = scatterInto("scatter", x, d, index, src, false);
  const inputs = typeof src === "number" ? [x] : [x, src];
  return record(out, "scatter", inputs, (g) => [
    x.requiresGrad ? scatter(g, d, index, 0) : null,
    typeof src !== "number" && src.requiresGrad ? srcGrad(g, d, index, src) : null,
  ]);
}

/** Out-of-place scatter-add: a copy of x plus src's values summed into the indexed positions along dim. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  if (anyHalf(x, src)) return inFloat32([x, src], x.dtype, (w, s) => scatterAdd(w, dim, index, s));
  const d = normalizeDim(dim, x.ndim, "scatterAdd");
  const out = scatterInto("scatterAdd", x, d, index, src, true);
  return record(out, "scatterAdd", [x, src], (g) => [x.requiresGrad ? g : null, src.requiresGrad ? srcGrad(g, d, index, src) : null]);
}

function checkVectorIndex(op: string, x: Tensor, index: Tensor): void {
  checkIndexDType(op, index);
  if (index.ndim > 1) throw new ShapeError(`${op}: index must be 0-D or 1-D, got shape ${formatShape(index.shape)}`);
  if (x.ndim === 0) throw new ShapeError(`${op}: expected a tensor with at least 1 dimension, got shape []`);
}

/** Rows of a [outer, size, inner] layout: the sizes either side of dim. */
function around(shape: readonly number[], d: number): { outer: number; inner: number } {
  return { outer: numel(shape.slice(0, d)), inner: numel(shape.slice(d + 1)) };
}

/** Selects entries `index` along dim (repeats allowed); out.shape[dim] = index.size. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  if (isHalf(x.dtype)) return inFloat32([x], x.dtype, (w) => indexSelect(w, dim, index));
  checkVectorIndex("indexSelect", x, index);
  const d = normalizeDim(dim, x.ndim, "indexSelect");
  const size = x.shape[d] ?? 1;
  const idx = indexValues("indexSelect", index, size, d);
  const shape = [...x.shape];
  shape[d] = idx.length;
  const { outer, inner } = around(x.shape, d);
  const src = x.isContiguous() ? x.storage : x.toTypedArray();
  const so = x.isContiguous() ? x.offset : 0;
  const out = allocate(x.dtype, numel(shape));
  const k = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const from = so + (o * size + (idx[j] as number)) * inner;
      const to = (o * k + j) * inner;
      for (let t = 0; t < inner; t++) out[to + t] = src[from + t] as number;
    }
  }
  const xShape = x.shape;
  return record(new Tensor(out, shape), "indexSelect", [x], (g) => {
    // Accumulate straight into fresh zeros: an embedding table's gradient is allocated once.
    const gx = allocate(g.dtype, numel(xShape));
    addSlices(gx, size, outer, inner, idx, g);
    return [new Tensor(gx, xShape)];
  });
}

/** out[o, idx[j], :] += src[o, j, :] over a contiguous out viewed as [outer, size, inner]. */
function addSlices(out: Storage, size: number, outer: number, inner: number, idx: Int32Array, src: Tensor): void {
  const s = src.isContiguous() ? src.storage : src.toTypedArray();
  const so = src.isContiguous() ? src.offset : 0;
  const k = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const to = (o * size + (idx[j] as number)) * inner;
      const from = so + (o * k + j) * inner;
      for (let t = 0; t < inner; t++) out[to + t] = (out[to + t] as number) + (s[from + t] as number);
    }
  }
}

/**
 * Out-of-place index_add: a copy of x with src's slices added at positions `index` along dim
 * (src.shape[dim] = index.size; repeated indices accumulate). Gradients: x gets g, src gets
 * indexSelect(g).
 */
export function indexAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  if (anyHalf(x, src)) return inFloat32([x, src], x.dtype, (w, s) => indexAdd(w, dim, index, s));
  checkVectorIndex("indexAdd", x, index);
  const d = normalizeDim(dim, x.ndim, "indexAdd");
  const size = x.shape[d] ?? 1;
  const idx = indexValues("indexAdd", index, size, d);
  const k = idx.length;
  const fits = src.ndim === x.ndim && src.shape.every((s, i) => s === (i === d ? k : x.shape[i]));
  if (!fits) {
    throw new ShapeError(`indexAdd: src shape ${formatShape(src.shape)} does not match self shape ${formatShape(x.shape)} with dim ${d} of size ${k}`);
  }
  if (src.dtype !== x.dtype) throw new DTypeError(`indexAdd: src dtype ${src.dtype} does not match self dtype ${x.dtype}`);
  const { outer, inner } = around(x.shape, d);
  const out = x.toTypedArray();
  addSlices(out, size, outer, inner, idx, src);
  return record(new Tensor(out, x.shape), "indexAdd", [x, src], (g) => [
    x.requiresGrad ? g : null,
    src.requiresGrad ? indexSelect(g, d, index) : null,
  ]);
}
