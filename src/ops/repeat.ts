/**
 * repeat(x, sizes): tiles x `sizes[i]` times along each dim (torch.repeat; sizes may add leading dims).
 * Built from views — x as [1, s₀, 1, s₁, …], expanded to [r₀, s₀, r₁, s₁, …], reshaped to [r₀s₀, r₁s₁, …]
 * — so the gradient is expand's sum over the copies.
 */
import { ShapeError, ValueError, formatShape } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { expand, reshape } from "./views.js";

/** The tensor tiled `sizes[i]` times along each dimension, as `torch.Tensor.repeat`. */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < x.ndim) {
    throw new ShapeError(`repeat: number of repeat dims ${sizes.length} cannot be smaller than the number of tensor dims ${x.ndim} (shape ${formatShape(x.shape)})`);
  }
  if (sizes.some((r) => !Number.isInteger(r) || r < 0)) throw new ValueError(`repeat: repeats must be non-negative integers, got [${sizes.join(",")}]`);
  const shape = [...new Array<number>(sizes.length - x.ndim).fill(1), ...x.shape];
  const interleavedOnes = shape.flatMap((s) => [1, s]);
  const interleaved = shape.flatMap((s, i) => [sizes[i] ?? 1, s]);
  const tiled = expand(reshape(x, interleavedOnes), interleaved);
  return reshape(tiled, shape.map((s, i) => s * (sizes[i] ?? 1)));
}
