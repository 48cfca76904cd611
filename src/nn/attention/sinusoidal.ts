/**
 * Fixed sinusoidal position encoding (Vaswani et al. 2017, §3.5):
 *   PE[pos, 2i] = sin(pos / 10000^(2i/C)),  PE[pos, 2i+1] = cos(pos / 10000^(2i/C)).
 * Shapes: x [..., T, C]; the table is [T, C].
 */
import { ValueError } from "../../errors.js";
import { add, narrow, to } from "../../ops/index.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

/** The table [length, dModel] for positions start..start+length−1 (float64). */
export function sinusoidalTable(length: number, dModel: number, start = 0, base = 10000): Tensor {
  const data = new Float64Array(length * dModel);
  for (let t = 0; t < length; t++) {
    for (let c = 0; c < dModel; c++) {
      const i2 = c - (c % 2); // the 2i of the pair c belongs to
      const angle = (start + t) / base ** (i2 / dModel);
      data[t * dModel + c] = c % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return new Tensor(data, [length, dModel]);
}

/** Adds the sinusoidal table to x [..., T, C]; positions start at `offset` (cached decoding). No parameters. */
export class SinusoidalPositionalEncoding extends Module {
  readonly dModel: number;
  readonly base: number;
  /** The table for positions 0..length−1 in each dtype asked for, grown by doubling. */
  private readonly tables = new Map<FloatDType, Tensor>();

  constructor(dModel: number, options: { base?: number } = {}) {
    super();
    if (!Number.isInteger(dModel) || dModel < 1) throw new ValueError(`SinusoidalPositionalEncoding: dModel must be a positive integer, got ${dModel}`);
    this.dModel = dModel;
    this.base = options.base ?? 10000;
  }

  /** The table rows for positions offset..offset+T−1, [T, C] (a view of a cached table). */
  encoding(T: number, offset = 0, dtype: FloatDType = "float32"): Tensor {
    let table = this.tables.get(dtype);
    if (table === undefined || (table.shape[0] as number) < offset + T) {
      const length = Math.max(offset + T, 2 * ((table?.shape[0] as number | undefined) ?? 0), 64);
      table = to(sinusoidalTable(length, this.dModel, 0, this.base), dtype);
      this.tables.set(dtype, table);
    }
    return narrow(table, 0, offset, T);
  }

  forward(x: Tensor, offset = 0): Tensor {
    if (x.shape[x.ndim - 1] !== this.dModel) throw new ValueError(`SinusoidalPositionalEncoding: last dim ${x.shape[x.ndim - 1]} is not dModel ${this.dModel}`);
    return add(x, this.encoding(x.shape[x.ndim - 2] as number, offset, x.dtype as FloatDType));
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}`;
  }
}
