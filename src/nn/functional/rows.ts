/** Shared plumbing of the fused row-wise normalisation ops (layerNorm, rmsNorm). */
import type { FloatArray } from "../../backend/index.js";
import { DTypeError, ShapeError, formatShape } from "../../errors.js";
import { isFloatingPoint } from "../../tensor/dtype.js";
import { numel } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** A normalised shape as PyTorch takes it: one size (the last dim) or the trailing sizes. */
export type NormalizedShape = number | readonly number[];

export function normalizedShapeOf(shape: NormalizedShape): number[] {
  return typeof shape === "number" ? [shape] : [...shape];
}

/**
 * Checks that x ends in `normalizedShape` and returns how x splits into rows × cols, where cols is
 * the number of elements normalised together.
 */
export function rowsAndCols(x: Tensor, normalizedShape: readonly number[], op: string): { rows: number; cols: number } {
  if (!isFloatingPoint(x.dtype)) throw new DTypeError(`${op}: expected a floating-point input, got ${x.dtype}`);
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new ShapeError(`${op}: input of shape ${formatShape(x.shape)} does not end in normalized shape ${formatShape(normalizedShape)}`);
  }
  const cols = numel(normalizedShape);
  return { rows: cols === 0 ? 0 : x.size / cols, cols };
}

/** Checks an affine parameter (weight or bias) against the normalised shape and the input dtype. */
export function checkAffine(t: Tensor | null, normalizedShape: readonly number[], x: Tensor, what: string): void {
  if (t === null) return;
  if (t.shape.length !== normalizedShape.length || t.shape.some((d, i) => d !== normalizedShape[i])) {
    throw new ShapeError(`${what}: expected shape ${formatShape(normalizedShape)}, got ${formatShape(t.shape)}`);
  }
  if (t.dtype !== x.dtype) throw new DTypeError(`${what}: dtype ${t.dtype} differs from the input's ${x.dtype}`);
}

/** The elements of t as a contiguous float array (no copy when t already is one, from offset 0). */
export function floatData(t: Tensor): FloatArray {
  if (t.isContiguous() && t.offset === 0 && t.storage.length === t.size) return t.storage as FloatArray;
  return t.toTypedArray() as FloatArray;
}
