/**
 * Embedding lookup and its scatter-add gradient over contiguous data, as pure functions over typed
 * arrays (the shape of llm.c's encoder_forward/backward, without the positional part):
 *
 *   forward:   out[i, :] = weight[ids[i], :]                      for i < n
 *   backward:  dWeight[ids[i], :] += dOut[i, :]  for every i with ids[i] ≠ paddingIdx
 *
 * weight and dWeight are [num, dim], out and dOut [n, dim]. Repeated ids accumulate (the gradient of a
 * row is the sum over every position that looked it up); the padding row gets no gradient, as in
 * torch.nn.functional.embedding(padding_idx=…).
 */
import type { FloatArray } from "../backend.js";
import { IndexError } from "../../errors.js";

/** Throws an IndexError naming the op, the position, the id and the vocabulary size for an id outside [0, num). */
export function checkEmbeddingIds(op: string, ids: Int32Array, n: number, num: number): void {
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    if (id < 0 || id >= num) throw new IndexError(`${op}: index ${id} at position ${i} out of range for ${num} embeddings`);
  }
}

/** Writes out[i, :] = weight[ids[i], :] for the first n ids. */
export function embeddingForward(out: FloatArray, weight: FloatArray, ids: Int32Array, n: number, dim: number, num: number): void {
  checkEmbeddingIds("embedding", ids, n, num);
  for (let i = 0; i < n; i++) {
    const src = (ids[i] as number) * dim;
    const dst = i * dim;
    for (let j = 0; j < dim; j++) out[dst + j] = weight[src + j] as number;
  }
}

/** Adds dOut[i, :] into dWeight[ids[i], :] for the first n ids, skipping paddingIdx (null: none). */
export function embeddingBackward(
  dWeight: FloatArray, dOut: FloatArray, ids: Int32Array, n: number, dim: number, num: number, paddingIdx: number | null,
): void {
  checkEmbeddingIds("embedding backward", ids, n, num);
  for (let i = 0; i < n; i++) {
    const row = ids[i] as number;
    if (row === paddingIdx) continue;
    const src = i * dim;
    const dst = row * dim;
    for (let j = 0; j < dim; j++) dWeight[dst + j] = (dWeight[dst + j] as number) + (dOut[src + j] as number);
  }
}
