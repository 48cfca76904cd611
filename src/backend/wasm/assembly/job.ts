// Parallel jobs. A matmul job (gemm.ts) and a row job (below) share one entry point, `runJob`, which the
// main thread and every pool worker call on the same descriptor; work is claimed in units from atomic
// counters in the descriptor, so threads that arrive late or run slowly just take fewer units.
//
// Row job: rows [0, rows) of one row kernel, claimed `chunk` rows at a time. Row kernels have no
// cross-row reductions, so units are independent. Elementwise kernels (GELU) run as rows of one column.
import { runGemmJob } from "./gemm";
import {
  JOB_KIND, KIND_CROSS_ENTROPY, KIND_CROSS_ENTROPY_BACKWARD, KIND_GELU, KIND_GELU_BACKWARD, KIND_GEMM,
  KIND_SOFTMAX, KIND_SOFTMAX_BACKWARD, KIND_UNARY, KIND_UNARY_BACKWARD,
} from "./job-kind";
import { crossEntropyRows, crossEntropyRowsBackward, softmaxRows, softmaxRowsBackward } from "./softmax";
import { geluRows, geluRowsBackward } from "./gelu";
import { unaryBackwardF32, unaryF32 } from "./elementwise";

const R_ROWS = 4, R_COLS = 8, R_CHUNK = 12, R_FLAG = 16, R_INT = 20, R_PTR = 24; // 7 pointers: 24 .. 48
const R_NEXT = 64;

/**
 * Writes a row job. Pointers p0..p6 are the kernel's array arguments in its parameter order; `flag` is
 * its boolean (log, tanh) and `int` its integer argument (ignoreIndex).
 */
export function setRowJob(
  job: usize, kind: i32, rows: i32, cols: i32, chunk: i32, flag: i32, int: i32,
  p0: usize, p1: usize, p2: usize, p3: usize, p4: usize, p5: usize, p6: usize,
): void {
  store<i32>(job, kind, JOB_KIND);
  store<i32>(job, rows, R_ROWS);
  store<i32>(job, cols, R_COLS);
  store<i32>(job, chunk, R_CHUNK);
  store<i32>(job, flag, R_FLAG);
  store<i32>(job, int, R_INT);
  store<i32>(job, p0, R_PTR);
  store<i32>(job, p1, R_PTR + 4);
  store<i32>(job, p2, R_PTR + 8);
  store<i32>(job, p3, R_PTR + 12);
  store<i32>(job, p4, R_PTR + 16);
  store<i32>(job, p5, R_PTR + 20);
  store<i32>(job, p6, R_PTR + 24);
  atomic.store<i32>(job + R_NEXT, 0);
}

/** Works on `job` until no units are left; any number of threads may call it at once. */
export function runJob(job: usize, scratch: usize): void {
  const kind = load<i32>(job, JOB_KIND);
  if (kind == KIND_GEMM) runGemmJob(job, scratch);
  else runRowJob(job, kind);
}

function runRowJob(job: usize, kind: i32): void {
  const rows = load<i32>(job, R_ROWS);
  const cols = load<i32>(job, R_COLS);
  const chunk = load<i32>(job, R_CHUNK);
  const flag = load<i32>(job, R_FLAG) != 0;
  const int = load<i32>(job, R_INT);
  const p0 = <usize>load<i32>(job, R_PTR), p1 = <usize>load<i32>(job, R_PTR + 4), p2 = <usize>load<i32>(job, R_PTR + 8);
  const p3 = <usize>load<i32>(job, R_PTR + 12), p4 = <usize>load<i32>(job, R_PTR + 16);
  const p5 = <usize>load<i32>(job, R_PTR + 20), p6 = <usize>load<i32>(job, R_PTR + 24);
  const rowBytes = <usize>cols << 2;
  while (true) {
    const r0 = atomic.add<i32>(job + R_NEXT, 1) * chunk;
    if (r0 >= rows) break;
    const n = min(chunk, rows - r0);
    const big = <usize>r0 * rowBytes; // offset of row r0 in [rows, cols] data
    const small = <usize>r0 << 2; // offset of row r0 in per-row data
    if (kind == KIND_SOFTMAX) softmaxRows(p0 + big, p1 + big, n, cols, flag);
    else if (kind == KIND_SOFTMAX_BACKWARD) softmaxRowsBackward(p0 + big, p1 + big, p2 + big, n, cols, flag);
    else if (kind == KIND_CROSS_ENTROPY) {
      // (lse, nll, smooth, logits, targets, weight)
      crossEntropyRows(p0 + small, p1 + small, p2 + small, p3 + big, p4 + small, p5, n, cols, int);
    } else if (kind == KIND_CROSS_ENTROPY_BACKWARD) {
      // (dlogits, logits, targets, weight, lse, gNll, gSmooth)
      crossEntropyRowsBackward(p0 + big, p1 + big, p2 + small, p3, p4 + small, p5 + small, p6 + small, n, cols, int);
    } else if (kind == KIND_GELU) geluRows(p0 + big, p1 + big, n * cols, flag);
    else if (kind == KIND_GELU_BACKWARD) geluRowsBackward(p0 + big, p1 + big, p2 + big, n * cols, flag);
    else if (kind == KIND_UNARY) unaryF32(int, p0 + big, p1 + big, n * cols);
    else if (kind == KIND_UNARY_BACKWARD) unaryBackwardF32(int, p0 + big, p1 + big, p2 + big, p3 + big, n * cols);
  }
}
