/**
 * The key/value cache for incremental decoding, shared by every model: each attention layer keeps the
 * keys and values of the positions already processed, so generating one more token projects and
 * attends with just that token instead of recomputing the whole sequence.
 *
 * Self-attention grows: without gradient recording (generation), appended positions are copied into a
 * buffer [B, H, capacity, D] whose capacity doubles when full (amortised O(1) copies per token), and
 * the keys/values handed to attention are views [B, H, S, D] over its filled part. With gradients
 * recorded, appending concatenates instead, so the cached keys stay differentiable.
 * Cross-attention keys/values depend only on the encoder output: they are stored once per source
 * (`set`) and read at every step.
 * `reorder` keeps batch rows in a given order (beam search); `fork` copies the cache cheaply.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { isGradEnabled, noGrad } from "../../autograd/grad-mode.js";
import { cat, copyInto, indexSelect, narrow } from "../../ops/index.js";
import { zeros } from "../../tensor/factory.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";

/**
 * A model's decoding state as decoding sees it (the KVCache below, the recurrent LM's state): positions
 * processed so far, and rows that can be reordered (beam search).
 */
export interface DecodingCache {
  readonly length: number;
  /** Keeps rows `from` in that order (row i becomes old row from[i]; repeats allowed). */
  reorder(from: readonly number[]): void;
}

/** Keys [B, H, S, D] and values [B, H, S, Dv]. */
export interface KeysValues {
  keys: Tensor;
  values: Tensor;
}

/** Past keys and values of one attention layer. */
export class LayerKVCache {
  /** What attention reads: views of the buffers, or concatenated tensors (with gradients), or null. */
  private current: KeysValues | null = null;
  /** The growing storage `current` views (generation), or null when `current` is not a view of one. */
  private buffers: KeysValues | null = null;

  /** `initialCapacity` positions are allocated at the first buffered append (more if the first chunk is longer). */
  constructor(readonly initialCapacity = 64) {}

  /** Number of cached positions S. */
  get length(): number {
    return (this.current?.keys.shape[2] as number | undefined) ?? 0;
  }

  /** Cached keys and values, or null when empty. */
  get(): KeysValues | null {
    return this.current;
  }

  /** Stores keys/values computed once (cross-attention over an encoder output), replacing what was there. */
  set(keys: Tensor, values: Tensor): KeysValues {
    checkKV(keys, values, "set");
    this.current = { keys, values };
    this.buffers = null;
    return this.current;
  }

  /** Appends k [B, H, T, D] and v [B, H, T, Dv]; returns all keys and values [B, H, S + T, ·]. */
  append(k: Tensor, v: Tensor): KeysValues {
    checkKV(k, v, "append");
    const past = this.current;
    if (past !== null) {
      const same = [0, 1, 3].every((d) => past.keys.shape[d] === k.shape[d]) && [0, 1, 3].every((d) => past.values.shape[d] === v.shape[d]) && past.keys.dtype === k.dtype;
      if (!same) {
        throw new ShapeError(`LayerKVCache.append: k ${formatShape(k.shape)} (${k.dtype}) does not match the cache ${formatShape(past.keys.shape)} (${past.keys.dtype})`);
      }
    }
    const differentiable = isGradEnabled() && (k.requiresGrad || v.requiresGrad || past?.keys.requiresGrad === true || past?.values.requiresGrad === true);
    if (differentiable) {
      this.current = past ? { keys: cat([past.keys, k], 2), values: cat([past.values, v], 2) } : { keys: k, values: v };
      this.buffers = null;
      return this.current;
    }
    const S = this.length;
    const T = k.shape[2] as number;
    noGrad(() => {
      this.reserve(k, v, S + T);
      const b = this.buffers as KeysValues;
      copyInto(narrow(b.keys, 2, S, T), k.detach());
      copyInto(narrow(b.values, 2, S, T), v.detach());
      this.current = { keys: narrow(b.keys, 2, 0, S + T), values: narrow(b.values, 2, 0, S + T) };
    });
    return this.current as KeysValues;
  }

  /** Makes the buffers hold at least `needed` positions, starting them from `current` when it is not a view of them. */
  private reserve(k: Tensor, v: Tensor, needed: number): void {
    const b = this.buffers;
    if (b !== null && (b.keys.shape[2] as number) >= needed) return;
    const S = this.length;
    const capacity = Math.max(needed, 2 * ((b?.keys.shape[2] as number | undefined) ?? 0), this.initialCapacity);
    const dtype = k.dtype as FloatDType;
    const [B, H] = [k.shape[0] as number, k.shape[1] as number];
    const keys = zeros([B, H, capacity, k.shape[3] as number], { dtype });
    const values = zeros([B, H, capacity, v.shape[3] as number], { dtype });
    if (this.current !== null && S > 0) {
      copyInto(narrow(keys, 2, 0, S), this.current.keys.detach());
      copyInto(narrow(values, 2, 0, S), this.current.values.detach());
    }
    this.buffers = { keys, values };
  }

  /** Keeps batch rows `indices` (int32 [B'], repeats allowed) in that order, e.g. the surviving beams of beam search. */
  reorder(indices: Tensor): void {
    const c = this.current;
    if (c === null) return;
    // Reordered rows are fresh tensors: the next append starts new buffers from them.
    this.current = noGrad(() => ({ keys: indexSelect(c.keys, 0, indices), values: indexSelect(c.values, 0, indices) }));
    this.buffers = null;
  }

  /**
   * A copy that shares the cached positions: appending to either leaves the other as it was (the
   * copy starts new buffers at its first append; the source only ever writes past what the copy sees).
   */
  fork(): LayerKVCache {
    const copy = new LayerKVCache(this.initialCapacity);
    copy.current = this.current;
    return copy;
  }

  /** Forgets every cached position (keeps nothing allocated). */
  reset(): void {
    this.current = null;
    this.buffers = null;
  }
}

function checkKV(k: Tensor, v: Tensor, op: string): void {
  if (k.ndim !== 4 || v.ndim !== 4 || k.shape[2] !== v.shape[2] || k.shape[0] !== v.shape[0] || k.shape[1] !== v.shape[1]) {
    throw new ShapeError(`LayerKVCache.${op}: expected k [B,H,T,D] and v [B,H,T,Dv], got ${formatShape(k.shape)} and ${formatShape(v.shape)}`);
  }
}

/**
 * The caches of a model: per layer, a self-attention cache and (encoder–decoder models) a
 * cross-attention cache, created on first use. This is the reorderable decoding state of every
 * transformer: beam search calls `reorder`.
 */
export class KVCache implements DecodingCache {
  private readonly selfLayers: LayerKVCache[] = [];
  private readonly crossLayers: LayerKVCache[] = [];

  constructor(readonly initialCapacity = 64) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) throw new ValueError(`KVCache: initialCapacity must be a positive integer, got ${initialCapacity}`);
  }

  private static at(list: LayerKVCache[], i: number, capacity: number, op: string): LayerKVCache {
    if (!Number.isInteger(i) || i < 0) throw new ValueError(`KVCache.${op}: index must be a non-negative integer, got ${i}`);
    while (list.length <= i) list.push(new LayerKVCache(capacity));
    return list[i] as LayerKVCache;
  }

  /** The self-attention cache of layer i. */
  layer(i: number): LayerKVCache {
    return KVCache.at(this.selfLayers, i, this.initialCapacity, "layer");
  }

  /** The cross-attention cache of layer i (keys/values of the encoder output, set once per source). */
  crossLayer(i: number): LayerKVCache {
    return KVCache.at(this.crossLayers, i, this.initialCapacity, "crossLayer");
  }

  /** Cached positions (of layer 0; all self-attention layers advance together). */
  get length(): number {
    return this.selfLayers[0]?.length ?? 0;
  }

  /** Keeps batch rows `from` in that order in every layer (row i becomes old row from[i]). */
  reorder(from: Tensor | readonly number[]): void {
    const indices = from instanceof Tensor ? from : new Tensor(Int32Array.from(from), [from.length]);
    for (const l of this.selfLayers) l.reorder(indices);
    for (const l of this.crossLayers) l.reorder(indices);
  }

  /** A copy that shares the cached positions; appending to either leaves the other as it was. */
  fork(): KVCache {
    const copy = new KVCache(this.initialCapacity);
    copy.selfLayers.push(...this.selfLayers.map((l) => l.fork()));
    copy.crossLayers.push(...this.crossLayers.map((l) => l.fork()));
    return copy;
  }

  reset(): void {
    for (const l of this.selfLayers) l.reset();
    for (const l of this.crossLayers) l.reset();
  }
}
