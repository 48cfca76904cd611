/** dtype conversion. Float→float is differentiable (the gradient is cast back); to int/bool truncates toward zero. */
import { type DType, allocate, isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";

/** The tensor converted to `dtype` (itself if it already has it); gradients flow back through float casts. */
export function to(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const src = x.toTypedArray();
  const out = allocate(dtype, src.length);
  if (dtype === "bool") for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  else if (dtype === "int32") for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i] ?? 0);
  else for (let i = 0; i < src.length; i++) out[i] = src[i] ?? 0;
  const result = new Tensor(out, x.shape);
  if (!isFloating(dtype) || !isFloating(x.dtype)) return result;
  const from = x.dtype;
  return record(result, "to", [x], (g) => [to(g, from)]);
}
