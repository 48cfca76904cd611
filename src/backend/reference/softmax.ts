/**
 * Row-wise softmax and log-softmax over contiguous [rows, cols] data, with their backward rules:
 *   y = exp(x − max) / Σ exp(x − max);        dx = y ⊙ (dy − Σ dy⊙y)
 *   y = x − max − log Σ exp(x − max);          dx = dy − exp(y) · Σ dy
 */
import type { FloatArray } from "../backend.js";

export function softmaxForward(out: FloatArray, x: FloatArray, rows: number, cols: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[base + c] as number);
    if (m === -Infinity) m = 0; // an all −∞ row gives NaN like PyTorch through 0/0 below
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp((x[base + c] as number) - m);
    if (log) {
      const lse = m + Math.log(s);
      for (let c = 0; c < cols; c++) out[base + c] = (x[base + c] as number) - lse;
    } else {
      const inv = 1 / s;
      for (let c = 0; c < cols; c++) out[base + c] = Math.exp((x[base + c] as number) - m) * inv;
    }
  }
}

export function softmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let s = 0;
    if (log) {
      for (let c = 0; c < cols; c++) s += dy[base + c] as number;
      for (let c = 0; c < cols; c++) dx[base + c] = (dy[base + c] as number) - Math.exp(y[base + c] as number) * s;
    } else {
      for (let c = 0; c < cols; c++) s += (dy[base + c] as number) * (y[base + c] as number);
      for (let c = 0; c < cols; c++) dx[base + c] = (y[base + c] as number) * ((dy[base + c] as number) - s);
    }
  }
}
