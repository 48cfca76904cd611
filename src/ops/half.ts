/**
 * float16/bfloat16 inputs of ops. Kernels compute in float32 and float64 only; as PyTorch does on the
 * CPU, an op on half tensors computes in float32 and rounds its result back to half. `inFloat32` does
 * that for a whole differentiable op through `to` (so the backward runs in float32 too and the input
 * gradients come back as half). The ops of a transformer's hot path skip it for bfloat16 where the
 * backend has bf16 kernels, with the same bits and no recomputed forward: the bf16 GEMM (ops/matmul.ts),
 * GELU (ops/unary.ts), float32 ⊕ bf16 arithmetic (ops/arithmetic.ts), bias-gradient sums
 * (ops/views.ts), attention, dropout and autocast's cross-entropy read bf16 operands directly.
 */
import { DTypeError } from "../errors.js";
import { type DType, type HalfDType, convertStorage, isFloatingPoint, isHalf, promoteTypes } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { to } from "./cast.js";
import { record } from "./record.js";
import { autocastCache, autocastDType, withoutAutocast } from "../autograd/autocast.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { checkpoint } from "../autograd/checkpoint.js";

/** Whether any of the tensors is float16 or bfloat16. */
export function anyHalf(...xs: readonly (Tensor | null | undefined)[]): boolean {
  for (const x of xs) if (x && isHalf(x.dtype)) return true;
  return false;
}

/** The half dtype among the tensors (the first found), or null. */
export function halfDTypeOf(...xs: readonly (Tensor | null | undefined)[]): HalfDType | null {
  for (const x of xs) if (x && isHalf(x.dtype)) return x.dtype;
  return null;
}

/**
 * Runs `fn` with every half input cast to float32 and rounds its result to `outDtype` (a no-op cast
 * where it already has it). Casts are recorded, so gradients flow back as PyTorch's: float32 inside,
 * half at the inputs. When gradients are recorded the whole is a `checkpoint`: only the half inputs are
 * kept for the backward, which widens them again and recomputes the float32 op, so a half activation
 * costs half the memory of a float32 one (as PyTorch's bf16 kernels, which save their half inputs);
 * values and gradients are the same bits either way.
 */
export function inFloat32<const T extends readonly (Tensor | null)[]>(inputs: T, outDtype: DType, fn: (...xs: T) => Tensor): Tensor {
  const run = (...xs: (Tensor | null)[]): Tensor => {
    const wide = xs.map((x) => (x && isHalf(x.dtype) ? to(x, "float32") : x)) as unknown as T;
    const y = withoutAutocast(() => fn(...wide));
    return isFloatingPoint(y.dtype) && y.dtype !== outDtype ? to(y, outDtype) : y;
  };
  return isGradEnabled() && inputs.some((x) => x?.requiresGrad) ? checkpoint(run, ...inputs) : run(...inputs);
}

/** A half tensor's values as a float32 tensor of the same shape, not recorded (for forward-only kernels). */
export function widenValues(x: Tensor): Tensor {
  return isHalf(x.dtype) ? new Tensor(convertStorage(x.contiguousValues(), x.dtype, "float32"), x.shape) : x;
}

/** Rounds a float32 result to `dtype` when that is half, not recorded. */
export function narrowValues(y: Tensor, dtype: DType): Tensor {
  return isHalf(dtype) && y.dtype !== dtype ? new Tensor(convertStorage(y.contiguousValues(), y.dtype, dtype), y.shape) : y;
}

/**
 * The contiguous bits a half kernel reads for `x` in `dtype`: x's own (a view copied contiguous), or,
 * for an incoming gradient of another dtype, its values rounded to `dtype`; not recorded.
 */
export function halfBits(x: Tensor, dtype: HalfDType): Uint16Array {
  return narrowValues(x, dtype).contiguousValues() as Uint16Array;
}

/**
 * For ops whose operands must share one dtype once half precision is involved (matmul, linear,
 * attention; PyTorch raises "expected both to have the same dtype" there): a DTypeError naming `op`
 * and the dtypes when a half operand meets another dtype.
 */
export function checkSameHalf(op: string, ...xs: readonly (Tensor | null | undefined)[]): void {
  const half = halfDTypeOf(...xs);
  if (half === null) return;
  const dtypes = xs.filter((x): x is Tensor => x !== null && x !== undefined).map((x) => x.dtype);
  if (dtypes.some((d) => d !== half)) {
    throw new DTypeError(`${op}: expected operands of one dtype, got ${dtypes.join(", ")} (cast with to(), or run inside autocast())`);
  }
}

/**
 * PyTorch's result dtype of a binary op on two tensors: `promoteTypes`, except that a 0-d floating
 * operand (a number, say) does not widen a dimensioned half tensor: `x_bf16 · 0.5` stays bfloat16 (the
 * 0-d value itself is used at float32 precision, as torch's opmath does).
 */
export function promoteOperands(a: Tensor, b: Tensor): DType {
  if (isHalf(a.dtype) && a.ndim > 0 && b.ndim === 0 && isFloatingPoint(b.dtype)) return a.dtype;
  if (isHalf(b.dtype) && b.ndim > 0 && a.ndim === 0 && isFloatingPoint(a.dtype)) return b.dtype;
  return promoteTypes(a.dtype, b.dtype);
}

/**
 * Inside an autocast scope, a float32 operand of a matrix product cast to the scope's half dtype (a leaf
 * that requires grad, i.e. a parameter, is cast once per scope and the copy reused); outside, or for
 * other dtypes, `x` itself.
 */
export function autocastOperand(x: Tensor): Tensor {
  const dtype = autocastDType();
  if (dtype === null || x.dtype !== "float32") return x;
  if (!(x.isLeaf && x.requiresGrad)) return castSharingStorage(x, dtype);
  const cache = autocastCache() as Map<Tensor, Tensor>;
  let cast = cache.get(x);
  // A copy made without recording (under noGrad, or in a checkpoint's forward) carries no graph: it is
  // not handed to a recording op, nor kept for one.
  if (cast === undefined || cast.dtype !== dtype || (isGradEnabled() && cast.gradFn === null)) {
    cast = to(x, dtype);
    if (isGradEnabled()) cache.set(x, cast);
  }
  return cast;
}

/** The last half cast of each activation, while it lives (an activation read by several products). */
const activationCasts = new WeakMap<Tensor, Tensor>();

/**
 * `to(x, dtype)` for an activation, its values converted once however many products read it (the
 * three q, k, v projections of one LayerNorm output): each use still gets its own recorded cast, as
 * PyTorch's autocast makes (so each use's gradient comes back to float32 on its own and the float32
 * sums are unchanged), sharing the converted storage.
 */
function castSharingStorage(x: Tensor, dtype: DType): Tensor {
  const previous = activationCasts.get(x);
  if (previous === undefined || previous.dtype !== dtype) {
    const cast = to(x, dtype);
    activationCasts.set(x, cast);
    return cast;
  }
  const from = x.dtype;
  return record(new Tensor(previous.storage, previous.shape, previous.strides, previous.offset), "to", [x], (g) => [to(g, from)]);
}

/** Inside an autocast scope, a half input of a float32-only op (norms, softmax, reductions, losses) cast to float32. */
export function autocastFloat32(x: Tensor): Tensor {
  return autocastDType() !== null && isHalf(x.dtype) ? to(x, "float32") : x;
}

/** Whether an autocast scope is active. */
export function autocasting(): boolean {
  return autocastDType() !== null;
}
