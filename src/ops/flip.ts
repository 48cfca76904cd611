/** flip(x, dims): reverses the order of elements along dims (a copy, as torch.flip); its own inverse. */
import { normalizeDims } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";

/** The tensor with the order of elements reversed along `dims`. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const ds = normalizeDims(dims, x.ndim, "flip");
  // Read x through negated strides starting at the last element of each flipped dim, then copy.
  const strides = [...x.strides];
  let offset = x.offset;
  for (const d of ds) {
    offset += ((x.shape[d] ?? 1) - 1) * (strides[d] ?? 0);
    strides[d] = -(strides[d] ?? 0);
  }
  const reversed = x.size === 0 ? x : new Tensor(x.storage, x.shape, strides, offset);
  return record(new Tensor(reversed.toTypedArray(), x.shape), "flip", [x], (g) => [flip(g, ds)]);
}
