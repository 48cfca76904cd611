// Entry point of the kernel module: everything exported here is callable from src/backend/wasm/.
// Memory is imported (shared between the main thread and the worker pool); the JavaScript side owns
// its layout above heapBase().
export { gemmScratchBytes, packedBBytes, setJob } from "./gemm";
export { setRowJob } from "./job";
// The pool's entry point: attention jobs (attention.ts), every other kind through job.ts's runJob.
export { runJobOrAttention as runJob, setAttentionJob, KIND_ATTENTION_BACKWARD, KIND_ATTENTION_FORWARD } from "./attention";
export {
  JOB_BYTES, KIND_CROSS_ENTROPY, KIND_CROSS_ENTROPY_BACKWARD, KIND_GELU, KIND_GELU_BACKWARD, KIND_SOFTMAX,
  KIND_SOFTMAX_BACKWARD,
} from "./job-kind";
export { layerNormRows, layerNormRowsBackward } from "./layernorm";
export { rmsNormRows, rmsNormRowsBackward } from "./rmsnorm";
export { embeddingGather, embeddingScatterAdd } from "./embedding";
export { adamwStep } from "./adamw";
export {
  binaryF32, binaryRowsF32, binaryScalarF32, sumColumnsF32, sumF32, sumRowsF32, unaryBackwardF32, unaryF32,
} from "./elementwise";
export { KIND_UNARY, KIND_UNARY_BACKWARD } from "./job-kind";
export { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward, rnnCellBackward, rnnCellForward } from "./recurrent";

/** First byte after the module's static data: scratch and operands live from here on. */
export function heapBase(): usize {
  return __heap_base;
}
