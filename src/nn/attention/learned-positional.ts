/**
 * Learned absolute position embedding (GPT-2's `wpe`): one trainable row per position, added to the
 * token embeddings. Shapes: x [..., T, C]; weight [maxPositions, C].
 */
import { IndexError, ShapeError, formatShape } from "../../errors.js";
import { add, narrow } from "../../ops/index.js";
import { zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { normal } from "../init.js";
import { type LayerOptions, checkSize } from "../layers/options.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";

export class LearnedPositionalEmbedding extends Module {
  readonly maxPositions: number;
  readonly dModel: number;
  /** [maxPositions, C], initialised N(0, 0.02²) as GPT-2's initializer_range. */
  weight: Parameter;

  constructor(maxPositions: number, dModel: number, options: LayerOptions = {}) {
    super();
    this.maxPositions = checkSize(maxPositions, "maxPositions", "LearnedPositionalEmbedding");
    this.dModel = checkSize(dModel, "dModel", "LearnedPositionalEmbedding");
    this.weight = new Parameter(zeros([maxPositions, dModel], { dtype: options.dtype ?? "float32" }));
    normal(this.weight, 0, 0.02);
  }

  /** Rows for positions offset..offset+T−1, [T, C] (a differentiable view of the weight). */
  positions(T: number, offset = 0): Tensor {
    if (offset < 0 || offset + T > this.maxPositions) {
      throw new IndexError(`LearnedPositionalEmbedding: positions ${offset}..${offset + T - 1} exceed maxPositions ${this.maxPositions}`);
    }
    return narrow(this.weight, 0, offset, T);
  }

  /** x [..., T, C] + weight[offset : offset+T]. */
  forward(x: Tensor, offset = 0): Tensor {
    if (x.ndim < 2 || x.shape[x.ndim - 1] !== this.dModel) {
      throw new ShapeError(`LearnedPositionalEmbedding: input ${formatShape(x.shape)} does not end in dModel ${this.dModel}`);
    }
    return add(x, this.positions(x.shape[x.ndim - 2] as number, offset));
  }

  override extraRepr(): string {
    return `maxPositions=${this.maxPositions}, dModel=${this.dModel}`;
  }
}
