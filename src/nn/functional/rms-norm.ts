/**
 * rmsNorm as one fused differentiable op over the active backend's kernel (specified by
 * backend/reference/rmsnorm.ts): y = x/√(mean(x²) + ε)·w over the trailing `normalizedShape` dims, as
 * torch.nn.functional.rms_norm.
 */
import { getBackend, type FloatArray } from "../../backend/index.js";
import { record } from "../../ops/index.js";
import { type DType, allocate } from "../../tensor/dtype.js";
import { anyHalf, autocastFloat32, autocasting, inFloat32 } from "../../ops/half.js";
import { isHalf } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { type NormalizedShape, checkAffine, floatData, normalizedShapeOf, rowsAndCols } from "./rows.js";

/** Machine epsilon of a float dtype: PyTorch's RMSNorm default ε (`torch.finfo(dtype).eps`). */
export function machineEpsilon(dtype: DType): number {
  const eps: Partial<Record<DType, number>> = { float32: 2 ** -23, float16: 2 ** -10, bfloat16: 2 ** -7 };
  return eps[dtype] ?? Number.EPSILON;
}

/** ε defaults to the machine epsilon of x's dtype, as PyTorch's `eps=None`. */
export function rmsNorm(x: Tensor, normalizedShape: NormalizedShape, weight: Tensor | null = null, eps?: number): Tensor {
  if (autocasting() && isHalf(x.dtype)) return rmsNorm(autocastFloat32(x), normalizedShape, weight, eps); // autocast: float32 op
  // Half input: float32 inside with the input's own epsilon (PyTorch's default for eps = None), output in x's dtype.
  if (anyHalf(x, weight)) return inFloat32([x, weight], x.dtype, (xw, ww) => rmsNorm(xw as Tensor, normalizedShape, ww, eps ?? machineEpsilon(x.dtype)));
  const shape = normalizedShapeOf(normalizedShape);
  const { rows, cols } = rowsAndCols(x, shape, "rmsNorm");
  checkAffine(weight, shape, x, "rmsNorm weight");
  const e = eps ?? machineEpsilon(x.dtype);
  const xs = floatData(x);
  const ws = weight ? floatData(weight) : null;
  const out = allocate(x.dtype, x.size) as FloatArray;
  // The saved 1/rms in the input's dtype so a float32 backend kernel can take the whole call.
  const rrms = allocate(x.dtype, rows) as FloatArray;
  getBackend().rmsNormForward(out, rrms, xs, ws, rows, cols, e);

  const inputs = weight ? [x, weight] : [x];
  return record(new Tensor(out, x.shape), "rmsNorm", inputs, (g) => {
    const dy = floatData(g);
    const dx = x.requiresGrad ? (allocate(x.dtype, x.size) as FloatArray) : null;
    const dw = weight?.requiresGrad ? (allocate(x.dtype, cols) as FloatArray) : null;
    getBackend().rmsNormBackward(dx, dw, dy, xs, rrms, ws, rows, cols);
    const grads: (Tensor | null)[] = [dx ? new Tensor(dx, x.shape) : null];
    if (weight) grads.push(dw ? new Tensor(dw, shape) : null);
    return grads;
  });
}
