/**
 * The language-model loss every decoder-only family computes: mean cross-entropy of logits [B, T, V]
 * against next-token targets [B, T] (−100 entries ignored), with the targets' shape checked against the
 * input ids [B, T].
 */
import { ShapeError, formatShape } from "../errors.js";
import { crossEntropy } from "../losses/index.js";
import { reshape } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";

/** The mean loss, or null without targets; `op` names the model in the error. */
export function nextTokenLoss(logits: Tensor, ids: Tensor, targets: Tensor | undefined, op: string): Tensor | null {
  if (targets === undefined) return null;
  const [B, T] = ids.shape as [number, number];
  if (targets.shape[0] !== B || targets.shape[1] !== T || targets.ndim !== 2) {
    throw new ShapeError(`${op}: targets ${formatShape(targets.shape)} do not match ids ${formatShape(ids.shape)}`);
  }
  const V = logits.shape[logits.ndim - 1] as number;
  return crossEntropy(reshape(logits, [B * T, V]), reshape(targets, [B * T]));
}
