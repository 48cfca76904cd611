/** softmax and logSoftmax along a dim, as fused row kernels of the active backend (see backend/reference/softmax.ts). */
import { getBackend, type FloatArray } from "../backend/index.js";
import { DTypeError } from "../errors.js";
import { type HalfDType, allocateUninitialized, isFloating, isHalf } from "../tensor/dtype.js";
import { autocastFloat32, autocasting, halfBits, inFloat32 } from "./half.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../autograd/grad-mode.js";
import { record } from "./record.js";
import { transpose } from "./views.js";

function rowwise(x: Tensor, dim: number, log: boolean): Tensor {
  const name = log ? "logSoftmax" : "softmax";
  if (isHalf(x.dtype)) {
    if (autocasting()) return rowwise(autocastFloat32(x), dim, log); // autocast: softmax is a float32 op
    return halfRowwise(x, dim, log) ?? inFloat32([x], x.dtype, (w) => rowwise(w, dim, log));
  }
  if (!isFloating(x.dtype)) throw new DTypeError(`${name}: expected a floating-point tensor, got ${x.dtype}`);
  const d = normalizeDim(dim, x.ndim, name);
  if (x.ndim > 0 && d !== x.ndim - 1) {
    // Move dim last, compute, move back (the result is a transposed view).
    const moved = transpose(x, d, -1);
    return transpose(rowwise(moved, -1, log), d, -1);
  }
  const cols = x.ndim === 0 ? 1 : (x.shape[x.ndim - 1] ?? 1);
  const rows = cols === 0 ? 0 : x.size / cols;
  const input = x.contiguousValues() as FloatArray;
  const out = allocateUninitialized(x.dtype, x.size) as FloatArray;
  getBackend().softmaxForward(out, input, rows, cols, log);
  return record(new Tensor(out, x.shape), name, [x], (g) => {
    const dy = noGrad(() => g.contiguousValues()) as FloatArray;
    const dx = allocateUninitialized(x.dtype, x.size) as FloatArray;
    getBackend().softmaxBackward(dx, dy, out, rows, cols, log);
    return [new Tensor(dx, x.shape)];
  });
}

/**
 * softmax/logSoftmax of a half tensor along its last dim on the backend's half kernels, which read the
 * half bits in place: the bits `inFloat32` gives (the float32 op's output and gradient, each rounded
 * once). The backward recomputes the float32 output from x instead of keeping a float32 copy of it.
 * null where the backend has no such kernels or dim is not the last (the caller then widens).
 */
function halfRowwise(x: Tensor, dim: number, log: boolean): Tensor | null {
  const be = getBackend();
  const dtype = x.dtype as HalfDType;
  const name = log ? "logSoftmax" : "softmax";
  if (!be.softmaxForwardHalf || !be.softmaxBackwardHalf || x.ndim === 0 || normalizeDim(dim, x.ndim, name) !== x.ndim - 1) return null;
  const cols = x.shape[x.ndim - 1] ?? 1;
  const rows = cols === 0 ? 0 : x.size / cols;
  const input = x.contiguousValues() as Uint16Array;
  const out = allocateUninitialized(dtype, x.size);
  be.softmaxForwardHalf(dtype, out as Uint16Array, input, rows, cols, log);
  return record(new Tensor(out, x.shape), name, [x], (g) => {
    const dy = halfBits(g, dtype);
    const dx = allocateUninitialized(dtype, x.size);
    be.softmaxBackwardHalf?.(dtype, dx as Uint16Array, dy, input, rows, cols, log);
    return [new Tensor(dx, x.shape)];
  });
}

/** softmax(x)_i = exp(x_i) / Σ_j exp(x_j) along dim (default the last). */
export function softmax(x: Tensor, dim = -1): Tensor {
  return rowwise(x, dim, false);
}

/** log softmax along dim, computed stably as x − logsumexp(x). */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return rowwise(x, dim, true);
}
