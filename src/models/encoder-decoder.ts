/**
 * What the transformer encoder–decoders (T5, the original Transformer) share besides nn/: checking ids
 * and masks, shifting labels right into decoder inputs, the source mask from row lengths, and the
 * decoder step of the one decoding interface (generate/decoder-step.ts) over an encoded source.
 *
 * Shapes: B batch, S source length, T decoder length (new positions), C width, V target vocabulary.
 */
import { ShapeError, ValueError, formatShape } from "../errors.js";
import { indexSelect } from "../ops/index.js";
import { tensor } from "../tensor/factory.js";
import { Tensor } from "../tensor/tensor.js";
import { KVCache } from "../nn/attention/kv-cache.js";

/** An encoder's output and the source mask that goes with it (for cross-attention). */
export interface EncoderMemory {
  /** [B, S, C] */
  hiddenStates: Tensor;
  /** [B, S] boolean, true = a real source token; null = all real. */
  mask: Tensor | null;
}

/** A [B, L] mask as boolean "attend" (int or float 1 = real), checked against the ids' shape; undefined → null. */
export function booleanMask(mask: Tensor | undefined, ids: Tensor, name: string, where: string): Tensor | null {
  if (mask === undefined) return null;
  if (mask.ndim !== 2 || mask.shape[0] !== ids.shape[0] || mask.shape[1] !== ids.shape[1]) {
    throw new ShapeError(`${where}: ${name} ${formatShape(mask.shape)} does not match the ids ${formatShape(ids.shape)}`);
  }
  return mask.dtype === "bool" ? mask : mask.ne(0);
}

/** Checks ids are int32 [B, L], non-empty, inside [0, vocab). */
export function checkIds(ids: Tensor, vocab: number, name: string, where: string): void {
  if (ids.ndim !== 2 || ids.dtype !== "int32") throw new ShapeError(`${where}: ${name} must be int32 [B, L], got ${ids.dtype} ${formatShape(ids.shape)}`);
  if ((ids.shape[1] as number) === 0) throw new ShapeError(`${where}: ${name} is empty ${formatShape(ids.shape)}`);
  for (const id of ids.toTypedArray()) {
    if (id < 0 || id >= vocab) throw new ValueError(`${where}: ${name} holds ${id}, outside the vocabulary [0, ${vocab})`);
  }
}

/** labels [B, T] → decoder inputs [start, labels[:, :-1]] with −100 replaced by `padId` (transformers' shift_tokens_right). */
export function shiftTokensRight(labels: Tensor, startId: number, padId: number): Tensor {
  if (labels.ndim !== 2) throw new ShapeError(`shiftTokensRight: labels must be [B, T], got ${formatShape(labels.shape)}`);
  const [B, T] = labels.shape as [number, number];
  const src = labels.toTypedArray();
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    out[b * T] = startId;
    for (let t = 1; t < T; t++) {
      const y = src[b * T + t - 1] as number;
      out[b * T + t] = y === -100 ? padId : y;
    }
  }
  return new Tensor(out, [B, T]);
}

/** The [B, S] int32 mask of right-padded rows of the given lengths (each in [1, S]). */
export function lengthsMask(src: Tensor, lengths: readonly number[], where: string): Tensor {
  if (src.ndim !== 2 || lengths.length !== src.shape[0]) {
    throw new ShapeError(`${where}: expected src [B, S] and B lengths, got ${formatShape(src.shape)} and ${lengths.length}`);
  }
  const [B, S] = src.shape as [number, number];
  const mask = new Int32Array(B * S);
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 1 || n > S) throw new ValueError(`${where}: source length ${n} of row ${b} is outside [1, ${S}]`);
    mask.fill(1, b * S, b * S + n);
  });
  return new Tensor(mask, [B, S]);
}

/** What the decoder step needs of a model: its decoder over an encoder output, and a fresh cache. */
export interface CachedDecoder {
  /** Decoder ids [B, T] (the new positions when a cache holds the past ones) → logits [B, T, V]. */
  decodeWith(memory: EncoderMemory, decoderIds: Tensor, options: { cache?: KVCache }): { logits: Tensor };
  newCache(): KVCache;
}

/**
 * The decoder step of a transformer encoder–decoder (the one decoding interface): the encoder ran once.
 * With the cache, cross-attention K/V are computed at the first step and read after, and self-attention
 * K/V grow in place, so each step feeds one token per row. Without it, every step reruns the decoder
 * over the whole rows (the reference the cached path must equal).
 */
export class EncoderDecoderStep {
  private cache: KVCache | null;

  constructor(private readonly model: CachedDecoder, private memory: EncoderMemory, readonly useCache: boolean) {
    this.cache = useCache ? model.newCache() : null;
  }

  /** Logits [B][V] of the next token after each row (rows extend the previous call's by one token). */
  next(rows: readonly (readonly number[])[]): { logits: Float32Array[] } {
    const T = rows[0]?.length ?? 0;
    if (T === 0) throw new ValueError("decoder step: rows must hold at least the decoder start token");
    const cache = this.cache;
    const feed = cache !== null && cache.length > 0 ? rows.map((r) => [r.at(-1) as number]) : rows;
    const L = feed[0]?.length ?? 0;
    const ids = new Int32Array(feed.length * L);
    feed.forEach((r, b) => ids.set(r, b * L));
    const { logits } = this.model.decodeWith(this.memory, new Tensor(ids, [feed.length, L]), cache ? { cache } : {});
    const V = logits.shape[2] as number;
    const flat = logits.toTypedArray() as Float32Array;
    return { logits: feed.map((_, b) => Float32Array.from(flat.subarray((b * L + L - 1) * V, (b * L + L) * V))) };
  }

  /** Keeps rows `from` in that order: the cache's rows and the encoder output's (beam search). */
  reorder(from: readonly number[]): void {
    const index = tensor(Int32Array.from(from), { dtype: "int32" });
    this.cache?.reorder(from);
    this.memory = {
      hiddenStates: indexSelect(this.memory.hiddenStates, 0, index),
      mask: this.memory.mask === null ? null : indexSelect(this.memory.mask, 0, index),
    };
  }
}
