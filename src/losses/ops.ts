/** The ops the losses use, plus log clamped at −100 (PyTorch's BCE convention, so log 0 stays finite). */
import { log, maximum } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";

export * from "../ops/index.js";

export function clampMinLog(x: Tensor): Tensor {
  return maximum(log(x), -100);
}
