/**
 * Head-to-head similarity by Jensen–Shannon divergence, as Clark et al. 2019 ("What Does BERT Look
 * At?", §6) compare heads: two heads are close when, for the same query, they spread attention over
 * the keys the same way.
 */
import { ShapeError } from "../errors.js";
import { type AttentionMaps, checkSameArchitecture, headWeights, sampleList, visibleKeys } from "./attention-maps.js";

/**
 * Jensen–Shannon divergence of two distributions in nats: JS(P, Q) = ½ KL(P‖M) + ½ KL(Q‖M) with
 * M = (P + Q)/2 (Lin 1991). Symmetric, 0 for equal inputs, at most log 2. Terms with p = 0 add 0.
 */
export function jensenShannonDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new ShapeError(`jensenShannonDivergence: lengths ${p.length} and ${q.length} differ`);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    const m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * Math.log(a / m);
    if (b > 0) js += 0.5 * b * Math.log(b / m);
  }
  return Math.max(0, js);
}

/**
 * Distance between every pair of heads, [L·H, L·H] row-major with head index l·H + h: the mean over
 * query rows (rows with at least two visible keys, pooled over the inputs) of the Jensen–Shannon
 * divergence between the two heads' rows. Clark et al.'s `head_distances.py` smooths both rows
 * (0.999·a + 0.001/n) and sums over tokens and documents; loom needs no smoothing (every term with
 * a > 0 has M ≥ a/2 > 0) and takes the mean, so the scale does not grow with the input length and
 * stays within [0, log 2].
 */
export function headSimilarityMatrix(samples: AttentionMaps | readonly AttentionMaps[]): Float64Array {
  const list = sampleList(samples);
  const { layers, heads } = checkSameArchitecture(list, "headSimilarityMatrix");
  const count = layers * heads;
  const sums = new Float64Array(count * count);
  let rows = 0;
  const selfTerms = new Float64Array(count);
  for (const maps of list) {
    const all: Float32Array[] = [];
    for (let l = 0; l < layers; l++) for (let h = 0; h < heads; h++) all.push(headWeights(maps, l, h));
    for (let q = 0; q < maps.queries; q++) {
      const n = visibleKeys(maps.queries, maps.keys, maps.causal, q);
      if (n < 2) continue;
      rows++;
      const start = q * maps.keys;
      // JS(P, Q) = ½ Σ p log p + ½ Σ q log q − Σ m log m: the first two sums once per head and row, so
      // each pair costs one logarithm per key instead of two.
      for (let a = 0; a < count; a++) selfTerms[a] = sumXLogX(all[a]!, start, n);
      for (let a = 0; a < count; a++) {
        const rowA = all[a]!;
        for (let b = a + 1; b < count; b++) {
          const rowB = all[b]!;
          let mixed = 0;
          for (let j = start; j < start + n; j++) {
            const m = (rowA[j]! + rowB[j]!) / 2;
            if (m > 0) mixed += m * Math.log(m);
          }
          const d = Math.max(0, (selfTerms[a]! + selfTerms[b]!) / 2 - mixed);
          sums[a * count + b]! += d;
          sums[b * count + a]! += d;
        }
      }
    }
  }
  if (rows > 0) for (let i = 0; i < sums.length; i++) sums[i]! /= rows;
  return sums;
}

function sumXLogX(row: Float32Array, start: number, n: number): number {
  let sum = 0;
  for (let j = start; j < start + n; j++) {
    const x = row[j]!;
    if (x > 0) sum += x * Math.log(x);
  }
  return sum;
}
