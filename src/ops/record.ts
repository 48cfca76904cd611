/** Shared plumbing of differentiable ops: graph recording and scalar operands. */
import { isGradEnabled, noteUnrecorded } from "../autograd/grad-mode.js";
import { Node, type BackwardRule } from "../autograd/node.js";
import { type DType, allocate, isFloating, isHalf } from "../tensor/dtype.js";
import { noteEscaped } from "../tensor/storage-pool.js";
import { Tensor } from "../tensor/tensor.js";

/** Whether an op on these inputs must record a backward rule. */
export function needsGrad(...inputs: Tensor[]): boolean {
  if (!isGradEnabled()) {
    noteUnrecorded(inputs); // lets checkpoint see what its function reads
    return false;
  }
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/** Attaches `rule` to `out` when any input requires grad and recording is on; returns `out`. */
export function record(out: Tensor, name: string, inputs: Tensor[], rule: BackwardRule): Tensor {
  if (needsGrad(...inputs)) {
    out.setGradFn(new Node(name, inputs, rule));
    noteEscaped(out.storage.buffer); // a node may save it: never recycled by a backward in progress
  }
  return out;
}

/**
 * A scalar operand as a 0-d tensor: takes the tensor's dtype, or float32 when a fraction meets an
 * integer tensor or when the tensor is half (the number keeps float32 precision, and a 0-d operand does
 * not widen a half tensor's result: ops/half.ts `promoteOperands`).
 */
export function scalarLike(value: number, like: Tensor): Tensor {
  const dtype: DType = isHalf(like.dtype) ? "float32" : isFloating(like.dtype) || Number.isInteger(value) ? (like.dtype === "bool" ? "int32" : like.dtype) : "float32";
  const storage = allocate(dtype, 1);
  storage[0] = value;
  return new Tensor(storage, []);
}

/** An op operand: a tensor, or a number broadcast as a scalar. */
export type TensorOrScalar = Tensor | number;

export function asTensor(x: TensorOrScalar, like: Tensor): Tensor {
  return typeof x === "number" ? scalarLike(x, like) : x;
}
