/**
 * The product layouts the native half GEMM parity tests run (bf16-kernels.test.ts, f16-gemm.test.ts):
 * the ones the autograd produces — all four transposes at odd sizes, a column block of a wider matrix,
 * row-strided transposed blocks at offsets, strided and broadcast batches — plus `extra` sizes.
 */
import type { MatmulLayout } from "../../../src/backend/backend.js";

export interface LayoutCase {
  name: string;
  layout: MatmulLayout;
}

export function layoutCases(sizes: readonly (readonly [number, number, number])[], extra: LayoutCase[] = []): LayoutCase[] {
  const out: LayoutCase[] = [];
  const base = { batch: 1, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
  for (const [m, n, k] of sizes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) out.push({ name: `${m}×${n}×${k} tA=${transA} tB=${transB}`, layout: { ...base, m, n, k, transA, transB } });
    }
  }
  // A column block of a wider B (GPT-2's fused c_attn weight) and a row-strided Aᵀ, at offsets.
  out.push({ name: "ldB column block", layout: { ...base, m: 19, n: 21, k: 45, transA: false, transB: false, ldB: 63, offsetB: 21 } });
  out.push({ name: "ldA transposed block", layout: { ...base, m: 17, n: 9, k: 33, transA: true, transB: false, ldA: 40, offsetA: 5 } });
  out.push({ name: "ldB transposed block", layout: { ...base, m: 8, n: 11, k: 35, transA: false, transB: true, ldB: 50, offsetB: 3 } });
  out.push(...extra.map((c) => ({ name: c.name, layout: { ...base, ...c.layout } })));
  // Batches: both strided; B broadcast; A broadcast with Bᵀ strided.
  out.push({ name: "batch 3 strided", layout: { ...base, batch: 3, m: 9, n: 14, k: 23, transA: false, transB: false, strideA: 9 * 23, strideB: 23 * 14 } });
  out.push({ name: "batch 4, B broadcast, Aᵀ", layout: { ...base, batch: 4, m: 33, n: 7, k: 20, transA: true, transB: false, strideA: 33 * 20, strideB: 0 } });
  out.push({ name: "batch 2, A broadcast, Bᵀ", layout: { ...base, batch: 2, m: 5, n: 40, k: 31, transA: false, transB: true, strideA: 0, strideB: 40 * 31, offsetA: 2 } });
  return out;
}

/** Elements an operand's layout reaches (its array is made that long). */
export function reach(rows: number, cols: number, ld: number, offset: number, stride: number, batch: number): number {
  return offset + (batch - 1) * stride + (rows - 1) * ld + cols;
}
