/**
 * Row-wise LayerNorm over contiguous [rows, cols] data, forward and backward, as pure functions over
 * typed arrays (the shape of llm.c's layernorm_forward/backward). Statistics are accumulated in double
 * precision whatever the storage type.
 *
 *   μ = mean(x),  σ² = mean((x − μ)²) (biased, as PyTorch),  rstd = 1/√(σ² + ε)  (ε inside the sqrt)
 *   x̂ = (x − μ)·rstd,  y = x̂·w + b
 *   backward, with ĝ = dy·w:  dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  dw += Σ_rows dy·x̂,  db += Σ_rows dy
 */
import type { FloatArray } from "../backend.js";

/**
 * Writes y into `out` and the per-row mean and reciprocal standard deviation into `mean` and `rstd`
 * (saved for the backward). `w` and `b` (length cols) may be null: no scale / no shift.
 */
export function layerNormForward(
  out: FloatArray, mean: FloatArray, rstd: FloatArray,
  x: FloatArray, w: FloatArray | null, b: FloatArray | null,
  rows: number, cols: number, eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[base + c] as number;
    const m = s / cols;
    let v = 0;
    for (let c = 0; c < cols; c++) {
      const d = (x[base + c] as number) - m;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / cols + eps);
    mean[r] = m;
    rstd[r] = rs;
    for (let c = 0; c < cols; c++) {
      let y = ((x[base + c] as number) - m) * rs;
      if (w) y *= w[c] as number;
      if (b) y += b[c] as number;
      out[base + c] = y;
    }
  }
}

/**
 * Accumulates gradients: writes dx, and adds into dw / db (either may be null when not wanted, and w
 * null means no scale was applied). `mean` and `rstd` are what the forward saved.
 */
export function layerNormBackward(
  dx: FloatArray | null, dw: FloatArray | null, db: FloatArray | null,
  dy: FloatArray, x: FloatArray, mean: FloatArray, rstd: FloatArray, w: FloatArray | null,
  rows: number, cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const m = mean[r] as number;
    const rs = rstd[r] as number;
    let sumG = 0;
    let sumGX = 0;
    for (let c = 0; c < cols; c++) {
      const xh = ((x[base + c] as number) - m) * rs;
      const g = (dy[base + c] as number) * (w ? (w[c] as number) : 1);
      sumG += g;
      sumGX += g * xh;
      if (dw) dw[c] = (dw[c] as number) + (dy[base + c] as number) * xh;
      if (db) db[c] = (db[c] as number) + (dy[base + c] as number);
    }
    if (!dx) continue;
    const meanG = sumG / cols;
    const meanGX = sumGX / cols;
    for (let c = 0; c < cols; c++) {
      const xh = ((x[base + c] as number) - m) * rs;
      const g = (dy[base + c] as number) * (w ? (w[c] as number) : 1);
      dx[base + c] = rs * (g - meanG - xh * meanGX);
    }
  }
}
