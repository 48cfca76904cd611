/**
 * Typed-array access to parameters and gradients for the update kernels. Updates write straight into
 * the parameter's storage, so a parameter must be a contiguous floating-point tensor (every leaf made
 * by a factory function is).
 */
import { DTypeError, ShapeError, ValueError, formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { shapesEqual, stridedOffsets } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { FloatArray } from "./state-dict.js";

/** Checks that `p` can be optimised: a floating-point leaf tensor with contiguous storage. */
export function checkParameter(p: Tensor, op: string): void {
  if (!isFloating(p.dtype)) throw new DTypeError(`${op}: can only optimise floating-point tensors, got ${p.dtype}`);
  if (!p.isLeaf) throw new ValueError(`${op}: can't optimise a non-leaf tensor (made by ${p.gradFn?.name ?? "an op"}); use a leaf or detach()`);
  if (!p.isContiguous()) throw new ValueError(`${op}: parameters must be contiguous, got strides [${p.strides.join(",")}]`);
}

/** The parameter's own storage, as a view of its elements (writes go into the tensor). */
export function parameterData(p: Tensor): FloatArray {
  return (p.storage as FloatArray).subarray(p.offset, p.offset + p.size);
}

/** The gradient's elements in row-major order (a view when contiguous, else a copy), or null when there is none. */
export function gradientData(p: Tensor, op: string): FloatArray | null {
  const g = p.grad;
  if (g === null) return null;
  if (!shapesEqual(g.shape, p.shape)) {
    throw new ShapeError(`${op}: gradient shape ${formatShape(g.shape)} does not match parameter shape ${formatShape(p.shape)}`);
  }
  if (!isFloating(g.dtype)) throw new DTypeError(`${op}: gradients must be floating point, got ${g.dtype}`);
  if (g.isContiguous()) return (g.storage as FloatArray).subarray(g.offset, g.offset + g.size);
  return g.toTypedArray() as FloatArray;
}

/** Multiplies every element of `t` by `factor`, in place, whatever its strides. */
export function scaleInPlace(t: Tensor, factor: number): void {
  const s = t.storage;
  if (t.isContiguous()) {
    for (let i = t.offset, end = t.offset + t.size; i < end; i++) s[i] *= factor;
    return;
  }
  for (const o of stridedOffsets(t.shape, t.strides, t.offset)) s[o] *= factor;
}

/** Clamps every element of `t` into [lo, hi], in place, whatever its strides (NaN stays NaN). */
export function clampInPlace(t: Tensor, lo: number, hi: number): void {
  const s = t.storage;
  const offsets = t.isContiguous() ? null : stridedOffsets(t.shape, t.strides, t.offset);
  for (let k = 0, n = t.size; k < n; k++) {
    const i = offsets === null ? t.offset + k : offsets[k];
    const v = s[i];
    if (v < lo) s[i] = lo;
    else if (v > hi) s[i] = hi;
  }
}
