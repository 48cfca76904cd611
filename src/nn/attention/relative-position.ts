/**
 * T5's bucketed relative positions (Raffel et al. 2020, §2.1; `_relative_position_bucket` in
 * transformers' modeling_t5.py): each head learns one scalar per bucket of the relative position
 * r = key position − query position, added to the attention scores.
 *
 * Buckets: bidirectional attention gives half the buckets to r > 0; of the B buckets of a direction,
 * distances n < B/2 get a bucket each, larger ones share logarithmically spaced buckets up to
 * maxDistance, beyond which everything falls in the last bucket:
 *   bucket(n) = n                                                         n < B/2
 *             = min(B/2 + ⌊log(n / (B/2)) / log(maxDistance / (B/2)) · (B − B/2)⌋, B − 1)   otherwise
 * (n = |r| bidirectional, with +B to the positive side; n = max(−r, 0) causal). The log is taken in
 * float32, as T5's implementations do, so boundary cases match them.
 *
 * Shapes: T queries, S keys, H heads; the bias is [1, H, T, S].
 */
import { ValueError } from "../../errors.js";
import { permute, unsqueeze } from "../../ops/index.js";
import { Tensor } from "../../tensor/tensor.js";
import { Embedding } from "../layers/embedding.js";
import type { LayerOptions } from "../layers/options.js";
import { Module } from "../module.js";

/** Options of T5's relative position buckets: direction, number of buckets, maximum distance. */
export interface RelativePositionOptions {
  /** Attention both ways (encoder) or causal (decoder). */
  bidirectional: boolean;
  /** Buckets in all (T5: relative_attention_num_buckets, default 32). */
  numBuckets?: number;
  /** Distances from here on share the last bucket (T5: relative_attention_max_distance, default 128). */
  maxDistance?: number;
}

/** The bucket of relative position r = key − query. */
export function relativePositionBucket(r: number, options: RelativePositionOptions): number {
  let buckets = options.numBuckets ?? 32;
  const maxDistance = options.maxDistance ?? 128;
  let bucket = 0;
  let n: number;
  if (options.bidirectional) {
    buckets = Math.floor(buckets / 2);
    if (r > 0) bucket += buckets;
    n = Math.abs(r);
  } else {
    n = Math.max(-r, 0);
  }
  const maxExact = Math.floor(buckets / 2);
  if (n < maxExact) return bucket + n;
  const f = Math.fround;
  const scaled = f(f(Math.log(f(f(n) / maxExact))) / f(Math.log(maxDistance / maxExact)));
  const large = maxExact + Math.trunc(f(scaled * (buckets - maxExact)));
  return bucket + Math.min(large, buckets - 1);
}

/** Buckets [T, S] (int32) for queries at positions offset … offset+T−1 over keys 0 … S−1. */
export function relativePositionBuckets(T: number, S: number, options: RelativePositionOptions & { offset?: number }): Tensor {
  const offset = options.offset ?? 0;
  const data = new Int32Array(T * S);
  for (let i = 0; i < T; i++) for (let j = 0; j < S; j++) data[i * S + j] = relativePositionBucket(j - (i + offset), options);
  return new Tensor(data, [T, S]);
}

/**
 * T5's learned relative position bias, named as T5 names it (`relative_attention_bias`, an embedding of
 * [numBuckets, H]); `forward(T, S)` gives the additive bias [1, H, T, S] that the attention path takes
 * as its `positionBias` operand, differentiable into the embedding.
 */
export class RelativePositionBias extends Module {
  readonly numHeads: number;
  readonly options: Required<RelativePositionOptions>;
  relative_attention_bias: Embedding;

  constructor(numHeads: number, options: RelativePositionOptions & LayerOptions) {
    super();
    const numBuckets = options.numBuckets ?? 32;
    const maxDistance = options.maxDistance ?? 128;
    if (!Number.isInteger(numBuckets) || numBuckets < 2) throw new ValueError(`RelativePositionBias: numBuckets must be an integer ≥ 2, got ${numBuckets}`);
    const exact = Math.floor((options.bidirectional ? Math.floor(numBuckets / 2) : numBuckets) / 2);
    if (!(maxDistance > exact)) throw new ValueError(`RelativePositionBias: maxDistance (${maxDistance}) must exceed the exact range (${exact})`);
    this.numHeads = numHeads;
    this.options = { bidirectional: options.bidirectional, numBuckets, maxDistance };
    this.relative_attention_bias = new Embedding(numBuckets, numHeads, { dtype: options.dtype ?? "float32" });
  }

  /** The bias [1, H, T, S] for T queries at positions offset … (the last T of S when decoding with a cache). */
  forward(T: number, S: number, offset = S - T): Tensor {
    const buckets = relativePositionBuckets(T, S, { ...this.options, offset }); // [T, S]
    const values = this.relative_attention_bias.forward(buckets); // [T, S, H]
    return unsqueeze(permute(values, [2, 0, 1]), 0); // [1, H, T, S]
  }

  override extraRepr(): string {
    const o = this.options;
    return `numHeads=${this.numHeads}, numBuckets=${o.numBuckets}, maxDistance=${o.maxDistance}, bidirectional=${o.bidirectional}`;
  }
}
