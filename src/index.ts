/**
 * loom's public API. Namespaces for each layer plus the tensor factory functions at the top level,
 * PyTorch-style: `import { tensor, nn, optim } from "loom"`.
 */
import "./ops/methods.js";

export { version } from "./version.js";
export * from "./errors.js";
export { Tensor, type NestedArray } from "./tensor/tensor.js";
export type { DType, FloatDType, HalfDType, Storage } from "./tensor/dtype.js";
export { MAX_TENSOR_ELEMENTS, Float16Storage, BFloat16Storage } from "./tensor/dtype.js";
export { setPrintOptions, getPrintOptions, DEFAULT_PRINT_OPTIONS, type PrintOptions } from "./tensor/print.js";
export {
  tensor, scalar, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye,
  rand, randn, randint, randperm, type TensorOptions, type RandomOptions, type TensorData,
} from "./tensor/factory.js";
export { manualSeed, getRngState, setRngState, Generator, defaultGenerator, type GeneratorState } from "./tensor/rng.js";
/** float32 ↔ float16 / bfloat16 conversions on Uint16Array storage, bit-exact with PyTorch. */
export * as half from "./io/half.js";
export { noGrad, enableGrad, isGradEnabled } from "./autograd/grad-mode.js";
export { autocast, type AutocastDType, type AutocastOptions } from "./autograd/autocast.js";
/** Autograd internals and checks: `gradcheck` (finite differences in float64), backward options, graph nodes. */
export * as autograd from "./autograd/index.js";
/** The differentiable ops as functions (`ops.add(a, b)`, `ops.matmul`, reductions, views, indexing); each is also a Tensor method. */
export * as ops from "./ops/index.js";
export { cat, stack, where } from "./ops/index.js";
export { getBackend, setBackend, useFastBackend, useReferenceBackend, type Backend } from "./backend/index.js";
/** Metrics on predictions and targets (accuracy, precision/recall/F1, confusion matrix, ROC/AUC, regression errors, perplexity), plain and streaming. */
export * as metrics from "./metrics/index.js";
/** Loss functions, PyTorch-shaped: `(input, target, options)` with a `reduction` of mean, sum or none. */
export * as losses from "./losses/index.js";
/** Optimisers (SGD, RMSprop, Adam, AdamW), gradient clipping and learning-rate schedules, as `torch.optim`. */
export * as optim from "./optim/index.js";
/** Neural-network layers (`Module`, `Linear`, `Embedding`, norms, attention, recurrent layers, transformer blocks), `nn.functional` and `nn.init`. */
export * as nn from "./nn/index.js";
/** Model families: GPT (GPT-2 layout), the recurrent language model, attentional Seq2Seq. */
export * as models from "./models/index.js";
/** Text generation for causal language models: greedy, sampling (temperature, top-k, top-p), beam search, stop sequences, streaming. */
export * as generation from "./generate/index.js";
/** Attention statistics of a model on a text (per layer and head), as the attention explorer shows them. */
export * as analysis from "./analysis/index.js";
/** Tokenizers as Hugging Face's pipeline (normalizer → pre-tokenizer → model → post-processor → decoder), trainers, `tokenizer.json`, SentencePiece and tiktoken. */
export * as tokenizers from "./tokenizers/index.js";
/** Text corpora, the training/validation split, and batching (`Dataset`, `DataLoader`, language-model blocks). */
export * as data from "./data/index.js";
/** File formats below tensors: safetensors bytes as typed arrays, and atomic file writes. */
export * as io from "./io/index.js";
/** Tensors to and from `.safetensors` files (`save`, `load`), as `safetensors.torch` does. */
export * as safetensors from "./safetensors.js";
/** The language-model trainer (`Trainer`, `train()`), evaluation, token streams, and run folders as `loom train` writes them. */
export * as training from "./train/index.js";
export { Trainer } from "./train/index.js";
