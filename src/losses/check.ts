/** Argument checks shared by the losses: shapes must agree exactly (no silent broadcasting, as PyTorch warns). */
import { ShapeError, formatShape } from "../errors.js";
import { shapesEqual } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

export function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(`${op}: input shape ${formatShape(input.shape)} and target shape ${formatShape(target.shape)} differ`);
  }
}
