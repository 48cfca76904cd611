/**
 * Fused softmax + cross-entropy over rows of logits [rows, C] with class-index targets (llm.c's
 * `crossentropy_softmax_backward` idea: never materialise log-probabilities for the backward).
 * Per row n with target y (rows whose target is `ignoreIndex` contribute nothing):
 *   lse = log Σ_c exp(x_c),  log p_c = x_c − lse
 *   nll_n    = −w_y · log p_y
 *   smooth_n = −Σ_c w_c · log p_c                  (label smoothing term; w ≡ 1 without class weights)
 * and the gradient of  a·nll_n + b·smooth_n  with respect to x_c is
 *   a·w_y·(p_c − [c = y]) + b·((Σ_k w_k)·p_c − w_c).
 */
import type { FloatArray } from "../backend.js";

export interface CrossEntropyRows {
  /** log Σ exp per row (NaN-free for finite logits). */
  lse: Float64Array;
  /** −w_y log p_y per row (0 for ignored rows). */
  nll: Float64Array;
  /** −Σ_c w_c log p_c per row (0 for ignored rows). */
  smooth: Float64Array;
}

export function crossEntropyForward(
  logits: FloatArray, targets: Int32Array, weight: FloatArray | null, rows: number, classes: number, ignoreIndex: number,
): CrossEntropyRows {
  const lse = new Float64Array(rows);
  const nll = new Float64Array(rows);
  const smooth = new Float64Array(rows);
  for (let n = 0; n < rows; n++) {
    const y = targets[n] as number;
    if (y === ignoreIndex) continue;
    const base = n * classes;
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, logits[base + c] as number);
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp((logits[base + c] as number) - m);
    const l = m + Math.log(s);
    lse[n] = l;
    nll[n] = -(weight ? (weight[y] as number) : 1) * ((logits[base + y] as number) - l);
    let sm = 0;
    for (let c = 0; c < classes; c++) sm -= (weight ? (weight[c] as number) : 1) * ((logits[base + c] as number) - l);
    smooth[n] = sm;
  }
  return { lse, nll, smooth };
}

/**
 * dlogits[n, c] = gNll[n]·w_y·(p_c − [c = y]) + gSmooth[n]·((Σ_k w_k)·p_c − w_c), where gNll/gSmooth are
 * the upstream gradients of each row's nll and smooth terms.
 */
export function crossEntropyBackward(
  dlogits: FloatArray, logits: FloatArray, targets: Int32Array, weight: FloatArray | null, lse: Float64Array,
  gNll: Float64Array, gSmooth: Float64Array, rows: number, classes: number, ignoreIndex: number,
): void {
  let wSum = classes;
  if (weight) {
    wSum = 0;
    for (let c = 0; c < classes; c++) wSum += weight[c] as number;
  }
  for (let n = 0; n < rows; n++) {
    const base = n * classes;
    const y = targets[n] as number;
    if (y === ignoreIndex) {
      dlogits.fill(0, base, base + classes);
      continue;
    }
    const a = (gNll[n] as number) * (weight ? (weight[y] as number) : 1);
    const b = gSmooth[n] as number;
    const l = lse[n] as number;
    for (let c = 0; c < classes; c++) {
      const p = Math.exp((logits[base + c] as number) - l);
      const wc = weight ? (weight[c] as number) : 1;
      dlogits[base + c] = a * (p - (c === y ? 1 : 0)) + b * (wSum * p - wc);
    }
  }
}
