// Entry point of the kernel module: everything exported here is callable from src/backend/wasm/.
// Memory is imported (shared between the main thread and the worker pool); the JavaScript side owns
// its layout above heapBase().
export { gemmScratchBytes, packedBBytes, setJob, runJob, JOB_BYTES } from "./gemm";
export { softmaxRows, softmaxRowsBackward, crossEntropyRows, crossEntropyRowsBackward } from "./softmax";
export { layerNormRows, layerNormRowsBackward } from "./layernorm";
export { adamwStep } from "./adamw";
export { geluRows, geluRowsBackward } from "./gelu";

/** First byte after the module's static data: scratch and operands live from here on. */
export function heapBase(): usize {
  return __heap_base;
}
