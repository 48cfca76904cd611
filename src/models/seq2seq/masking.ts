/**
 * Source masks for attention over padded batches. Convention (as `scaledDotProductAttention`'s boolean
 * mask): a bool tensor [B, S] that is TRUE at real tokens and FALSE at padding.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { maskedFill, softmax } from "../../ops/index.js";
import { Tensor } from "../../tensor/tensor.js";

/** lengths [B] → bool [B, S], true for positions s < lengths[b]. */
export function sourceMaskFromLengths(lengths: readonly number[], maxLength: number): Tensor {
  const data = new Uint8Array(lengths.length * maxLength);
  lengths.forEach((len, b) => {
    if (!Number.isInteger(len) || len < 1 || len > maxLength) {
      throw new ValueError(`sourceMaskFromLengths: length ${len} of row ${b} must be an integer in [1, ${maxLength}]`);
    }
    data.fill(1, b * maxLength, b * maxLength + len);
  });
  return new Tensor(data, [lengths.length, maxLength]);
}

/** ids [B, S] (int32) → bool [B, S], true where the id is not `padId`. */
export function sourceMaskFromIds(ids: Tensor, padId: number): Tensor {
  if (ids.ndim !== 2) throw new ShapeError(`sourceMaskFromIds: expected ids [B, S], got ${formatShape(ids.shape)}`);
  const v = ids.toTypedArray();
  const data = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) data[i] = v[i] === padId ? 0 : 1;
  return new Tensor(data, ids.shape);
}

/** Number of true positions in each row of a [B, S] mask. */
export function maskLengths(mask: Tensor): number[] {
  const [b, s] = mask.shape as [number, number];
  const v = mask.toTypedArray();
  const out: number[] = [];
  for (let i = 0; i < b; i++) {
    let n = 0;
    for (let j = 0; j < s; j++) n += v[i * s + j] ? 1 : 0;
    out.push(n);
  }
  return out;
}

/** NOT of a bool tensor (what maskedFill wants: true where the value is replaced). */
function invert(mask: Tensor): Tensor {
  const v = mask.toTypedArray();
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] ? 0 : 1;
  return new Tensor(out, mask.shape);
}

/**
 * softmax over the last dim of scores [B, S] or [B, T, S] with padded keys set to −∞ first, so their
 * weight is exactly 0 and no gradient reaches their scores. Every row must keep one real key.
 */
export function maskedSoftmax(scores: Tensor, mask: Tensor | null): Tensor {
  if (mask === null) return softmax(scores, -1);
  const b = scores.shape[0];
  const s = scores.shape[scores.ndim - 1];
  if (mask.dtype !== "bool" || mask.ndim !== 2 || mask.shape[0] !== b || mask.shape[1] !== s) {
    throw new ShapeError(`maskedSoftmax: mask must be bool [${b}, ${s}], got ${mask.dtype} ${formatShape(mask.shape)}`);
  }
  if (maskLengths(mask).some((n) => n === 0)) throw new ValueError("maskedSoftmax: a row of the mask has no real position");
  // [B, S] → [B, 1, S] to broadcast over the T queries.
  const padding = invert(mask);
  return softmax(maskedFill(scores, scores.ndim === 3 ? padding.reshape(b ?? 0, 1, s ?? 0) : padding, -Infinity), -1);
}
