/**
 * layerNorm as one fused differentiable op over the reference kernel (backend/reference/layernorm.ts):
 * y = (x − mean)/√(var + ε)·w + b over the trailing `normalizedShape` dims, with the biased variance
 * and ε inside the sqrt, as torch.nn.functional.layer_norm.
 */
import { getBackend, type FloatArray } from "../../backend/index.js";
import { record } from "../../ops/index.js";
import { type HalfDType, allocate, allocateUninitialized, convertStorage } from "../../tensor/dtype.js";
import { anyHalf, autocastFloat32, autocasting, halfBits, inFloat32 } from "../../ops/half.js";
import { isHalf } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { type NormalizedShape, checkAffine, floatData, normalizedShapeOf, rowsAndCols } from "./rows.js";

/**
 * Layer normalisation over the last dimensions: (x − mean)/√(var + eps)·weight + bias, eps inside the square root as in PyTorch.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: NormalizedShape,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  if (autocasting() && isHalf(x.dtype)) return layerNorm(autocastFloat32(x), normalizedShape, weight, bias, eps); // autocast: float32 op
  // Half input (or affine): float32 statistics and arithmetic, the output in the input's dtype — on the
  // backend's half kernels where all are one half dtype, else on float32 copies.
  if (anyHalf(x, weight, bias)) return halfLayerNorm(x, normalizedShape, weight, bias, eps) ?? inFloat32([x, weight, bias], x.dtype, (xw, ww, bw) => layerNorm(xw as Tensor, normalizedShape, ww, bw, eps));
  const shape = normalizedShapeOf(normalizedShape);
  const { rows, cols } = rowsAndCols(x, shape, "layerNorm");
  checkAffine(weight, shape, x, "layerNorm weight");
  checkAffine(bias, shape, x, "layerNorm bias");
  const xs = floatData(x);
  const ws = weight ? floatData(weight) : null;
  const bs = bias ? floatData(bias) : null;
  const out = allocateUninitialized(x.dtype, x.size) as FloatArray;
  // Statistics in the input's dtype so a float32 backend kernel can take the whole call.
  const mean = allocate(x.dtype, rows) as FloatArray;
  const rstd = allocate(x.dtype, rows) as FloatArray;
  getBackend().layerNormForward(out, mean, rstd, xs, ws, bs, rows, cols, eps);

  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return record(new Tensor(out, x.shape), "layerNorm", inputs, (g) => {
    const dy = floatData(g);
    const dx = x.requiresGrad ? (allocateUninitialized(x.dtype, x.size) as FloatArray) : null;
    const dw = weight?.requiresGrad ? (allocate(x.dtype, cols) as FloatArray) : null;
    const db = bias?.requiresGrad ? (allocate(x.dtype, cols) as FloatArray) : null;
    getBackend().layerNormBackward(dx, dw, db, dy, xs, mean, rstd, ws, rows, cols);
    const grads: (Tensor | null)[] = [dx ? new Tensor(dx, x.shape) : null];
    if (weight) grads.push(dw ? new Tensor(dw, shape) : null);
    if (bias) grads.push(db ? new Tensor(db, shape) : null);
    return grads;
  });
}

/**
 * layerNorm of a half x (with weight and bias of its dtype, or none) on the backend's half kernels,
 * which read the half bits in place: the bits `inFloat32` gives (float32 statistics and arithmetic,
 * the output and dx rounded once, dw and db float32 sums rounded once), keeping only x (half), mean
 * and rstd for the backward. null where the backend has no such kernels or the dtypes are mixed.
 */
function halfLayerNorm(x: Tensor, normalizedShape: NormalizedShape, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor | null {
  const be = getBackend();
  const dtype = x.dtype as HalfDType;
  if (!isHalf(dtype) || !be.layerNormForwardHalf || !be.layerNormBackwardHalf) return null;
  if ((weight && weight.dtype !== dtype) || (bias && bias.dtype !== dtype)) return null;
  const shape = normalizedShapeOf(normalizedShape);
  const { rows, cols } = rowsAndCols(x, shape, "layerNorm");
  checkAffine(weight, shape, x, "layerNorm weight");
  checkAffine(bias, shape, x, "layerNorm bias");
  const xs = halfBits(x, dtype);
  const ws = weight ? halfBits(weight, dtype) : null;
  const bs = bias ? halfBits(bias, dtype) : null;
  const out = allocateUninitialized(dtype, x.size); // every row is written
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  be.layerNormForwardHalf(dtype, out as Uint16Array, mean, rstd, xs, ws, bs, rows, cols, eps);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return record(new Tensor(out, x.shape), "layerNorm", inputs, (g) => {
    const dy = halfBits(g, dtype);
    const dx = x.requiresGrad ? allocateUninitialized(dtype, x.size) : null;
    const dw = weight?.requiresGrad ? new Float32Array(cols) : null;
    const db = bias?.requiresGrad ? new Float32Array(cols) : null;
    be.layerNormBackwardHalf?.(dtype, dx as Uint16Array | null, dw, db, dy, xs, mean, rstd, ws, rows, cols);
    const narrow = (d: Float32Array | null): Tensor | null => (d ? new Tensor(convertStorage(d, "float32", dtype), shape) : null);
    const grads: (Tensor | null)[] = [dx ? new Tensor(dx, x.shape) : null];
    if (weight) grads.push(narrow(dw));
    if (bias) grads.push(narrow(db));
    return grads;
  });
}
