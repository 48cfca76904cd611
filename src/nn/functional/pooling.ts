/**
 * Sentence embeddings from token states: the masked mean (sentence-transformers' mean pooling) and
 * the cosine similarity that compares them (torch.nn.functional.cosine_similarity).
 */
import { ShapeError, formatShape } from "../../errors.js";
import { clamp, div, mul, sqrt, sum, to, unsqueeze } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";

/**
 * mean over the real tokens: Σ_t m_t·h_t / max(Σ_t m_t, 1e-9), hidden [B, T, C], mask [B, T]
 * (nonzero or true = real) → [B, C]. The clamp keeps an all-padding row at zero instead of NaN.
 */
export function maskedMeanPool(hidden: Tensor, mask: Tensor): Tensor {
  if (hidden.ndim !== 3 || mask.ndim !== 2 || mask.shape[0] !== hidden.shape[0] || mask.shape[1] !== hidden.shape[1]) {
    throw new ShapeError(`maskedMeanPool: hidden must be [B, T, C] and mask [B, T], got ${formatShape(hidden.shape)} and ${formatShape(mask.shape)}`);
  }
  const m = to(mask, hidden.dtype); // bool/int → 0/1
  const summed = sum(mul(hidden, unsqueeze(m, 2)), 1); // [B, C]
  return div(summed, clamp(sum(m, 1, true), 1e-9)); // / [B, 1]
}

/** a·b / (max(‖a‖, eps)·max(‖b‖, eps)) along `dim` (default the last), broadcasting a and b. */
export function cosineSimilarity(a: Tensor, b: Tensor, dim = -1, eps = 1e-8): Tensor {
  const norm = (x: Tensor): Tensor => clamp(sqrt(sum(mul(x, x), dim)), eps);
  return div(sum(mul(a, b), dim), mul(norm(a), norm(b)));
}
