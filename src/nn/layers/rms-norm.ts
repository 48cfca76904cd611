/** RMSNorm over the trailing `normalizedShape` dims, as torch.nn.RMSNorm (one fused op, no bias). */
import { ones } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { rmsNorm } from "../functional/rms-norm.js";
import { type NormalizedShape, normalizedShapeOf } from "../functional/rows.js";
import { ones as fillOnes } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import type { LayerOptions } from "./options.js";

/** Options of `nn.RMSNorm`: eps and a learnable weight. */
export interface RMSNormOptions extends LayerOptions {
  /** Added to mean(x²) inside the sqrt; default null = machine epsilon of the input dtype, as PyTorch. */
  eps?: number | null;
  /** Learn a per-element scale (default true). */
  elementwiseAffine?: boolean;
}

export class RMSNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number | null;
  /** normalizedShape, initialised to ones; null without elementwiseAffine */
  weight: Parameter | null;

  constructor(normalizedShape: NormalizedShape, options: RMSNormOptions = {}) {
    super();
    this.normalizedShape = normalizedShapeOf(normalizedShape);
    this.eps = options.eps ?? null;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape, { dtype: options.dtype ?? "float32" })) : null;
  }

  resetParameters(): void {
    if (this.weight) fillOnes(this.weight);
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps ?? undefined);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(", ")}], eps=${this.eps ?? "null"}, elementwiseAffine=${this.weight !== null}`;
  }
}
