/**
 * Reference matrix product. Loop orders keep the innermost loop running along contiguous memory of
 * both the output row and one operand row (i-p-j for A·B and Aᵀ·B; dot products of rows for A·Bᵀ),
 * and the inner dimension is blocked so a panel of B stays in cache.
 */
import type { FloatArray, MatmulLayout } from "../backend.js";
import { ShapeError, ValueError } from "../../errors.js";

const KC = 256; // k-block: KC rows of B (or columns of A) reused from cache across a block of rows

export function matmulReference(out: FloatArray, a: FloatArray, b: FloatArray, layout: MatmulLayout): void {
  if (hasRowStride(layout)) {
    // Operands with a row stride are compacted first, so the loops below stay the plain row-major ones.
    const { batch, m, n, k, transA, transB } = layout;
    const [rowsA, colsA] = transA ? [k, m] : [m, k];
    const [rowsB, colsB] = transB ? [n, k] : [k, n];
    const ca = compactMatrices(a, layout.offsetA, layout.strideA, rowsA, colsA, layout.ldA ?? colsA, batch);
    const cb = compactMatrices(b, layout.offsetB, layout.strideB, rowsB, colsB, layout.ldB ?? colsB, batch);
    const { ldA: _a, ldB: _b, ...rest } = layout;
    matmulReference(out, ca.data, cb.data, { ...rest, offsetA: 0, offsetB: 0, strideA: ca.stride, strideB: cb.stride });
    return;
  }
  const { batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, accumulate } = layout;
  const bias = layout.bias ?? null;
  checkBias(bias, accumulate, n);
  for (let bi = 0; bi < batch; bi++) {
    const aOff = offsetA + bi * strideA;
    const bOff = offsetB + bi * strideB;
    const cOff = bi * m * n;
    if (bias) for (let i = 0; i < m; i++) out.set(bias.subarray(0, n), cOff + i * n);
    else if (!accumulate) out.fill(0, cOff, cOff + m * n);
    if (transA && transB) {
      // Aᵀ·Bᵀ = (B·A)ᵀ: transpose B into [k, n] scratch once, then run the Aᵀ·B loop.
      const bt = new (b.constructor as { new (len: number): FloatArray })(k * n);
      for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) bt[p * n + j] = b[bOff + j * k + p];
      matmulTA(out, cOff, a, aOff, bt, 0, m, n, k);
    } else if (transA) {
      matmulTA(out, cOff, a, aOff, b, bOff, m, n, k);
    } else if (transB) {
      matmulTB(out, cOff, a, aOff, b, bOff, m, n, k);
    } else {
      matmulNN(out, cOff, a, aOff, b, bOff, m, n, k);
    }
  }
}

/** Whether either operand's stored rows are further apart than their length (see MatmulLayout.ldA). */
export function hasRowStride(layout: MatmulLayout): boolean {
  const { m, n, k, transA, transB } = layout;
  return (layout.ldA !== undefined && layout.ldA !== (transA ? m : k)) || (layout.ldB !== undefined && layout.ldB !== (transB ? k : n));
}

/**
 * Copies `batch` matrices of rows × cols (row r at offset + i·stride + r·ld) to consecutive row-major
 * matrices; a broadcast operand (stride 0) is copied once.
 */
function compactMatrices(
  src: FloatArray, offset: number, stride: number, rows: number, cols: number, ld: number, batch: number,
): { data: FloatArray; stride: number } {
  const count = stride === 0 ? 1 : batch;
  const data = new (src.constructor as { new (len: number): FloatArray })(count * rows * cols);
  for (let i = 0; i < count; i++) {
    for (let r = 0; r < rows; r++) {
      const from = offset + i * stride + r * ld;
      data.set(src.subarray(from, from + cols), (i * rows + r) * cols);
    }
  }
  return { data, stride: stride === 0 ? 0 : rows * cols };
}

/** A bias replaces the zero start of the product, so it cannot be combined with accumulating. */
export function checkBias(bias: FloatArray | null, accumulate: boolean, n: number): void {
  if (bias === null) return;
  if (accumulate) throw new ValueError("matmul: a bias cannot be combined with accumulate (out += product)");
  if (bias.length < n) throw new ShapeError(`matmul: bias needs ${n} elements, has ${bias.length}`);
}

/** C[m,n] += A[m,k] · B[k,n] */
function matmulNN(c: FloatArray, cOff: number, a: FloatArray, aOff: number, b: FloatArray, bOff: number, m: number, n: number, k: number): void {
  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = Math.min(k, p0 + KC);
    for (let i = 0; i < m; i++) {
      const ci = cOff + i * n;
      const ai = aOff + i * k;
      for (let p = p0; p < p1; p++) {
        const av = a[ai + p];
        if (av === 0) continue;
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
      }
    }
  }
}

/** C[m,n] += A[k,m]ᵀ · B[k,n] */
function matmulTA(c: FloatArray, cOff: number, a: FloatArray, aOff: number, b: FloatArray, bOff: number, m: number, n: number, k: number): void {
  for (let p = 0; p < k; p++) {
    const ap = aOff + p * m;
    const bp = bOff + p * n;
    for (let i = 0; i < m; i++) {
      const av = a[ap + i];
      if (av === 0) continue;
      const ci = cOff + i * n;
      for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
    }
  }
}

/** C[m,n] += A[m,k] · B[n,k]ᵀ, as dot products of contiguous rows (4 columns at a time). */
function matmulTB(c: FloatArray, cOff: number, a: FloatArray, aOff: number, b: FloatArray, bOff: number, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * k;
    const ci = cOff + i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bOff + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = a[ai + p];
        s0 += av * b[b0 + p];
        s1 += av * b[b1 + p];
        s2 += av * b[b2 + p];
        s3 += av * b[b3 + p];
      }
      c[ci + j] += s0;
      c[ci + j + 1] += s1;
      c[ci + j + 2] += s2;
      c[ci + j + 3] += s3;
    }
    for (; j < n; j++) {
      const bj = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
      c[ci + j] += s;
    }
  }
}
