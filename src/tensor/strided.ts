/**
 * Row-wise walks over strided views, for the copies and accumulations that layout changes need
 * (contiguous copies of permuted views, gradient sums). Adjacent dims that are laid out as one are
 * merged first, so a view that is contiguous in its last k dims is handled as rows of that length, and
 * rows with unit stride move with `TypedArray.set` (a memcpy) instead of an element loop.
 */
import type { Storage } from "./dtype.js";
import { contiguousStrides } from "./shape.js";

/** A view reduced to the fewest dims with the same element order: sizes and strides, outermost first. */
interface CollapsedView {
  shape: number[];
  strides: number[];
}

/** Drops size-1 dims and merges dims d, d+1 where stride[d] = stride[d+1]·shape[d+1]. */
function collapse(shape: readonly number[], strides: readonly number[]): CollapsedView {
  const outShape: number[] = [];
  const outStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d] as number;
    const stride = strides[d] as number;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && outStrides[last] === stride * size) {
      outShape[last] = (outShape[last] as number) * size;
      outStrides[last] = stride;
    } else {
      outShape.push(size);
      outStrides.push(stride);
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: [1] };
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `row(srcStart, rowLength, srcStride, outStart)` for each innermost row of the view, where
 * outStart is the row's position in row-major (contiguous) order.
 */
function forEachRow(
  shape: readonly number[], strides: readonly number[], offset: number,
  row: (srcStart: number, length: number, stride: number, outStart: number) => void,
): void {
  const v = collapse(shape, strides);
  const nd = v.shape.length;
  const len = v.shape[nd - 1] as number;
  const stride = v.strides[nd - 1] as number;
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= v.shape[d] as number;
  const index = new Array<number>(nd).fill(0);
  let base = offset;
  for (let r = 0; r < rows; r++) {
    row(base, len, stride, r * len);
    for (let d = nd - 2; d >= 0; d--) {
      const size = v.shape[d] as number;
      const s = v.strides[d] as number;
      index[d] = (index[d] as number) + 1;
      base += s;
      if ((index[d] as number) < size) break;
      base -= s * size;
      index[d] = 0;
    }
  }
}

/** Rows at least this long move with `set`; shorter ones are cheaper as a loop than a subarray view. */
const SET_MIN_LENGTH = 16;

/**
 * out[outOffset + i] = the i-th element (row-major) of the view (shape, strides, offset) of src, for
 * every element; values convert to out's type as a typed-array store does.
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
  forEachRow(shape, strides, offset, (start, length, stride, at) => {
    for (let j = 0, s = start; j < length; j++, s += stride) dst[at + j] = (dst[at + j] as number) + (src[s] as number);
  });
}

/** out[i] = a[i] + the i-th element of the view of src, for every element; out and a are contiguous. */
export function sumStrided(
  out: Storage, a: Storage, src: Storage, shape: readonly number[], strides: readonly number[], offset: number,
): void {
  forEachRow(shape, strides, offset, (start, length, stride, at) => {
    for (let j = 0, s = start; j < length; j++, s += stride) out[at + j] = (a[at + j] as number) + (src[s] as number);
  });
}

/**
 * dst view ← src view, element by element in row-major order of `shape` (both views have that shape,
 * each with its own strides and offset). Dims are merged where both views allow it, and rows with unit
 * stride on both sides move with `set`.
 */
export function copyView(
  dst: Storage, dstStrides: readonly number[], dstOffset: number,
  src: Storage, srcStrides: readonly number[], srcOffset: number, shape: readonly number[],
): void {
  // Joint collapse: drop size-1 dims; merge d into the previous dim when both views allow it.
  const sizes: number[] = [];
  const ds: number[] = [];
  const ss: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d] as number;
    if (size === 0) return;
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
  if (sizes.length === 0) {
    dst[dstOffset] = src[srcOffset] as number;
    return;
  }
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
    if (dStep === 1 && sStep === 1 && len >= SET_MIN_LENGTH) {
      dst.set(src.subarray(sBase, sBase + len), dBase);
    } else {
      for (let j = 0, o = dBase, s = sBase; j < len; j++, o += dStep, s += sStep) dst[o] = src[s] as number;
    }
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
