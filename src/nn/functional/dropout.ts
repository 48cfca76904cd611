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
import { type HalfDType, allocateUninitialized, convertStorage, isFloating, isHalf } from "../../tensor/dtype.js";
import { to } from "../../ops/cast.js";
import { type Generator, defaultGenerator } from "../../tensor/rng.js";
import { Tensor } from "../../tensor/tensor.js";
import { isRecyclable, recycleBuffer } from "../../tensor/storage-pool.js";
import { floatData } from "./rows.js";

/** Options of `dropout`: the probability, training mode and the generator. */
export interface DropoutOptions {
  generator?: Generator;
}

/** Returns x itself when not training or p = 0 (as PyTorch). */
export function dropout(x: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: probability must be in [0, 1], got ${p}`);
  if (!isFloating(x.dtype) && !isHalf(x.dtype)) throw new DTypeError(`dropout: expected a floating-point tensor, got ${x.dtype}`);
  if (!training || p === 0) return x;
  const gen = options.generator ?? defaultGenerator;
  const seed: [number, number] = [gen.nextUint32(), gen.nextUint32()];
  if (isHalf(x.dtype)) return halfDropout(x, x.dtype, p, seed);
  const n = x.size;
  const out = allocateUninitialized(x.dtype, n, "dropout", x.shape) as FloatArray;
  getBackend().dropout(out, floatData(x), n, p, seed);
  return record(new Tensor(out, x.shape), "dropout", [x], (g) => {
    const gx = allocateUninitialized(x.dtype, n, "dropout backward", x.shape) as FloatArray;
    getBackend().dropout(gx, floatData(g), n, p, seed);
    return [new Tensor(gx, x.shape)];
  });
}

/**
 * Dropout of a float16/bfloat16 tensor: the float32 kernel on a widened copy, rounded back (the bits of
 * the op on a float32 cast, as PyTorch's half kernels compute), and the same for the gradient with the
 * mask regenerated from the seed — nothing float32 is kept between forward and backward.
 */
function halfDropout(x: Tensor, dtype: HalfDType, p: number, seed: readonly [number, number]): Tensor {
  const n = x.size;
  const apply = (t: Tensor): Tensor => {
    const wide = convertStorage(t.contiguousValues(), t.dtype, "float32") as Float32Array;
    getBackend().dropout(wide, wide, n, p, seed);
    const out = new Tensor(convertStorage(wide, "float32", dtype), x.shape);
    // The widened copy is done with: inside a backward (this op's, or a checkpoint's recomputed
    // forward) it goes back to the storage pool rather than to the GC.
    if (isRecyclable(wide.buffer)) recycleBuffer(wide.buffer);
    return out;
  };
  return record(apply(x), "dropout", [x], (g) => [apply(g.dtype === dtype ? g : to(g, dtype))]);
}
