/** LayerNorm over the trailing `normalizedShape` dims, as torch.nn.LayerNorm (one fused op). */
import { ones, zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { layerNorm } from "../functional/layer-norm.js";
import { type NormalizedShape, normalizedShapeOf } from "../functional/rows.js";
import { ones as fillOnes, zeros as fillZeros } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import type { LayerOptions } from "./options.js";

/** Options of `nn.LayerNorm`: eps, learnable weight and bias. */
export interface LayerNormOptions extends LayerOptions {
  /** Added to the variance inside the sqrt (default 1e-5). */
  eps?: number;
  /** Learn a per-element scale (and bias); default true. */
  elementwiseAffine?: boolean;
  /** Learn the bias too (default true; only with elementwiseAffine). */
  bias?: boolean;
}

export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  /** normalizedShape, initialised to ones; null without elementwiseAffine */
  weight: Parameter | null;
  /** normalizedShape, initialised to zeros; null without bias */
  bias: Parameter | null;

  constructor(normalizedShape: NormalizedShape, options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = normalizedShapeOf(normalizedShape);
    this.eps = options.eps ?? 1e-5;
    const dtype = options.dtype ?? "float32";
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = affine && (options.bias ?? true) ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  resetParameters(): void {
    if (this.weight) fillOnes(this.weight);
    if (this.bias) fillZeros(this.bias);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(", ")}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}
