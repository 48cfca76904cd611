/** Typed-array plumbing shared by the recurrent ops: contiguous data and one-matrix products. */
import { getBackend, type FloatArray } from "../../backend/index.js";
import type { Tensor } from "../../tensor/tensor.js";

/** The elements of t as a contiguous float array; a subarray view (no copy) when t is contiguous. */
export function contiguousData(t: Tensor): FloatArray {
  return t.contiguousValues() as FloatArray;
}

/**
 * out[m, n] (+)= op(a)·op(b) on the active backend, where op(a) is a [m, k] (or aᵀ stored [k, m] with
 * transA) and op(b) is b [k, n] (or bᵀ stored [n, k] with transB).
 */
export function matmulInto(
  out: FloatArray, a: FloatArray, b: FloatArray, m: number, n: number, k: number,
  transA: boolean, transB: boolean, accumulate = false,
): void {
  getBackend().matmul(out, a, b, {
    batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate,
  });
}

/** Adds bias [n] to every row of x [rows, n]. */
export function addRowBias(x: FloatArray, bias: FloatArray, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let j = 0; j < n; j++) x[base + j] = (x[base + j] as number) + (bias[j] as number);
  }
}
