/**
 * A Parameter is a Tensor that a Module owns as a trainable weight. Being its own class is what lets a
 * Module find weights among its fields (see module.ts); it shares storage with the tensor it wraps, as
 * `torch.nn.Parameter(data)` does, and requires grad unless told otherwise.
 */
import { Tensor } from "../tensor/tensor.js";

/**
 * A tensor that is a module's learnable weight: registered by `Module`, returned by `parameters()`, and requiring gradients by
 * default.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset);
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
