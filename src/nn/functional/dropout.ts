/**
 * Inverted dropout: each element is zeroed with probability p and the survivors are scaled by
 * 1/(1 − p), so the expected value is unchanged and evaluation needs no rescaling. The mask is drawn
 * from the seeded default generator (or the one given), one uniform draw per element in row-major
 * order, so a seeded run reproduces its masks.
 */
import { DTypeError, ValueError } from "../../errors.js";
import { record } from "../../ops/index.js";
import { allocate, isFloating, isHalf } from "../../tensor/dtype.js";
import { inFloat32 } from "../../ops/half.js";
import { type Generator, defaultGenerator } from "../../tensor/rng.js";
import { Tensor } from "../../tensor/tensor.js";
import { floatData } from "./rows.js";

/** Options of `dropout`: the probability, training mode and the generator. */
export interface DropoutOptions {
  generator?: Generator;
}

/** Returns x itself when not training or p = 0 (as PyTorch). */
export function dropout(x: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: probability must be in [0, 1], got ${p}`);
  if (isHalf(x.dtype)) return training && p !== 0 ? inFloat32([x], x.dtype, (w) => dropout(w as Tensor, p, training, options)) : x;
  if (!isFloating(x.dtype)) throw new DTypeError(`dropout: expected a floating-point tensor, got ${x.dtype}`);
  if (!training || p === 0) return x;
  const gen = options.generator ?? defaultGenerator;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const n = x.size;
  const mask = allocate(x.dtype, n);
  for (let i = 0; i < n; i++) mask[i] = gen.random() < p ? 0 : scale;
  const xs = floatData(x);
  const out = allocate(x.dtype, n);
  for (let i = 0; i < n; i++) out[i] = (xs[i] as number) * (mask[i] as number);
  return record(new Tensor(out, x.shape), "dropout", [x], (g) => {
    const gs = floatData(g);
    const gx = allocate(x.dtype, n);
    for (let i = 0; i < n; i++) gx[i] = (gs[i] as number) * (mask[i] as number);
    return [new Tensor(gx, x.shape)];
  });
}
