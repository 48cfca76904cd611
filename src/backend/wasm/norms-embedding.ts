/**
 * float32 RMSNorm and embedding kernels on the kernel module (assembly/rmsnorm.ts, embedding.ts), with
 * the formulas of the reference kernels (../reference/rmsnorm.ts, embedding.ts) they are tested against.
 * All run on the calling thread: RMSNorm's backward sums dw over rows (as LayerNorm's), and the
 * embedding kernels are bound by the copies in and out of kernel memory, not by arithmetic.
 *
 * The embedding table is never staged whole when it is large: a GPT-2 vocabulary (50257 × 768) is
 * 150 MiB, while one batch touches a few thousand rows. The forward then copies rows straight from
 * the table (TypedArray.set is a memcpy); the backward stages only the rows the ids touch.
 */
import { checkEmbeddingIds } from "../reference/embedding.js";
import type { KernelMemory } from "./memory.js";

export function rmsNormForwardF32(
  mem: KernelMemory, out: Float32Array, rstd: Float32Array, x: Float32Array, w: Float32Array | null,
  rows: number, cols: number, eps: number,
): void {
  const size = rows * cols;
  const [o = 0, rs = 0, xp = 0, wp = 0] = mem.stage([size, rows, x.subarray(0, size), w && w.subarray(0, cols)]);
  mem.kernels.rmsNormRows(o, rs, xp, wp, rows, cols, eps);
  mem.read(o, out, size);
  mem.read(rs, rstd, rows);
}

export function rmsNormBackwardF32(
  mem: KernelMemory, dx: Float32Array | null, dw: Float32Array | null, dy: Float32Array, x: Float32Array,
  rstd: Float32Array, w: Float32Array | null, rows: number, cols: number,
): void {
  const size = rows * cols;
  const [dxp = 0, dwp = 0, dyp = 0, xp = 0, rs = 0, wp = 0] = mem.stage([
    dx ? size : null, dw && dw.subarray(0, cols), dy.subarray(0, size), x.subarray(0, size), rstd.subarray(0, rows),
    w && w.subarray(0, cols),
  ]);
  mem.kernels.rmsNormRowsBackward(dxp, dwp, dyp, xp, rs, wp, rows, cols);
  if (dx) mem.read(dxp, dx, size);
  if (dw) mem.read(dwp, dw, cols);
}

/**
 * out[i] = weight[ids[i]]. A table no bigger than the output is staged and gathered by the SIMD kernel
 * (one copy in, one out); a bigger one is gathered row by row with TypedArray.set, which copies only
 * what the output needs.
 */
export function embeddingForwardF32(
  mem: KernelMemory, out: Float32Array, weight: Float32Array, ids: Int32Array, n: number, dim: number, num: number,
): void {
  checkEmbeddingIds("embedding", ids, n, num);
  if (num > n) {
    for (let i = 0; i < n; i++) {
      const src = (ids[i] as number) * dim;
      out.set(weight.subarray(src, src + dim), i * dim);
    }
    return;
  }
  const size = n * dim;
  const [o = 0, tp = 0, ip = 0] = mem.stage([size, weight.subarray(0, num * dim), ids.subarray(0, n)]);
  mem.kernels.embeddingGather(o, tp, ip, n, dim);
  mem.read(o, out, size);
}

/**
 * dWeight[ids[i]] += dOut[i], skipping paddingIdx. Either the whole table is staged (two bulk copies
 * of num·dim) or only the rows the ids touch, each copied in and back on its own; a row copy costs
 * about as much as 256 more elements of a bulk copy (measured: bench/rowkernels.bench.ts shapes), so
 * the cheaper of the two is taken.
 */
export function embeddingBackwardF32(
  mem: KernelMemory, dWeight: Float32Array, dOut: Float32Array, ids: Int32Array, n: number, dim: number, num: number,
  paddingIdx: number | null,
): void {
  checkEmbeddingIds("embedding backward", ids, n, num);
  const skip = paddingIdx ?? -1;
  const size = n * dim;
  const { slots, touched, count } = touchedRows(ids, n, num, skip);
  if (num * dim <= count * (dim + 256)) {
    const [tp = 0, gp = 0, ip = 0] = mem.stage([dWeight.subarray(0, num * dim), dOut.subarray(0, size), ids.subarray(0, n)]);
    mem.kernels.embeddingScatterAdd(tp, gp, ip, n, dim, skip);
    mem.read(tp, dWeight, num * dim);
    return;
  }
  const [tp = 0, gp = 0, ip = 0] = mem.stage([count * dim, dOut.subarray(0, size), slots]);
  const f32 = mem.f32;
  const base = tp >>> 2;
  for (let s = 0; s < count; s++) {
    const row = (touched[s] as number) * dim;
    f32.set(dWeight.subarray(row, row + dim), base + s * dim);
  }
  mem.kernels.embeddingScatterAdd(tp, gp, ip, n, dim, -1);
  for (let s = 0; s < count; s++) {
    const at = base + s * dim;
    dWeight.set(f32.subarray(at, at + dim), (touched[s] as number) * dim);
  }
}

/**
 * Numbers the rows the ids touch in first-seen order: slots[i] is position i's compact row (−1 for
 * the skipped id), touched[s] the id of compact row s, count how many rows are touched.
 */
function touchedRows(ids: Int32Array, n: number, num: number, skip: number): { slots: Int32Array; touched: Int32Array; count: number } {
  const slotOf = new Int32Array(num).fill(-1);
  const slots = new Int32Array(n);
  const touched = new Int32Array(Math.min(n, num));
  let count = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    if (id === skip) {
      slots[i] = -1;
      continue;
    }
    let s = slotOf[id] as number;
    if (s < 0) {
      s = count++;
      slotOf[id] = s;
      touched[s] = id;
    }
    slots[i] = s;
  }
  return { slots, touched, count };
}
