/**
 * Logit processors: small pure functions over one row of logits (a Float32Array of length V). Each
 * returns a new array; removed tokens get −Infinity. Sampling applies them in Hugging Face's order:
 * repetition penalty → temperature → top-k → top-p.
 */
import { ValueError } from "../errors.js";

/** logits / T (T > 0): T < 1 sharpens the distribution, T > 1 flattens it. */
export function applyTemperature(logits: Float32Array, temperature: number): Float32Array {
  if (!(temperature > 0)) throw new ValueError(`applyTemperature: temperature must be > 0, got ${temperature}`);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = (logits[i] as number) / temperature;
  return out;
}

/**
 * CTRL's repetition penalty θ (Keskar et al. 2019, §4.1, as Hugging Face applies it): for every token
 * already in the context, a positive logit is divided by θ and a negative one multiplied by θ, so with
 * θ > 1 the token always becomes less likely (dividing a negative logit would raise it).
 */
export function applyRepetitionPenalty(logits: Float32Array, contextIds: Iterable<number>, penalty: number): Float32Array {
  if (!(penalty > 0)) throw new ValueError(`applyRepetitionPenalty: penalty must be > 0, got ${penalty}`);
  const out = Float32Array.from(logits);
  for (const id of new Set(contextIds)) {
    if (id < 0 || id >= out.length) continue;
    const l = logits[id] as number;
    out[id] = l > 0 ? l / penalty : l * penalty;
  }
  return out;
}

/** Indices of `logits` sorted by descending value; equal values keep index order (stable). */
function descendingOrder(logits: Float32Array): number[] {
  const order = Array.from({ length: logits.length }, (_, i) => i);
  return order.sort((a, b) => (logits[b] as number) - (logits[a] as number) || a - b);
}

/**
 * Keeps the k largest logits. Ties: every logit equal to the k-th largest value is kept too (as Hugging
 * Face's `TopKLogitsWarper`, which removes only logits strictly below the k-th value), so more than k
 * survive exactly when values tie at the boundary. k ≥ V keeps everything.
 */
export function topKFilter(logits: Float32Array, k: number): Float32Array {
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`topKFilter: k must be an integer ≥ 1, got ${k}`);
  if (k >= logits.length) return Float32Array.from(logits);
  const threshold = logits[descendingOrder(logits)[k - 1] as number] as number;
  return logits.map((l) => (l >= threshold ? l : -Infinity));
}

/**
 * Nucleus filter (Holtzman et al. 2020): keeps the smallest set of most likely tokens whose cumulative
 * probability is ≥ p, always at least the top token. Ties are broken by token index (lower first).
 */
export function topPFilter(logits: Float32Array, p: number): Float32Array {
  if (!(p > 0 && p <= 1)) throw new ValueError(`topPFilter: p must be in (0, 1], got ${p}`);
  if (p === 1) return Float32Array.from(logits);
  const probs = softmaxRow(logits);
  const order = descendingOrder(logits);
  const out = new Float32Array(logits.length).fill(-Infinity);
  let cumulative = 0;
  for (const i of order) {
    out[i] = logits[i] as number;
    cumulative += probs[i] as number;
    if (cumulative >= p) break;
  }
  return out;
}

/** softmax of one row in float64 (−Infinity → probability 0). */
export function softmaxRow(logits: Float32Array | Float64Array): Float64Array {
  let max = -Infinity;
  for (const l of logits) if (l > max) max = l;
  const out = new Float64Array(logits.length);
  if (max === -Infinity) throw new ValueError("softmaxRow: every logit is −Infinity");
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] as number) - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/** log-softmax of one row in float64: l − max − log Σ exp(l − max). */
export function logSoftmaxRow(logits: Float32Array | Float64Array): Float64Array {
  let max = -Infinity;
  for (const l of logits) if (l > max) max = l;
  if (max === -Infinity) throw new ValueError("logSoftmaxRow: every logit is −Infinity");
  let sum = 0;
  for (const l of logits) sum += Math.exp(l - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = (logits[i] as number) - lse;
  return out;
}

/** Index of the largest logit (the first one on ties), as torch.argmax. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if ((logits[i] as number) > (logits[best] as number)) best = i;
  return best;
}

/** Draws an index from probabilities (summing to 1) by inverting the CDF at one uniform u ∈ [0, 1). */
export function sampleFromProbs(probs: ArrayLike<number>, u: number): number {
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i] as number;
    if (p <= 0) continue;
    cumulative += p;
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u beyond a cumulative sum that rounding left just under 1
}
