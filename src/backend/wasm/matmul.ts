/**
 * float32 matmul on the kernel module: validate the layout, copy the operands into kernel memory, run
 * the job on this thread (small products) or on this thread and the pool together, copy the product out.
 */
import type { MatmulLayout } from "../backend.js";
import { ShapeError } from "../../errors.js";
import { runJob, type KernelContext } from "./context.js";
import { checkBias } from "../reference/matmul.js";

export function matmulF32(ctx: KernelContext, out: Float32Array, a: Float32Array, b: Float32Array, layout: MatmulLayout): void {
  checkLayout(out, a, b, layout);
  const { batch, k, transA, transB, strideA, strideB, offsetA, offsetB } = layout;
  // The backend sends float32 biases only (anything else takes the reference path).
  const bias = (layout.bias ?? null) as Float32Array | null;
  checkBias(bias, layout.accumulate, layout.n);
  let { m } = layout;
  const n = layout.n;
  const outLength = batch * m * n;
  if (outLength === 0) return;
  if (k === 0) {
    if (bias) fillRows(out, 0, bias.subarray(0, n), outLength);
    else if (!layout.accumulate) out.fill(0, 0, outLength);
    return;
  }
  // A bias is laid out in kernel memory and the product accumulated onto it.
  const accumulate = layout.accumulate || bias !== null;
  const mk = m * k;
  const kn = k * n;
  const aCount = batch === 1 || strideA === 0 ? 1 : batch;
  const bCount = batch === 1 || strideB === 0 ? 1 : batch;
  let products = batch;
  if (bCount === 1 && aCount === batch && batch > 1 && !transA) {
    // One B for every product and the A matrices stacked row-major: a single [batch·m, k] · B.
    m *= batch;
    products = 1;
  }
  const mem = ctx.memory;
  const kernels = mem.kernels;
  const [aPtr = 0, bPtr = 0, cPtr = 0, packed = 0, job = 0] = mem.allocate([
    aCount * mk * 4, bCount * kn * 4, outLength * 4, kernels.packedBBytes(k, n, bCount), kernels.JOB_BYTES.value,
  ]);
  const heap = mem.f32;
  const [rowsA, colsA] = transA ? [k, layout.m] : [layout.m, k];
  const [rowsB, colsB] = transB ? [n, k] : [k, n];
  copyMatrices(heap, aPtr >>> 2, a, offsetA, strideA, mk, aCount, rowsA, colsA, layout.ldA ?? colsA);
  copyMatrices(heap, bPtr >>> 2, b, offsetB, strideB, kn, bCount, rowsB, colsB, layout.ldB ?? colsB);
  if (bias) fillRows(heap, cPtr >>> 2, bias.subarray(0, n), outLength);
  else if (accumulate) heap.set(out.subarray(0, outLength), cPtr >>> 2);

  const work = 2 * outLength * k;
  // The threads runJob will wake (it decides the same way); the kernel splits the rows evenly over them.
  const threads = ctx.pool && work >= ctx.parallelMinWork ? ctx.pool.size : 1;
  kernels.setJob(
    job, aPtr, bPtr, cPtr, m, n, k, transA ? 1 : 0, transB ? 1 : 0, accumulate ? 1 : 0,
    aCount === 1 ? 0 : mk * 4, bCount === 1 ? 0 : kn * 4, products, bCount, packed, threads,
  );
  runJob(ctx, job, work);
  out.set(mem.f32.subarray(cPtr >>> 2, (cPtr >>> 2) + outLength));
}

/**
 * Writes `row` over and over into dst[at, at + length): the first copy with set, then doubling with
 * copyWithin (log₂ of the row count memmoves instead of one call per row).
 */
export function fillRows(dst: Float32Array, at: number, row: Float32Array, length: number): void {
  const n = row.length;
  if (length <= 0 || n === 0) return;
  dst.set(row.subarray(0, Math.min(n, length)), at);
  for (let filled = n; filled < length; filled *= 2) dst.copyWithin(at + filled, at, at + Math.min(filled, length - filled));
}

/**
 * Copies `count` matrices of `size` = rows × cols elements (stride apart in `src`, stored rows `ld`
 * apart) to consecutive row-major places in `heap`.
 */
function copyMatrices(
  heap: Float32Array, at: number, src: Float32Array, offset: number, stride: number, size: number, count: number,
  rows: number, cols: number, ld: number,
): void {
  if (ld !== cols && rows > 1) {
    for (let i = 0; i < count; i++) {
      for (let r = 0; r < rows; r++) {
        const from = offset + i * stride + r * ld;
        heap.set(src.subarray(from, from + cols), at + i * size + r * cols);
      }
    }
    return;
  }
  if (count === 1 || stride === size) {
    heap.set(src.subarray(offset, offset + count * size), at);
    return;
  }
  for (let i = 0; i < count; i++) heap.set(src.subarray(offset + i * stride, offset + i * stride + size), at + i * size);
}

function checkLayout(out: Float32Array, a: Float32Array, b: Float32Array, layout: MatmulLayout): void {
  const { batch, m, n, k, strideA, strideB, offsetA, offsetB } = layout;
  for (const [name, v] of [["batch", batch], ["m", m], ["n", n], ["k", k]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ShapeError(`matmul: ${name} must be a non-negative integer, got ${v}`);
  }
  if (batch === 0) return;
  const [rowsA, colsA] = layout.transA ? [k, m] : [m, k];
  const [rowsB, colsB] = layout.transB ? [n, k] : [k, n];
  checkSpan("A", a.length, offsetA, strideA, matrixSpan(rowsA, colsA, layout.ldA, "ldA"), batch);
  checkSpan("B", b.length, offsetB, strideB, matrixSpan(rowsB, colsB, layout.ldB, "ldB"), batch);
  if (out.length < batch * m * n) {
    throw new ShapeError(`matmul: out needs ${batch * m * n} elements for [${batch},${m},${n}], has ${out.length}`);
  }
}

/** Elements from a stored matrix's first element to one past its last, with rows `ld` apart. */
function matrixSpan(rows: number, cols: number, ld: number | undefined, name: string): number {
  if (ld === undefined || rows === 0 || cols === 0) return rows * cols;
  if (!Number.isInteger(ld) || ld < cols) throw new ShapeError(`matmul: ${name} must be an integer ≥ the stored row length ${cols}, got ${ld}`);
  return (rows - 1) * ld + cols;
}

function checkSpan(name: string, length: number, offset: number, stride: number, size: number, batch: number): void {
  if (size === 0) return;
  const first = Math.min(offset, offset + (batch - 1) * stride);
  const end = Math.max(offset, offset + (batch - 1) * stride) + size;
  if (!Number.isInteger(offset) || !Number.isInteger(stride) || first < 0 || end > length) {
    throw new ShapeError(
      `matmul: ${name} (${batch} matrices of ${size} elements, offset ${offset}, stride ${stride}) does not fit in ${length} elements`,
    );
  }
}
