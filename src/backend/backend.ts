/**
 * Kernels sit behind this interface (DESIGN.md decision 3). Kernels are pure functions over typed
 * arrays with explicit outputs (STYLE.md §2); the autograd layer sits on top and never reaches into
 * loops. The reference backend (readable TypeScript) is the specification; a faster backend overrides
 * methods and is tested for parity against it.
 */

export type FloatArray = Float32Array | Float64Array;

/** Layout of one (possibly batched) matrix product `out[b] = op(A[b]) · op(B[b])`. */
export interface MatmulLayout {
  /** Number of products. */
  batch: number;
  /** Rows of op(A) and of out. */
  m: number;
  /** Columns of op(B) and of out. */
  n: number;
  /** Inner dimension. */
  k: number;
  /** A is stored as [k, m] row-major (so op(A) = Aᵀ) instead of [m, k]. */
  transA: boolean;
  /** B is stored as [n, k] row-major (so op(B) = Bᵀ) instead of [k, n]. */
  transB: boolean;
  /** Elements between consecutive batch matrices of A (0 broadcasts one matrix to every batch). */
  strideA: number;
  /** Elements between consecutive batch matrices of B (0 broadcasts). */
  strideB: number;
  /** Element offset of the first A and B matrix in their arrays. */
  offsetA: number;
  offsetB: number;
  /** When true, out += product instead of out = product. */
  accumulate: boolean;
}

export interface Backend {
  readonly name: string;
  /** out (contiguous [batch, m, n]) = op(A) · op(B). A, B and out share one float type. */
  matmul(out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout): void;
}
