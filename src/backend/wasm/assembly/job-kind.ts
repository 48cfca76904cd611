// Every job descriptor starts with its kind, so one entry point (job.ts `runJob`) serves the worker
// pool for every parallel kernel.
export const JOB_KIND: usize = 0;
export const KIND_GEMM: i32 = 1;
export const KIND_SOFTMAX: i32 = 2;
export const KIND_SOFTMAX_BACKWARD: i32 = 3;
export const KIND_CROSS_ENTROPY: i32 = 4;
export const KIND_CROSS_ENTROPY_BACKWARD: i32 = 5;
export const KIND_GELU: i32 = 6;
export const KIND_GELU_BACKWARD: i32 = 7;
/** Unary elementwise kernels (elementwise.ts), the op code in the job's integer. */
export const KIND_UNARY: i32 = 8;
export const KIND_UNARY_BACKWARD: i32 = 9;
/** Bytes of one job descriptor of any kind. */
export const JOB_BYTES: i32 = 256;
