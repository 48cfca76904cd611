/** Model families assembled from nn/. */
export * as gpt from "./gpt/index.js";
export { GPT, KVCache } from "./gpt/index.js";
export * as seq2seq from "./seq2seq/index.js";
export { Seq2Seq } from "./seq2seq/index.js";
