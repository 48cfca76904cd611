/**
 * Gradient clipping, as `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_` (torch 1.13). Both work in
 * place on the `.grad` of each parameter and skip parameters without one.
 */
import { ValueError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { stridedOffsets } from "../tensor/shape.js";
import { clampInPlace, scaleInPlace } from "./tensor-data.js";

/** Options of `clipGradNorm`: the norm type and whether a non-finite norm is an error. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or ±Infinity instead of scaling by it (PyTorch's error_if_nonfinite). */
  errorIfNonfinite?: boolean;
}

function gradients(params: Tensor | Iterable<Tensor>): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  return list.flatMap((p) => (p.grad === null ? [] : [p.grad]));
}

/** `acc` folded with every element of t in order (whatever its strides), by `step`: the rarer norms. */
function fold(t: Tensor, acc: number, step: (acc: number, v: number) => number): number {
  const s = t.storage;
  if (t.isContiguous()) {
    for (let i = t.offset, end = t.offset + t.size; i < end; i++) acc = step(acc, s[i]!);
  } else {
    for (const o of stridedOffsets(t.shape, t.strides, t.offset)) acc = step(acc, s[o]!);
  }
  return acc;
}

/**
 * Σ v² over t's elements added to `sum` one by one, for the default 2-norm: a plain loop on a contiguous
 * gradient, where a callback per element (the fold) cost ~5% of a TINY training step; the same float64
 * sums in the same order either way.
 */
function addSquares(t: Tensor, sum: number): number {
  const s = t.storage;
  if (!t.isContiguous()) return fold(t, sum, (acc, v) => acc + v * v);
  for (let i = t.offset, end = t.offset + t.size; i < end; i++) {
    const v = s[i]!;
    sum += v * v;
  }
  return sum;
}

/**
 * Scales all gradients together so that their global p-norm (the norm of the concatenation of every
 * gradient) is at most `maxNorm`: when the norm exceeds it, each gradient is multiplied by
 * maxNorm / (norm + 1e-6). `normType` is p (2 by default, Infinity for the largest magnitude).
 * Returns the total norm before clipping.
 */
export function clipGradNorm(
  params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, options: ClipGradNormOptions = {},
): number {
  if (!(normType > 0)) throw new ValueError(`clipGradNorm: normType must be > 0 or Infinity, got ${normType}`);
  if (!(maxNorm >= 0)) throw new ValueError(`clipGradNorm: maxNorm must be ≥ 0, got ${maxNorm}`);
  const grads = gradients(params);
  if (grads.length === 0) return 0;
  let total: number;
  if (normType === Infinity) {
    total = 0;
    // Math.max propagates NaN, as torch's amax does.
    for (const g of grads) total = fold(g, total, (acc, v) => Math.max(acc, Math.abs(v)));
  } else {
    let sum = 0;
    if (normType === 2) for (const g of grads) sum = addSquares(g, sum);
    else if (normType === 1) for (const g of grads) sum = fold(g, sum, (acc, v) => acc + Math.abs(v));
    else for (const g of grads) sum = fold(g, sum, (acc, v) => acc + Math.pow(Math.abs(v), normType));
    total = normType === 2 ? Math.sqrt(sum) : normType === 1 ? sum : Math.pow(sum, 1 / normType);
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new ValueError(
      `clipGradNorm: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped; ` +
        "set errorIfNonfinite to false to scale them anyway",
    );
  }
  // PyTorch multiplies by min(coef, 1) unconditionally; skipping the multiply by exactly 1 is the same.
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1 || Number.isNaN(coef)) for (const g of grads) scaleInPlace(g, coef);
  return total;
}

/** Clamps every gradient element into [−clipValue, clipValue], in place. */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ValueError(`clipGradValue: clipValue must be ≥ 0, got ${clipValue}`);
  for (const g of gradients(params)) clampInPlace(g, -clipValue, clipValue);
}
