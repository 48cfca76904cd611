/** Linear: y = x·Wᵀ + b with W of shape [out, in], as torch.nn.Linear. */
import { ShapeError, formatShape } from "../../errors.js";
import { linear } from "../../ops/index.js";
import { checkAllocation } from "../../tensor/dtype.js";
import { zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { calculateFanInAndFanOut, kaimingUniform, uniform } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { type LayerOptions, checkSize } from "./options.js";

/** Options of `nn.Linear`: whether it has a bias. */
export interface LinearOptions extends LayerOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [outFeatures, inFeatures] */
  weight: Parameter;
  /** [outFeatures], or null without bias */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkSize(inFeatures, "inFeatures", "Linear");
    this.outFeatures = checkSize(outFeatures, "outFeatures", "Linear");
    const dtype = options.dtype ?? "float32";
    checkAllocation(dtype, outFeatures * inFeatures, `Linear(${inFeatures}, ${outFeatures})`, [outFeatures, inFeatures]);
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = (options.bias ?? true) ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  /**
   * PyTorch's default: kaiming_uniform with a = √5, i.e. gain √(1/3) and bound √3·gain/√in = 1/√in,
   * for the weight; U(−1/√in, 1/√in) for the bias.
   */
  resetParameters(): void {
    kaimingUniform(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform(this.bias, -bound, bound);
    }
  }

  /** [..., inFeatures] → [..., outFeatures] */
  forward(x: Tensor): Tensor {
    // Checked here so that the message names the layer and its in_features, not the addmm/matmul inside.
    const last = x.shape[x.ndim - 1];
    if (last !== this.inFeatures) {
      const got = last === undefined ? "has no dimensions" : `has ${last} features in its last dimension`;
      throw new ShapeError(`Linear(${this.inFeatures}, ${this.outFeatures}): input of shape ${formatShape(x.shape)} ${got}, but in_features is ${this.inFeatures}`);
    }
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
