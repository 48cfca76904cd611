/** Model families assembled from nn/. */
export * as gpt from "./gpt/index.js";
export { GPT, KVCache } from "./gpt/index.js";
