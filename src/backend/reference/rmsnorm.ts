/**
 * Row-wise RMSNorm (Zhang & Sennrich 2019) over contiguous [rows, cols] data, forward and backward, as
 * pure functions over typed arrays. No mean is subtracted and there is no bias:
 *
 *   rrms = 1/√(mean(x²) + ε)  (ε inside the sqrt, as torch.nn.RMSNorm),  x̂ = x·rrms,  y = x̂·w
 *   backward, with ĝ = dy·w:  dx = rrms·(ĝ − x̂·mean(ĝ·x̂)),  dw += Σ_rows dy·x̂
 */
import type { FloatArray } from "../backend.js";

/** Writes y into `out` and the per-row reciprocal RMS into `rrms`; `w` may be null (no scale). */
export function rmsNormForward(
  out: FloatArray, rrms: FloatArray, x: FloatArray, w: FloatArray | null,
  rows: number, cols: number, eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let ss = 0;
    for (let c = 0; c < cols; c++) {
      const v = x[base + c] as number;
      ss += v * v;
    }
    const rr = 1 / Math.sqrt(ss / cols + eps);
    rrms[r] = rr;
    for (let c = 0; c < cols; c++) {
      const y = (x[base + c] as number) * rr;
      out[base + c] = w ? y * (w[c] as number) : y;
    }
  }
}

/** Writes dx (when given) and adds into dw (when given); `rrms` is what the forward saved. */
export function rmsNormBackward(
  dx: FloatArray | null, dw: FloatArray | null,
  dy: FloatArray, x: FloatArray, rrms: FloatArray, w: FloatArray | null,
  rows: number, cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const rr = rrms[r] as number;
    let sumGX = 0;
    for (let c = 0; c < cols; c++) {
      const xh = (x[base + c] as number) * rr;
      const g = (dy[base + c] as number) * (w ? (w[c] as number) : 1);
      sumGX += g * xh;
      if (dw) dw[c] = (dw[c] as number) + (dy[base + c] as number) * xh;
    }
    if (!dx) continue;
    const meanGX = sumGX / cols;
    for (let c = 0; c < cols; c++) {
      const xh = (x[base + c] as number) * rr;
      const g = (dy[base + c] as number) * (w ? (w[c] as number) : 1);
      dx[base + c] = rr * (g - xh * meanGX);
    }
  }
}
