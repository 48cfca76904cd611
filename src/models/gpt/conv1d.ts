/**
 * GPT-2's "Conv1D": a linear layer that stores its weight as [in, out] (y = x·W + b), the layout of
 * GPT-2 checkpoints (`c_attn`, `c_proj`, `c_fc`). Keeping it means loom's safetensors load in
 * `transformers`' GPT2LMHeadModel without transposes, and x·W needs no transposed operand.
 */
import { ShapeError, formatShape } from "../../errors.js";
import { addmm, matmul } from "../../ops/index.js";
import { zeros } from "../../tensor/factory.js";
import type { FloatDType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { normal } from "../../nn/init.js";

export class Conv1D extends Module {
  /** [nx, nf] */
  weight: Parameter;
  /** [nf] or null */
  bias: Parameter | null;

  constructor(
    readonly nx: number,
    readonly nf: number,
    options: { bias?: boolean; std?: number; dtype?: FloatDType } = {},
  ) {
    super();
    const dtype = options.dtype ?? "float32";
    this.weight = new Parameter(zeros([nx, nf], { dtype }));
    this.bias = (options.bias ?? true) ? new Parameter(zeros([nf], { dtype })) : null;
    normal(this.weight, 0, options.std ?? 0.02);
  }

  /** [..., nx] → [..., nf] */
  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.nx) {
      throw new ShapeError(`Conv1D(nx=${this.nx}, nf=${this.nf}): input of shape ${formatShape(x.shape)} must end in nx = ${this.nx}`);
    }
    return this.bias ? addmm(this.bias, x, this.weight) : matmul(x, this.weight);
  }

  override extraRepr(): string {
    return `nx=${this.nx}, nf=${this.nf}, bias=${this.bias !== null}`;
  }
}
