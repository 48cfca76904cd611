/**
 * Rotary position embedding, RoPE (Su et al. 2021, "RoFormer"): rotates each pair of q/k features by
 * an angle proportional to the position, so q·k depends on the relative position only.
 *
 * Convention: "rotate half", as GPT-NeoX and Hugging Face LLaMA — feature c is paired with c + R/2
 * (not with its neighbour c+1 as in the paper and the original Meta LLaMA code, which differ from this
 * by a fixed permutation of the q/k projection rows):
 *   θ_c = pos · base^(−2c/R) for c < R/2, repeated for the second half,
 *   rope(x) = x ⊙ cos θ + rotateHalf(x) ⊙ sin θ,   rotateHalf([x₁, x₂]) = [−x₂, x₁].
 * R = rotaryDim ≤ D rotates the first R features and passes the rest through (GPT-NeoX rotary_pct).
 * Shapes: x [..., T, D] (positions along dim −2, e.g. [B, H, T, D]); cos/sin tables [T, R].
 */
import { ValueError, ShapeError, formatShape } from "../../errors.js";
import { add, cat, mul, narrow, neg, to } from "../../ops/index.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

/** cos and sin tables [length, rotaryDim] for positions start..start+length−1, in float64. */
export function rotaryTables(rotaryDim: number, start: number, length: number, base = 10000): { cos: Tensor; sin: Tensor } {
  if (!Number.isInteger(rotaryDim) || rotaryDim < 2 || rotaryDim % 2 !== 0) {
    throw new ValueError(`rotaryTables: rotaryDim must be a positive even integer, got ${rotaryDim}`);
  }
  const half = rotaryDim / 2;
  const cos = new Float64Array(length * rotaryDim);
  const sin = new Float64Array(length * rotaryDim);
  for (let t = 0; t < length; t++) {
    for (let c = 0; c < half; c++) {
      const angle = (start + t) * base ** (-(2 * c) / rotaryDim);
      const [co, si] = [Math.cos(angle), Math.sin(angle)];
      cos[t * rotaryDim + c] = co;
      cos[t * rotaryDim + c + half] = co;
      sin[t * rotaryDim + c] = si;
      sin[t * rotaryDim + c + half] = si;
    }
  }
  return { cos: new Tensor(cos, [length, rotaryDim]), sin: new Tensor(sin, [length, rotaryDim]) };
}

/** rope(x) on the first cos.shape[1] features of x [..., T, D], given tables [T, R] (differentiable in x). */
export function applyRotaryEmbedding(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const R = cos.shape[1] as number;
  const D = x.shape[x.ndim - 1] as number;
  const T = x.shape[x.ndim - 2] as number;
  if (x.ndim < 2 || R > D || cos.shape[0] !== T) {
    throw new ShapeError(`applyRotaryEmbedding: input ${formatShape(x.shape)} does not fit tables ${formatShape(cos.shape)}`);
  }
  const rot = R === D ? x : narrow(x, -1, 0, R);
  const half = R / 2;
  const rotated = cat([neg(narrow(rot, -1, half, half)), narrow(rot, -1, 0, half)], -1); // rotateHalf
  const y = add(mul(rot, cos), mul(rotated, sin));
  return R === D ? y : cat([y, narrow(x, -1, R, D - R)], -1);
}

/** Options of rotary position embeddings: head dimension, base frequency θ, maximum positions. */
export interface RotaryEmbeddingOptions {
  /** Frequency base (default 10000). */
  base?: number;
}

/** RoPE for q and k of head dim `rotaryDim` (or larger, rotating the first rotaryDim features). */
export class RotaryEmbedding extends Module {
  readonly rotaryDim: number;
  readonly base: number;
  /** float64 tables for positions 0..cached−1, grown on demand. */
  private cos: Tensor | null = null;
  private sin: Tensor | null = null;
  private readonly cast = new Map<FloatDType, { cos: Tensor; sin: Tensor }>();

  constructor(rotaryDim: number, options: RotaryEmbeddingOptions = {}) {
    super();
    if (!Number.isInteger(rotaryDim) || rotaryDim < 2 || rotaryDim % 2 !== 0) {
      throw new ValueError(`RotaryEmbedding: rotaryDim must be a positive even integer, got ${rotaryDim}`);
    }
    this.rotaryDim = rotaryDim;
    this.base = options.base ?? 10000;
  }

  /** cos/sin [T, R] for positions offset..offset+T−1 in `dtype`. */
  tables(offset: number, T: number, dtype: FloatDType): { cos: Tensor; sin: Tensor } {
    const needed = offset + T;
    if (this.cos === null || (this.cos.shape[0] as number) < needed) {
      const length = Math.max(needed, 2 * ((this.cos?.shape[0] as number | undefined) ?? 0), 64);
      ({ cos: this.cos, sin: this.sin } = rotaryTables(this.rotaryDim, 0, length, this.base));
      this.cast.clear();
    }
    let tables = this.cast.get(dtype);
    if (tables === undefined) {
      tables = { cos: to(this.cos, dtype), sin: to(this.sin as Tensor, dtype) };
      this.cast.set(dtype, tables);
    }
    return { cos: narrow(tables.cos, 0, offset, T), sin: narrow(tables.sin, 0, offset, T) };
  }

  /** Rotates q [..., T, D] and k [..., T', D] whose first position is `offset` (the cached length). */
  forward(q: Tensor, k: Tensor, offset = 0): [Tensor, Tensor] {
    const dtype = q.dtype as FloatDType;
    const tq = this.tables(offset, q.shape[q.ndim - 2] as number, dtype);
    const tk = this.tables(offset, k.shape[k.ndim - 2] as number, dtype);
    return [applyRotaryEmbedding(q, tq.cos, tq.sin), applyRotaryEmbedding(k, tk.cos, tk.sin)];
  }

  override extraRepr(): string {
    return `rotaryDim=${this.rotaryDim}, base=${this.base}`;
  }
}
