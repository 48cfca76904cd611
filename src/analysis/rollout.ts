/**
 * Attention rollout and attention flow (Abnar & Zuidema 2020, "Quantifying Attention Flow in
 * Transformers", §3). Both treat the residual connection as half of each layer's mixing:
 * Ã_l = rownorm(½ A_l + ½ I), with A_l the layer's attention averaged over heads, [n, n] for n tokens.
 *
 * - Rollout multiplies through the layers: R_1 = Ã_1, R_l = Ã_l · R_{l−1}; row i of R_L says how much
 *   output position i draws from each input token.
 * - Flow reads the layers as a graph: node (l, j) is token j after layer l (l = 0 is the input), an edge
 *   (l, i) → (l − 1, j) has capacity Ã_l[i][j], and the flow from output i to input j is the maximum
 *   flow between those two nodes. Each output row is then divided by its sum, as the paper's code does.
 */
import { ShapeError, ValueError } from "../errors.js";
import { type AttentionMaps, meanOverHeads } from "./attention-maps.js";
import { FlowNetwork } from "./max-flow.js";

/** Options of {@link attentionRollout} and {@link attentionFlow}. */
export interface RolloutOptions {
  /** Weight of the identity (residual) in Ã = rownorm((1 − r)·A + r·I). Default ½, as the paper. */
  readonly residualWeight?: number;
}

function checkSelfAttention(maps: AttentionMaps, op: string): number {
  if (maps.queries !== maps.keys) throw new ShapeError(`${op}: needs self-attention with Q = K, got Q=${maps.queries}, K=${maps.keys}`);
  return maps.keys;
}

/**
 * The residual-augmented, row-normalised attention Ã_l of every layer, each [n, n] row-major.
 * @throws ShapeError for cross-attention (Q ≠ K); ValueError for a residual weight outside [0, 1].
 */
export function residualAttention(maps: AttentionMaps, options: RolloutOptions = {}): Float64Array[] {
  const n = checkSelfAttention(maps, "residualAttention");
  const r = options.residualWeight ?? 0.5;
  if (!(r >= 0 && r <= 1)) throw new ValueError(`residualAttention: residualWeight must be in [0, 1], got ${r}`);
  const out: Float64Array[] = [];
  for (let l = 0; l < maps.layers; l++) {
    const a = meanOverHeads(maps, l);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const v = (1 - r) * a[i * n + j]! + (i === j ? r : 0);
        a[i * n + j] = v;
        sum += v;
      }
      for (let j = 0; j < n; j++) a[i * n + j]! /= sum;
    }
    out.push(a);
  }
  return out;
}

/**
 * Attention rollout after every layer: element l is R_{l+1} = Ã_{l+1} · … · Ã_1, [n, n] row-major.
 * The last element is the rollout of the whole model.
 */
export function attentionRollout(maps: AttentionMaps, options: RolloutOptions = {}): Float64Array[] {
  const layers = residualAttention(maps, options);
  const n = maps.keys;
  const out: Float64Array[] = [];
  let current = layers[0]!;
  out.push(current);
  for (let l = 1; l < layers.length; l++) {
    const a = layers[l]!;
    const next = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const aik = a[i * n + k]!;
        if (aik === 0) continue;
        for (let j = 0; j < n; j++) next[i * n + j]! += aik * current[k * n + j]!;
      }
    }
    out.push(next);
    current = next;
  }
  return out;
}

/** Options of {@link attentionFlow}. */
export interface FlowOptions extends RolloutOptions {
  /**
   * Compute the flow from the tokens after this layer (1 … L) down to the input, as the paper's code
   * does for every layer. Default L, the model's output.
   */
  readonly throughLayer?: number;
}

/** Result of {@link attentionFlow}. */
export interface AttentionFlow {
  /** Maximum flow from output position i (after the last layer) to input token j, [n, n] row-major. */
  readonly flow: Float64Array;
  /** `flow` with each row divided by its sum (the paper's normalisation), [n, n]. */
  readonly normalized: Float64Array;
}

/**
 * Largest n² · edges (max-flow problems times graph size) {@link attentionFlow} takes on: about a second
 * here (40 tokens × 4 layers is 1e7), so a call never hangs an interactive tool.
 */
export const MAX_FLOW_WORK = 2e7;

/**
 * Attention flow of the whole model (Abnar & Zuidema 2020): n² maximum-flow problems on the layered
 * graph of (L + 1)·n nodes and L·n² edges. That is cubic in n and more, so it is meant for short inputs.
 * @throws ValueError when n² · L · n² exceeds {@link MAX_FLOW_WORK} or for a bad `throughLayer`;
 *   ShapeError for cross-attention.
 */
export function attentionFlow(maps: AttentionMaps, options: FlowOptions = {}): AttentionFlow {
  const L = options.throughLayer ?? maps.layers;
  if (!Number.isInteger(L) || L < 1 || L > maps.layers) throw new ValueError(`attentionFlow: throughLayer must be an integer in [1, ${maps.layers}], got ${L}`);
  const layers = residualAttention(maps, options).slice(0, L);
  const n = maps.keys;
  const work = n * n * L * n * n;
  if (work > MAX_FLOW_WORK) {
    throw new ValueError(`attentionFlow: ${n} tokens × ${L} layers needs ${n * n} max-flow problems on ${L * n * n} edges, over the limit of ${MAX_FLOW_WORK} (n²·edges); use attentionRollout for long inputs`);
  }
  const node = (layer: number, token: number): number => layer * n + token;
  const graph = new FlowNetwork((L + 1) * n);
  layers.forEach((a, index) => {
    const l = index + 1;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const c = a[i * n + j]!;
      if (c > 0) graph.addEdge(node(l, i), node(l - 1, j), c);
    }
  });
  const flow = new Float64Array(n * n);
  const normalized = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const f = graph.maxFlow(node(L, i), node(0, j));
      flow[i * n + j] = f;
      sum += f;
    }
    for (let j = 0; j < n; j++) normalized[i * n + j] = sum > 0 ? flow[i * n + j]! / sum : 0;
  }
  return { flow, normalized };
}
