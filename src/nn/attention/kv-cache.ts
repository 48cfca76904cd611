/**
 * Key/value cache for incremental decoding: each attention layer keeps the keys and values of the
 * positions already processed, so generating one more token projects and attends with just that token
 * instead of recomputing the whole sequence.
 *
 * Storage grows by appending into a buffer [B, H, capacity, D] whose capacity doubles when full
 * (amortised O(1) copies per token); `append` returns views [B, H, S, D] over the filled part, which
 * the fused attention reads in place. Cached tensors are detached: the cache is for inference (use it
 * under noGrad).
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { copyInto, indexSelect, narrow } from "../../ops/index.js";
import { zeros } from "../../tensor/factory.js";
import type { FloatDType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";

/** Past keys and values of one attention layer. */
export class LayerKVCache {
  private keyBuffer: Tensor | null = null;
  private valueBuffer: Tensor | null = null;
  private filled = 0;
  /** Set by cross-attention: the entries come from the encoder context and are never appended to. */
  crossOnly = false;

  /** `initialCapacity` positions are allocated at the first append (more if the first chunk is longer). */
  constructor(readonly initialCapacity = 64) {}

  /** Number of cached positions S. */
  get length(): number {
    return this.filled;
  }

  /** Cached keys [B, H, S, D] and values [B, H, S, Dv] (views), or null when empty. */
  get(): { keys: Tensor; values: Tensor } | null {
    if (this.keyBuffer === null || this.valueBuffer === null || this.filled === 0) return null;
    return { keys: narrow(this.keyBuffer, 2, 0, this.filled), values: narrow(this.valueBuffer, 2, 0, this.filled) };
  }

  /** Appends k [B, H, T, D] and v [B, H, T, Dv]; returns all keys and values [B, H, S + T, ·]. */
  append(k: Tensor, v: Tensor): { keys: Tensor; values: Tensor } {
    if (k.ndim !== 4 || v.ndim !== 4 || k.shape[2] !== v.shape[2] || k.shape[0] !== v.shape[0] || k.shape[1] !== v.shape[1]) {
      throw new ShapeError(`LayerKVCache.append: expected k [B,H,T,D] and v [B,H,T,Dv], got ${formatShape(k.shape)} and ${formatShape(v.shape)}`);
    }
    const T = k.shape[2] as number;
    noGrad(() => {
      this.ensureCapacity(k, v, this.filled + T);
      copyInto(narrow(this.keyBuffer as Tensor, 2, this.filled, T), k.detach());
      copyInto(narrow(this.valueBuffer as Tensor, 2, this.filled, T), v.detach());
    });
    this.filled += T;
    return this.get() as { keys: Tensor; values: Tensor };
  }

  private ensureCapacity(k: Tensor, v: Tensor, needed: number): void {
    const kb = this.keyBuffer;
    const vb = this.valueBuffer;
    if (kb !== null && vb !== null) {
      const same = [0, 1, 3].every((d) => kb.shape[d] === k.shape[d]) && [0, 1, 3].every((d) => vb.shape[d] === v.shape[d]) && kb.dtype === k.dtype;
      if (!same) {
        throw new ShapeError(`LayerKVCache.append: k ${formatShape(k.shape)} (${k.dtype}) does not match the cache ${formatShape(kb.shape)} (${kb.dtype})`);
      }
      if ((kb.shape[2] as number) >= needed) return;
    }
    const old = (kb?.shape[2] as number | undefined) ?? 0;
    const capacity = Math.max(needed, 2 * old, this.initialCapacity);
    const dtype = k.dtype as FloatDType;
    const [B, H] = [k.shape[0] as number, k.shape[1] as number];
    const newK = zeros([B, H, capacity, k.shape[3] as number], { dtype });
    const newV = zeros([B, H, capacity, v.shape[3] as number], { dtype });
    if (kb !== null && vb !== null && this.filled > 0) {
      copyInto(narrow(newK, 2, 0, this.filled), narrow(kb, 2, 0, this.filled));
      copyInto(narrow(newV, 2, 0, this.filled), narrow(vb, 2, 0, this.filled));
    }
    this.keyBuffer = newK;
    this.valueBuffer = newV;
  }

  /** Keeps batch rows `indices` (int32 [B']) in that order, e.g. the surviving beams of beam search. */
  reorder(indices: Tensor): void {
    if (this.keyBuffer === null || this.valueBuffer === null) return;
    noGrad(() => {
      this.keyBuffer = indexSelect(this.keyBuffer as Tensor, 0, indices);
      this.valueBuffer = indexSelect(this.valueBuffer as Tensor, 0, indices);
    });
  }

  /** Forgets every cached position (keeps nothing allocated). */
  reset(): void {
    this.keyBuffer = null;
    this.valueBuffer = null;
    this.filled = 0;
    this.crossOnly = false;
  }
}

/** The caches of every layer of a model, created on first use. */
export class KVCache {
  private readonly layers: LayerKVCache[] = [];

  constructor(readonly initialCapacity = 64) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) throw new ValueError(`KVCache: initialCapacity must be a positive integer, got ${initialCapacity}`);
  }

  /** The cache of layer i. */
  layer(i: number): LayerKVCache {
    if (!Number.isInteger(i) || i < 0) throw new ValueError(`KVCache.layer: index must be a non-negative integer, got ${i}`);
    while (this.layers.length <= i) this.layers.push(new LayerKVCache(this.initialCapacity));
    return this.layers[i] as LayerKVCache;
  }

  /** Cached positions (of layer 0; all self-attention layers advance together). */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  reorder(indices: Tensor): void {
    for (const l of this.layers) l.reorder(indices);
  }

  reset(): void {
    for (const l of this.layers) l.reset();
  }
}
