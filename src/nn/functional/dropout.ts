/**
 * Inverted dropout: each element is zeroed with probability p and the survivors are scaled by
 * 1/(1 − p), so the expected value is unchanged and evaluation needs no rescaling. The mask is
 * counter-based: two 32-bit words drawn from the seeded default generator (or the one given) seed a
 * hash of each element's row-major index (backend/reference/dropout.ts), so a seeded run reproduces
 * its masks, the backward regenerates the mask from the seed instead of keeping one per element, and
 * a fast backend draws it inside its kernel.
 */
import { getBackend, type FloatArray } from "../../backend/index.js";
import { DTypeError, ValueError } from "../../errors.js";
import { record } from "../../ops/index.js";
import { allocateUninitialized, isFloating, isHalf } from "../../tensor/dtype.js";
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
  const seed: [number, number] = [gen.nextUint32(), gen.nextUint32()];
  const n = x.size;
  const out = allocateUninitialized(x.dtype, n, "dropout", x.shape) as FloatArray;
  getBackend().dropout(out, floatData(x), n, p, seed);
  return record(new Tensor(out, x.shape), "dropout", [x], (g) => {
    const gx = allocateUninitialized(x.dtype, n, "dropout backward", x.shape) as FloatArray;
    getBackend().dropout(gx, floatData(g), n, p, seed);
    return [new Tensor(gx, x.shape)];
  });
}
