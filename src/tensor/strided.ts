/**
 * Row-wise walks over strided views, for the copies and accumulations that layout changes need
 * (contiguous copies of permuted views, writes into views, gradient sums). A destination and a source
 * of the same shape are walked together; adjacent dims that both lay out as one are merged first, so
 * views contiguous in their last k dims are handled as rows of that length, and rows with unit stride on
 * both sides move with `TypedArray.set` (a memcpy) instead of an element loop.
 */
import type { Storage } from "./dtype.js";
import { getBackend } from "../backend/index.js";
import { contiguousStrides } from "./shape.js";

/** Merged dims of two views: sizes (the last the row) and each view's strides. */
interface MergedDims {
  sizes: number[];
  ds: number[];
  ss: number[];
}

/**
 * The dims of two views of `shape` (destination and source strides) with size-1 dims dropped and dims
 * d, d+1 merged wherever both views have stride[d] = stride[d+1]·shape[d+1]: the last merged dim is
 * the row. null when the shape has no elements.
 */
function mergeDims(
  shape: readonly number[], dstStrides: readonly number[], srcStrides: readonly number[],
): MergedDims | null {
  const sizes: number[] = [];
  const ds: number[] = [];
  const ss: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d] as number;
    if (size === 0) return null;
    if (size === 1) continue;
    const a = dstStrides[d] as number;
    const b = srcStrides[d] as number;
    const last = sizes.length - 1;
    if (last >= 0 && ds[last] === a * size && ss[last] === b * size) {
      sizes[last] = (sizes[last] as number) * size;
      ds[last] = a;
      ss[last] = b;
    } else {
      sizes.push(size);
      ds.push(a);
      ss.push(b);
    }
  }
  if (sizes.length === 0) return { sizes: [1], ds: [1], ss: [1] };
  return { sizes, ds, ss };
}

/**
 * Calls `row(dstStart, srcStart, length, dstStep, srcStep)` for each innermost row of two views of
 * `shape` (destination strides/offset and source strides/offset), in row-major order, over the merged
 * dims of `mergeDims`.
 */
function forEachRowPair(
  merged: MergedDims, dstOffset: number, srcOffset: number,
  row: (dstStart: number, srcStart: number, length: number, dstStep: number, srcStep: number) => void,
): void {
  const { sizes, ds, ss } = merged;
  const nd = sizes.length;
  const len = sizes[nd - 1] as number;
  const dStep = ds[nd - 1] as number;
  const sStep = ss[nd - 1] as number;
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= sizes[d] as number;
  const index = new Array<number>(nd).fill(0);
  let dBase = dstOffset;
  let sBase = srcOffset;
  for (let r = 0; r < rows; r++) {
    row(dBase, sBase, len, dStep, sStep);
    for (let d = nd - 2; d >= 0; d--) {
      const size = sizes[d] as number;
      index[d] = (index[d] as number) + 1;
      dBase += ds[d] as number;
      sBase += ss[d] as number;
      if ((index[d] as number) < size) break;
      dBase -= (ds[d] as number) * size;
      sBase -= (ss[d] as number) * size;
      index[d] = 0;
    }
  }
}

/**
 * Copies of at least this many elements in more than one row go to the backend's strided copy where
 * it has one: a JS walk pays a subarray and a call per row (~0.4 ms for a TINY head merge of 8,192
 * rows of 32), one native loop a memcpy per row.
 */
const NATIVE_COPY_MIN = 4096;

/** Rows at least this long move with `set`; shorter ones are cheaper as a loop than a subarray view. */
const SET_MIN_LENGTH = 16;

/**
 * dst view ← src view, element by element in row-major order of `shape` (both views have that shape,
 * each with its own strides and offset); values convert to dst's type as a typed-array store does.
 */
export function copyView(
  dst: Storage, dstStrides: readonly number[], dstOffset: number,
  src: Storage, srcStrides: readonly number[], srcOffset: number, shape: readonly number[],
): void {
  const merged = mergeDims(shape, dstStrides, srcStrides);
  if (merged === null) return;
  const { sizes } = merged;
  if (sizes.length > 1 && sizes.reduce((p, d) => p * d, 1) >= NATIVE_COPY_MIN) {
    const be = getBackend();
    if (be.copyStrided?.(dst, src, sizes, merged.ds, merged.ss, dstOffset, srcOffset)) return;
  }
  forEachRowPair(merged, dstOffset, srcOffset, (o, s, length, dStep, sStep) => {
    if (dStep === 1 && sStep === 1 && length >= SET_MIN_LENGTH) {
      dst.set(src.subarray(s, s + length), o);
    } else {
      for (let j = 0; j < length; j++, o += dStep, s += sStep) dst[o] = src[s] as number;
    }
  });
}

/**
 * out[outOffset + i] = the i-th element (row-major) of the view (shape, strides, offset) of src, for
 * every element.
 */
export function copyStrided(
  out: Storage, outOffset: number, src: Storage, shape: readonly number[], strides: readonly number[], offset: number,
): void {
  copyView(out, contiguousStrides(shape), outOffset, src, strides, offset, shape);
}

/** dst[i] += the i-th element (row-major) of the view of src, for every element; dst is contiguous. */
export function addStrided(
  dst: Storage, src: Storage, shape: readonly number[], strides: readonly number[], offset: number,
): void {
  const merged = mergeDims(shape, contiguousStrides(shape), strides);
  if (merged === null) return;
  forEachRowPair(merged, 0, offset, (o, s, length, dStep, sStep) => {
    for (let j = 0; j < length; j++, o += dStep, s += sStep) dst[o] = (dst[o] as number) + (src[s] as number);
  });
}

/** out[i] = a[i] + the i-th element of the view of src, for every element; out and a are contiguous. */
export function sumStrided(
  out: Storage, a: Storage, src: Storage, shape: readonly number[], strides: readonly number[], offset: number,
): void {
  const merged = mergeDims(shape, contiguousStrides(shape), strides);
  if (merged === null) return;
  forEachRowPair(merged, 0, offset, (o, s, length, dStep, sStep) => {
    for (let j = 0; j < length; j++, o += dStep, s += sStep) out[o] = (a[o] as number) + (src[s] as number);
  });
}
