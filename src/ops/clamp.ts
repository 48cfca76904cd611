/**
 * clamp(x, min?, max?) = min(max(x, min), max). As in PyTorch, the gradient is 1 where
 * min ≤ x ≤ max (bounds included) and 0 outside; when min > max every element becomes max.
 */
import { ValueError } from "../errors.js";
import { type DType, allocate, isFloating, isHalf } from "../tensor/dtype.js";
import { inFloat32 } from "./half.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";

/** Values limited to [min, max] (either bound optional); the gradient is 0 where a bound applied. */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (isHalf(x.dtype)) return inFloat32([x], x.dtype, (w) => clamp(w, min, max));
  if (min === undefined && max === undefined) throw new ValueError("clamp: at least one of min and max must be given");
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw new ValueError(`clamp: bounds must not be NaN, got min ${min} and max ${max}`);
  // An integer tensor clamped by a fraction computes in float32 (PyTorch's type promotion).
  const fractional = (min !== undefined && !Number.isInteger(min)) || (max !== undefined && !Number.isInteger(max));
  const dtype: DType = isFloating(x.dtype) || !fractional ? (x.dtype === "bool" ? "int32" : x.dtype) : "float32";
  const src = x.toTypedArray();
  const out = allocate(dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.min(Math.max(src[i] as number, lo), hi);
  return record(new Tensor(out, x.shape), "clamp", [x], (g) => {
    const gs = g.toTypedArray();
    const gx = allocate(g.dtype, gs.length);
    for (let i = 0; i < gs.length; i++) {
      const v = src[i] as number;
      gx[i] = v >= lo && v <= hi ? (gs[i] as number) : 0;
    }
    return [new Tensor(gx, x.shape)];
  });
}
