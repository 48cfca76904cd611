/**
 * embedding: row lookup weight[ids] with a scatter-add backward (the gradient of a row is the sum of
 * the output gradients of every position that looked it up), as torch.nn.functional.embedding, on the
 * active backend's kernels (specified by backend/reference/embedding.ts).
 * Its own op rather than ops.indexSelect so that the padding row's gradient can be dropped in the
 * same pass, and ids of any shape need no flatten/reshape round trip.
 */
import { getBackend, type FloatArray } from "../../backend/index.js";
import { DTypeError, IndexError, ValueError, formatShape } from "../../errors.js";
import { record } from "../../ops/index.js";
import { allocate, isFloating, isHalf } from "../../tensor/dtype.js";
import { inFloat32 } from "../../ops/half.js";
import { Tensor } from "../../tensor/tensor.js";
import { floatData } from "./rows.js";

/** Options of `embedding`: the padding index, whose row gets no gradient. */
export interface EmbeddingOptions {
  /** Row whose gradient stays zero (a padding token); negative counts from the end, as in PyTorch. */
  paddingIdx?: number | null;
}

/** Normalises a padding index against the number of rows (PyTorch accepts −num ≤ idx < num). */
export function normalizePaddingIdx(paddingIdx: number | null | undefined, num: number): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) {
    throw new ValueError(`embedding: paddingIdx ${paddingIdx} out of range for ${num} embeddings`);
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

/**
 * ids: integer indices of any shape (int32, or a float tensor holding whole numbers); weight:
 * [num, dim]. Returns [...ids.shape, dim].
 */
export function embedding(ids: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (ids.dtype === "bool") throw new DTypeError("embedding: ids must be integers, got bool");
  if (isHalf(weight.dtype)) return inFloat32([weight], weight.dtype, (w) => embedding(ids, w as Tensor, options));
  if (weight.ndim !== 2 || !isFloating(weight.dtype)) {
    throw new DTypeError(`embedding: weight must be a 2-D floating-point tensor, got ${weight.dtype} ${formatShape(weight.shape)}`);
  }
  const num = weight.shape[0] ?? 0;
  const dim = weight.shape[1] ?? 0;
  const padding = normalizePaddingIdx(options.paddingIdx, num);
  const rowsOf = rowIds(ids, num);
  const n = rowsOf.length;
  const w = floatData(weight);
  const out = allocate(weight.dtype, n * dim) as FloatArray;
  getBackend().embeddingForward(out, w, rowsOf, n, dim, num);
  const y = new Tensor(out, [...ids.shape, dim]);
  return record(y, "embedding", [weight], (g) => {
    const gw = allocate(weight.dtype, num * dim) as FloatArray;
    getBackend().embeddingBackward(gw, floatData(g), rowsOf, n, dim, num, padding);
    return [new Tensor(gw, weight.shape)];
  });
}

/**
 * The ids as int32 row numbers. int32 ids pass as they are (the backend kernels check their range);
 * float ids must hold whole numbers in range.
 */
function rowIds(ids: Tensor, num: number): Int32Array {
  const idx = ids.toTypedArray();
  if (idx instanceof Int32Array) return idx;
  const rows = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const id = idx[i] as number;
    if (!Number.isInteger(id) || id < 0 || id >= num) {
      throw new IndexError(`embedding: index ${id} at position ${i} out of range for ${num} embeddings`);
    }
    rows[i] = id;
  }
  return rows;
}
