/**
 * loom's public API. Namespaces for each layer plus the tensor factory functions at the top level,
 * PyTorch-style: `import { tensor, nn, optim } from "loom"`.
 */
import "./ops/methods.js";

export { version } from "./version.js";
export * from "./errors.js";
export { Tensor, type NestedArray } from "./tensor/tensor.js";
export type { DType, FloatDType, Storage } from "./tensor/dtype.js";
export { MAX_TENSOR_ELEMENTS } from "./tensor/dtype.js";
export { setPrintOptions, getPrintOptions, DEFAULT_PRINT_OPTIONS, type PrintOptions } from "./tensor/print.js";
export {
  tensor, scalar, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye,
  rand, randn, randint, randperm, type TensorOptions, type RandomOptions, type TensorData,
} from "./tensor/factory.js";
export { manualSeed, getRngState, setRngState, Generator, defaultGenerator, type GeneratorState } from "./tensor/rng.js";
/** float32 ↔ float16 / bfloat16 conversions on Uint16Array storage, bit-exact with PyTorch. */
export * as half from "./io/half.js";
export { noGrad, enableGrad, isGradEnabled } from "./autograd/grad-mode.js";
export * as autograd from "./autograd/index.js";
export * as ops from "./ops/index.js";
export { cat, stack, where } from "./ops/index.js";
export { getBackend, setBackend, useFastBackend, useReferenceBackend, type Backend } from "./backend/index.js";
export * as metrics from "./metrics/index.js";
export * as losses from "./losses/index.js";
export * as optim from "./optim/index.js";
export * as nn from "./nn/index.js";
export * as models from "./models/index.js";
export * as generation from "./generate/index.js";
export * as analysis from "./analysis/index.js";
export * as tokenizers from "./tokenizers/index.js";
export * as data from "./data/index.js";
export * as io from "./io/index.js";
export * as safetensors from "./safetensors.js";
export * as training from "./train/index.js";
export { Trainer } from "./train/index.js";
