/**
 * loom.nn: Module and Parameter, layers, containers, activations, and the `functional` and `init`
 * namespaces — shaped like torch.nn, with camelCase names.
 */
export { Module, type TensorModule, type StateDict, type LoadStateDictOptions, type LoadStateDictResult, type RegisterBufferOptions, type ZeroGradOptions } from "./module.js";
export { Parameter } from "./parameter.js";
export { Linear, type LinearOptions } from "./layers/linear.js";
export { Embedding, type EmbeddingLayerOptions } from "./layers/embedding.js";
export { LayerNorm, type LayerNormOptions } from "./layers/layer-norm.js";
export { RMSNorm, type RMSNormOptions } from "./layers/rms-norm.js";
export { Dropout } from "./layers/dropout.js";
export { Sequential, ModuleList, ModuleDict } from "./layers/containers.js";
export { Identity, Flatten } from "./layers/basic.js";
export {
  Sigmoid, Tanh, ReLU, LeakyReLU, GELU, SiLU, Softplus, ELU, Softmax, LogSoftmax, Activation,
  ACTIVATION_FUNCTIONS, GATED_ACTIVATIONS, ACTIVATION_NAMES, activationFunction, gatedActivation, isGatedActivation,
  type ActivationName, type ElementwiseActivationName, type GatedActivationName,
} from "./layers/activation.js";
export { SwiGLU } from "./layers/swiglu.js";
export { MLP, type MLPOptions } from "./layers/mlp.js";
export type { LayerOptions } from "./layers/options.js";
/** Stateless functions behind the layers (`linear`, `layerNorm`, `dropout`, `embedding`, `scaledDotProductAttention`, …), as `torch.nn.functional`. */
export * as functional from "./functional/index.js";
/** In-place parameter initialisers (uniform, normal, Xavier/Glorot, Kaiming/He, constants), as `torch.nn.init`. */
export * as init from "./init.js";
export * from "./attention/index.js";
export * from "./transformer/index.js";
export * from "./recurrent/index.js";
