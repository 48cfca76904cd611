/**
 * Reductions over any set of dims, with `keepdim`: sum, mean, var/std (with Bessel's `correction`),
 * max/min (values and indices), argmax/argmin, amax/amin, logsumexp. Each reduction moves the reduced
 * dims to the end, makes that contiguous, and reduces rows of length `inner`.
 */
import { IndexError, ValueError, formatShape } from "../errors.js";
import { type DType, type Storage, allocate, isFloating, isHalf } from "../tensor/dtype.js";
import { autocastFloat32, autocasting, inFloat32 } from "./half.js";
import { normalizeDims } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";
import { expand, permute, reshape } from "./views.js";
import { div, mul, sub } from "./arithmetic.js";
import { exp, sqrt as sqrtOf } from "./unary.js";
import { noGrad } from "../autograd/grad-mode.js";
import { getBackend } from "../backend/index.js";
import { sumRows } from "../backend/reference/elementwise.js";

interface Rows {
  data: Storage;
  outer: number;
  inner: number;
  /** Result shape without the reduced dims. */
  shape: number[];
  /** Result shape with size-1 reduced dims (keepdim). */
  keepShape: number[];
}

function toRows(x: Tensor, reduceDims: number[], op: string): Rows {
  // A 0-d tensor accepts dim 0 (PyTorch); there is nothing to move or reduce.
  const dims = reduceDims.filter((d) => d < x.ndim);
  for (const d of dims) {
    if ((x.shape[d] ?? 1) === 0 && (op === "max" || op === "min" || op === "argmax" || op === "argmin" || op === "amax" || op === "amin")) {
      throw new IndexError(`${op}: cannot reduce over a dimension of size 0 (shape ${formatShape(x.shape)})`);
    }
  }
  const keep = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const inner = dims.reduce((p, d) => p * (x.shape[d] ?? 1), 1);
  const outer = keep.reduce((p, d) => p * (x.shape[d] ?? 1), 1);
  const moved = dims.length === 0 || dims.every((d, i) => d === x.ndim - dims.length + i) ? x : noGrad(() => permute(x, [...keep, ...dims]));
  const data = moved.isContiguous() ? moved.storage.subarray(moved.offset, moved.offset + moved.size) : moved.toTypedArray();
  return {
    data,
    outer,
    inner,
    shape: keep.map((d) => x.shape[d] ?? 1),
    keepShape: x.shape.map((s, i) => (dims.includes(i) ? 1 : s)),
  };
}

function resultShape(r: Rows, keepdim: boolean): number[] {
  return keepdim ? r.keepShape : r.shape;
}

/** Gradient of a reduction result, broadcast back over the reduced dims of x. */
function spread(g: Tensor, r: Rows, xShape: readonly number[]): Tensor {
  return expand(reshape(g, r.keepShape), xShape);
}

/** Dimensions to reduce: one, or a list (negative counts from the end). */
export type Dims = number | readonly number[];

/**
 * Sum of all elements, or along `dim`, keeping it as size 1 when `keepdim`.
 * @example
 * ```ts
 * import { tensor, ops } from "loom";
 * ops.sum(tensor([[1, 2], [3, 4]]), 1); // tensor([3, 7])
 * ```
 */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (isHalf(x.dtype)) return autocasting() ? sum(autocastFloat32(x), dim, keepdim) : inFloat32([x], x.dtype, (w) => sum(w, dim, keepdim));
  const dims = normalizeDims(dim, x.ndim, "sum");
  const r = toRows(x, dims, "sum");
  const dtype: DType = isFloating(x.dtype) ? x.dtype : "int32";
  const out = allocate(dtype, r.outer);
  const { data, inner, outer } = r;
  // float32 sums run on the backend (SIMD for large inputs); others on the reference loops.
  if (out instanceof Float32Array && data instanceof Float32Array) {
    if (outer === 1) out[0] = getBackend().sum(data.length === inner ? data : data.subarray(0, inner));
    else getBackend().sumRows(out, data, outer, inner);
  } else sumRows(out, data, outer, inner);
  return record(new Tensor(out, resultShape(r, keepdim)), "sum", [x], (g) => [spread(g, r, x.shape)]);
}

/** Mean of all elements, or along `dim`. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (isHalf(x.dtype)) return autocasting() ? mean(autocastFloat32(x), dim, keepdim) : inFloat32([x], x.dtype, (w) => mean(w, dim, keepdim));
  const dims = normalizeDims(dim, x.ndim, "mean");
  const count = dims.reduce((p, d) => p * (x.shape[d] ?? 1), 1);
  const src = isFloating(x.dtype) ? x : new Tensor(Float32Array.from(x.toTypedArray()), x.shape);
  return div(sum(src, dims, keepdim), count);
}

/** Options of `var` and `std`: the correction (1: Bessel's, the sample estimate; 0: the population) and `keepdim`. */
export interface VarOptions {
  /** Subtracted from the count in the denominator: 1 (Bessel, the default) or 0 (population). */
  correction?: number;
  keepdim?: boolean;
}

/** Variance Σ(x−x̄)²/(N−correction). */
export function variance(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  if (isHalf(x.dtype)) return autocasting() ? variance(autocastFloat32(x), dim, options) : inFloat32([x], x.dtype, (w) => variance(w, dim, options));
  const dims = normalizeDims(dim, x.ndim, "var");
  const correction = options.correction ?? 1;
  const count = dims.reduce((p, d) => p * (x.shape[d] ?? 1), 1);
  const centered = sub(x, mean(x, dims, true));
  return div(sum(mul(centered, centered), dims, options.keepdim ?? false), Math.max(0, count - correction));
}

/** Standard deviation: the square root of `var`. */
export function std(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  return sqrtOf(variance(x, dim, options));
}


/** The values and their indices, as `max(x, dim)` and `min(x, dim)` return them. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

function extremum(x: Tensor, dim: number, keepdim: boolean, isMax: boolean, name: string): ValuesIndices {
  if (isHalf(x.dtype)) {
    // Values are exact in half (a max picks an element), so widening and rounding back loses nothing.
    let indices: Tensor | null = null;
    const values = inFloat32([x], x.dtype, (w) => {
      const r = extremum(w, dim, keepdim, isMax, name);
      indices = r.indices;
      return r.values;
    });
    return { values, indices: indices as unknown as Tensor };
  }
  const dims = normalizeDims(dim, x.ndim, name);
  const r = toRows(x, dims, name);
  const values = allocate(x.dtype, r.outer);
  const indices = new Int32Array(r.outer);
  const { data, inner } = r;
  for (let o = 0; o < r.outer; o++) {
    const base = o * inner;
    let best = data[base] as number;
    let bi = 0;
    for (let i = 1; i < inner; i++) {
      const v = data[base + i] as number;
      // NaN propagates, as in PyTorch: the first NaN wins.
      if (Number.isNaN(best)) break;
      if (Number.isNaN(v) || (isMax ? v > best : v < best)) {
        best = v;
        bi = i;
      }
    }
    values[o] = best;
    indices[o] = bi;
  }
  const shape = resultShape(r, keepdim);
  const idx = new Tensor(indices, shape);
  const d = dims[0] as number;
  const valuesT = record(new Tensor(values, shape), name, [x], (g) => {
    // Scatter g to the selected index of each row.
    const gx = allocate(g.dtype, x.size);
    const gd = g.toTypedArray();
    const strideD = x.shape.slice(d + 1).reduce((p, s) => p * s, 1);
    const sizeD = x.shape[d] ?? 1;
    for (let o = 0; o < r.outer; o++) {
      const outerIdx = Math.floor(o / strideD);
      const innerIdx = o % strideD;
      gx[(outerIdx * sizeD + (indices[o] as number)) * strideD + innerIdx] = gd[o] as number;
    }
    return [new Tensor(gx, x.shape)];
  });
  return { values: valuesT, indices: idx };
}

/** Max over all elements (a 0-d tensor), or over `dim` as { values, indices }. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return amax(x);
  return extremum(x, dim, keepdim, true, "max");
}

/** The smallest element (a scalar), or with `dim` the smallest along it and where it is. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return amin(x);
  return extremum(x, dim, keepdim, false, "min");
}

/** Indices (int32) of the maximum along dim, or into the flattened tensor when dim is omitted. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return extremum(reshape(x, [-1]), 0, false, true, "argmax").indices;
  return extremum(x, dim, keepdim, true, "argmax").indices;
}

/** Index of the smallest element, flat or along `dim`. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return extremum(reshape(x, [-1]), 0, false, false, "argmin").indices;
  return extremum(x, dim, keepdim, false, "argmin").indices;
}

/** Max over dims; ties share the gradient evenly (PyTorch's amax rule). */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return amaxmin(x, dim, keepdim, true);
}

/** The smallest values along `dims` (no indices); gradient shared evenly among ties. */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return amaxmin(x, dim, keepdim, false);
}

function amaxmin(x: Tensor, dim: Dims | undefined, keepdim: boolean, isMax: boolean): Tensor {
  if (isHalf(x.dtype)) return inFloat32([x], x.dtype, (w) => amaxmin(w, dim, keepdim, isMax));
  const name = isMax ? "amax" : "amin";
  const dims = normalizeDims(dim, x.ndim, name);
  const r = toRows(x, dims, name);
  const out = allocate(x.dtype, r.outer);
  const { data, inner } = r;
  for (let o = 0; o < r.outer; o++) {
    const base = o * inner;
    let best = data[base] as number;
    for (let i = 1; i < inner && !Number.isNaN(best); i++) {
      const v = data[base + i] as number;
      if (Number.isNaN(v) || (isMax ? v > best : v < best)) best = v;
    }
    out[o] = best;
  }
  const result = new Tensor(out, resultShape(r, keepdim));
  return record(result, name, [x], (g) => {
    const m = spread(result.detach(), r, x.shape);
    const mask = eqMask(x, m);
    const count = sum(mask, dims, true);
    return [div(mul(spread(g, r, x.shape), mask), count)];
  });
}

function eqMask(x: Tensor, m: Tensor): Tensor {
  const a = x.toTypedArray();
  const b = m.toTypedArray();
  const out = allocate(isFloating(x.dtype) ? x.dtype : "float32", a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] === b[i] ? 1 : 0;
  return new Tensor(out, x.shape);
}

/** log Σ exp(x) over dims, computed as m + log Σ exp(x − m) with m the max, so it cannot overflow. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  if (isHalf(x.dtype)) return autocasting() ? logsumexp(autocastFloat32(x), dim, keepdim) : inFloat32([x], x.dtype, (w) => logsumexp(w, dim, keepdim));
  const dims = normalizeDims(dim, x.ndim, "logsumexp");
  if (!isFloating(x.dtype)) throw new ValueError(`logsumexp: expected a floating-point tensor, got ${x.dtype}`);
  const r = toRows(x, dims, "logsumexp");
  const out = allocate(x.dtype, r.outer);
  const { data, inner } = r;
  for (let o = 0; o < r.outer; o++) {
    const base = o * inner;
    let m = -Infinity;
    for (let i = 0; i < inner; i++) m = Math.max(m, data[base + i] as number);
    if (m === -Infinity || !Number.isFinite(m)) {
      out[o] = m;
      continue;
    }
    let s = 0;
    for (let i = 0; i < inner; i++) s += Math.exp((data[base + i] as number) - m);
    out[o] = m + Math.log(s);
  }
  const result = new Tensor(out, resultShape(r, keepdim));
  // d/dx logsumexp = softmax(x) = exp(x − lse)
  return record(result, "logsumexp", [x], (g) => [mul(spread(g, r, x.shape), exp(sub(x, spread(result.detach(), r, x.shape))))]);
}
