/**
 * The attention weights the analysis works on, independent of any model or tensor.
 *
 * Shape legend: L = layers, H = heads per layer, Q = query positions, K = key positions.
 * `weights[l][h]` is one head's matrix, row-major [Q, K]: entry `q * K + k` is the weight query q gives
 * key k, each row a probability distribution over the keys that row can see. Give each input without
 * padding (slice padded rows and keys off first): a padded key would count as a visible key everywhere.
 *
 * Cross-attention (T5's decoder over the encoder) fits too, with Q decoder and K encoder tokens; there
 * the positional statistics (locality, self/previous/next, offsets) compare indices of two different
 * sequences and mean little, while entropy, special tokens, punctuation and connections still do.
 */
import { IndexError, ShapeError, ValueError } from "../errors.js";

/** Attention weights of every layer and head for one input, with the tokens they belong to. */
export interface AttentionMaps {
  /** L: number of layers. */
  readonly layers: number;
  /** H: heads per layer. */
  readonly heads: number;
  /** Q: query positions (rows). */
  readonly queries: number;
  /** K: key positions (columns). Equal to Q for self-attention without a cache. */
  readonly keys: number;
  /** `weights[l][h]`: a Float32Array of Q × K, row-major. */
  readonly weights: readonly (readonly Float32Array[])[];
  /** The K key tokens, as the tokenizer shows them (used for labels and token classes). */
  readonly keyTokens: readonly string[];
  /** The Q query tokens; the same array as `keyTokens` for self-attention. */
  readonly queryTokens: readonly string[];
  /**
   * True for a causal (decoder) mask: query q sees keys 0 … q + (K − Q) only (the last Q of K
   * positions are the queries, as with a KV cache). Statistics then compare against the keys a row can
   * see, e.g. the uniform entropy log(q + 1 + K − Q), not log K.
   */
  readonly causal: boolean;
}

/** What {@link createAttentionMaps} needs besides the weights. */
export interface AttentionMapsInput {
  /** Weights as nested arrays [L][H][Q][K] or as per-head Float32Arrays [L][H] of Q × K. */
  readonly weights: readonly (readonly (readonly (readonly number[])[] | Float32Array)[])[];
  /** Key tokens (length K). */
  readonly keyTokens: readonly string[];
  /** Query tokens (length Q); defaults to the key tokens (self-attention). */
  readonly queryTokens?: readonly string[];
  /** Causal mask, see {@link AttentionMaps.causal}; default false. */
  readonly causal?: boolean;
}

/** Tolerance on a row sum: float32 softmax rows sum to 1 within a few ulps times K. */
const ROW_SUM_TOLERANCE = 1e-3;

/**
 * Builds and checks an {@link AttentionMaps}: every head has the same [Q, K], entries are finite and
 * non-negative, rows sum to 1, and a causal map puts no weight on keys a row cannot see.
 * @throws ShapeError when sizes disagree; ValueError for a negative, non-finite or masked weight or a
 *   row that does not sum to 1.
 */
export function createAttentionMaps(input: AttentionMapsInput): AttentionMaps {
  const keyTokens = [...input.keyTokens];
  const queryTokens = input.queryTokens === undefined ? keyTokens : [...input.queryTokens];
  const keys = keyTokens.length;
  const queries = queryTokens.length;
  const causal = input.causal ?? false;
  const layers = input.weights.length;
  if (layers === 0) throw new ShapeError("createAttentionMaps: weights have no layers");
  const heads = input.weights[0]!.length;
  if (heads === 0) throw new ShapeError("createAttentionMaps: layer 0 has no heads");
  if (keys === 0 || queries === 0) throw new ShapeError(`createAttentionMaps: ${queries} query and ${keys} key tokens; both must be at least 1`);
  if (causal && queries > keys) {
    throw new ShapeError(`createAttentionMaps: a causal map needs queries <= keys, got Q=${queries}, K=${keys}`);
  }
  const weights: Float32Array[][] = [];
  for (let l = 0; l < layers; l++) {
    const layer = input.weights[l]!;
    if (layer.length !== heads) throw new ShapeError(`createAttentionMaps: layer ${l} has ${layer.length} heads, layer 0 has ${heads}`);
    const out: Float32Array[] = [];
    for (let h = 0; h < heads; h++) {
      const head = layer[h]!;
      let matrix: Float32Array;
      if (head instanceof Float32Array) {
        if (head.length !== queries * keys) {
          throw new ShapeError(`createAttentionMaps: layer ${l} head ${h} has ${head.length} weights, expected Q×K = ${queries}×${keys}`);
        }
        matrix = head.slice();
      } else {
        if (head.length !== queries) throw new ShapeError(`createAttentionMaps: layer ${l} head ${h} has ${head.length} rows, expected Q=${queries}`);
        matrix = new Float32Array(queries * keys);
        head.forEach((row, q) => {
          if (row.length !== keys) throw new ShapeError(`createAttentionMaps: layer ${l} head ${h} row ${q} has ${row.length} keys, expected K=${keys}`);
          matrix.set(row, q * keys);
        });
      }
      checkRows(matrix, queries, keys, causal, `layer ${l} head ${h}`);
      out.push(matrix);
    }
    weights.push(out);
  }
  return { layers, heads, queries, keys, weights, keyTokens, queryTokens, causal };
}

function checkRows(matrix: Float32Array, queries: number, keys: number, causal: boolean, where: string): void {
  for (let q = 0; q < queries; q++) {
    const visible = visibleKeys(queries, keys, causal, q);
    let sum = 0;
    for (let k = 0; k < keys; k++) {
      const w = matrix[q * keys + k]!;
      if (!Number.isFinite(w) || w < 0) throw new ValueError(`createAttentionMaps: ${where} weight [${q},${k}] = ${w}; weights must be finite and >= 0`);
      if (k >= visible && w > 0) throw new ValueError(`createAttentionMaps: ${where} weight [${q},${k}] = ${w} lies under the causal mask (row ${q} sees ${visible} keys)`);
      sum += w;
    }
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) throw new ValueError(`createAttentionMaps: ${where} row ${q} sums to ${sum}, not 1`);
  }
}

/**
 * Number of keys query row q can see: K without a mask; q + 1 + (K − Q) under a causal mask, where the
 * queries are the last Q of the K positions.
 */
export function visibleKeys(queries: number, keys: number, causal: boolean, q: number): number {
  return causal ? q + 1 + (keys - queries) : keys;
}

/**
 * Position of query row q on the key axis: q + (K − Q). Self-attention has K = Q, so it is q itself;
 * with a KV cache the queries are the last Q positions. Locality and self/previous/next use it.
 */
export function queryPosition(maps: Pick<AttentionMaps, "queries" | "keys">, q: number): number {
  return q + (maps.keys - maps.queries);
}

/** One head's [Q, K] matrix (the stored array, not a copy). @throws IndexError for a layer or head out of range. */
export function headWeights(maps: AttentionMaps, layer: number, head: number): Float32Array {
  if (!Number.isInteger(layer) || layer < 0 || layer >= maps.layers) throw new IndexError(`analysis: layer ${layer} is not in [0, ${maps.layers})`);
  if (!Number.isInteger(head) || head < 0 || head >= maps.heads) throw new IndexError(`analysis: head ${head} is not in [0, ${maps.heads})`);
  return maps.weights[layer]![head]!;
}

/** Mean over the heads of one layer, [Q, K] (Abnar & Zuidema 2020 average heads before rollout). */
export function meanOverHeads(maps: AttentionMaps, layer: number): Float64Array {
  const out = new Float64Array(maps.queries * maps.keys);
  for (let h = 0; h < maps.heads; h++) {
    const w = headWeights(maps, layer, h);
    for (let i = 0; i < out.length; i++) out[i]! += w[i]! / maps.heads;
  }
  return out;
}

/** One input or several, as a list. */
export function sampleList(samples: AttentionMaps | readonly AttentionMaps[]): readonly AttentionMaps[] {
  return "weights" in samples ? [samples] : samples;
}

/** Checks that every input has the layer and head counts of the first. @throws ShapeError otherwise. */
export function checkSameArchitecture(samples: readonly AttentionMaps[], op: string): { layers: number; heads: number } {
  if (samples.length === 0) throw new ShapeError(`${op}: no inputs given`);
  const { layers, heads } = samples[0]!;
  samples.forEach((m, i) => {
    if (m.layers !== layers || m.heads !== heads) {
      throw new ShapeError(`${op}: input ${i} has ${m.layers} layers × ${m.heads} heads, input 0 has ${layers} × ${heads}`);
    }
  });
  return { layers, heads };
}
