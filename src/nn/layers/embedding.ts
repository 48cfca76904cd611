/** Embedding: a lookup table of numEmbeddings vectors of size embeddingDim, as torch.nn.Embedding. */
import { noGrad } from "../../autograd/grad-mode.js";
import { ValueError, formatShape } from "../../errors.js";
import { copyInto, select } from "../../ops/index.js";
import { checkAllocation } from "../../tensor/dtype.js";
import { zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { embedding, normalizePaddingIdx } from "../functional/embedding.js";
import { normal, zeros as fillZeros } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { type LayerOptions, checkSize } from "./options.js";

/** Options of `nn.Embedding`: a padding index, and a max-norm renormalisation. */
export interface EmbeddingLayerOptions extends LayerOptions {
  /** Row kept at zero at initialisation and never updated by gradients (a padding token). */
  paddingIdx?: number | null;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  /** [numEmbeddings, embeddingDim] */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingLayerOptions = {}) {
    super();
    this.numEmbeddings = checkSize(numEmbeddings, "numEmbeddings", "Embedding");
    this.embeddingDim = checkSize(embeddingDim, "embeddingDim", "Embedding");
    this.paddingIdx = normalizePaddingIdx(options.paddingIdx, numEmbeddings);
    const dtype = options.dtype ?? "float32";
    checkAllocation(dtype, numEmbeddings * embeddingDim, `Embedding(${numEmbeddings}, ${embeddingDim})`, [numEmbeddings, embeddingDim]);
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype }));
    this.resetParameters();
  }

  /** An Embedding holding a copy of `weights` ([num, dim]); frozen (no grad) unless `freeze` is false. */
  static fromPretrained(weights: Tensor, options: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (weights.ndim !== 2) throw new ValueError(`Embedding.fromPretrained: expected 2-D weights, got ${formatShape(weights.shape)}`);
    const dtype = weights.dtype === "float64" ? "float64" : "float32";
    const e = new Embedding(weights.shape[0] ?? 0, weights.shape[1] ?? 0, { paddingIdx: options.paddingIdx ?? null, dtype });
    noGrad(() => copyInto(e.weight, weights));
    e.weight.requiresGrad = !(options.freeze ?? true);
    return e;
  }

  /** N(0, 1), with the padding row zeroed, as PyTorch. */
  resetParameters(): void {
    normal(this.weight);
    if (this.paddingIdx !== null) noGrad(() => fillZeros(select(this.weight, 0, this.paddingIdx as number)));
  }

  /** ids [...] (integers) → [..., embeddingDim] */
  forward(ids: Tensor): Tensor {
    return embedding(ids, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    const pad = this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : "";
    return `${this.numEmbeddings}, ${this.embeddingDim}${pad}`;
  }
}
