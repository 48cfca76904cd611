/**
 * nn.functional: activations and layer computations as plain functions (torch.nn.functional). The
 * element-wise activations, softmax and linear are the differentiable ops of src/ops, re-exported;
 * the fused and random ones (layerNorm, rmsNorm, embedding, dropout, swiglu) live beside this file.
 */
export {
  sigmoid, tanh, relu, leakyRelu, gelu, silu, softplus, elu, softmax, logSoftmax, linear, type GeluOptions,
} from "../../ops/index.js";
export { dropout, type DropoutOptions } from "./dropout.js";
export { layerNorm } from "./layer-norm.js";
export { rmsNorm, machineEpsilon } from "./rms-norm.js";
export { embedding, type EmbeddingOptions } from "./embedding.js";
export { swiglu } from "./swiglu.js";
export { maskedMeanPool, cosineSimilarity } from "./pooling.js";
export type { NormalizedShape } from "./rows.js";
export {
  packedScaledDotProductAttention, scaledDotProductAttention, type ScaledDotProductAttentionOptions, type AttentionWithWeights,
} from "./attention.js";
