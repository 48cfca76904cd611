/**
 * dtype conversion. Float→float is differentiable (the gradient is cast back); to int/bool truncates
 * toward zero. To float16/bfloat16 rounds to nearest even, bit-exact with PyTorch (tensor/dtype.ts
 * `convertStorage`, io/half.ts).
 */
import { type DType, checkDType, convertStorage, isFloatingPoint } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";

/** The tensor converted to `dtype` (itself if it already has it); gradients flow back through float casts. */
export function to(x: Tensor, dtype: DType): Tensor {
  checkDType(dtype, "to");
  if (x.dtype === dtype) return x;
  const result = new Tensor(convertStorage(x.contiguousValues(), x.dtype, dtype), x.shape);
  if (!isFloatingPoint(dtype) || !isFloatingPoint(x.dtype)) return result;
  const from = x.dtype;
  return record(result, "to", [x], (g) => [to(g, from)]);
}
