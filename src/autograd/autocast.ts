/**
 * Mixed precision scopes, as `torch.autocast(device_type="cpu", dtype=…)`: inside `autocast(dtype, fn)`
 * the matrix products (matmul, addmm, linear, attention) cast their float32 operands to `dtype` and run
 * in half precision, while the ops that need range or accumulate many terms (reductions, norms,
 * softmax, losses) cast half inputs up and run in float32. Parameters stay float32 (the "master"
 * weights) and their gradients arrive in float32 through the recorded casts; a parameter is cast once
 * per scope (the cast cache below), however often the forward uses it.
 *
 * This file holds only the state; the casts happen in the ops (ops/half.ts `autocastOperand`).
 */
import { ValueError } from "../errors.js";

/** The half dtypes an autocast scope can run matrix products in. */
export type AutocastDType = "bfloat16" | "float16";

/** The innermost scope: its dtype (null when disabled by `{ enabled: false }`) and its cast cache. */
interface Scope {
  dtype: AutocastDType | null;
  /** Half copies of leaf tensors that require grad (parameters), made once per outermost scope. */
  cache: Map<object, unknown>;
}

let current: Scope | null = null;

/** Options of `autocast`. */
export interface AutocastOptions {
  /** false runs `fn` with autocasting off (to leave a region of an outer scope in float32). Default true. */
  enabled?: boolean;
}

/**
 * Runs `fn` with autocasting to `dtype` ("bfloat16" or "float16") and returns its result. Nested scopes
 * take the inner dtype (or switch autocasting off with `enabled: false`); the cast cache is cleared when
 * the outermost scope ends. Call `backward()` after the scope, as with PyTorch: the backward of each op
 * runs in the dtype its forward used. `fn` must be synchronous (a returned promise would run outside).
 * @example
 * ```ts
 * import { autocast, nn, randn } from "loom";
 * const layer = new nn.Linear(8, 4);
 * const y = autocast("bfloat16", () => layer.forward(randn([2, 8]))); // y is bfloat16
 * y.sum().backward(); // layer.weight.grad is float32
 * ```
 */
export function autocast<T>(dtype: AutocastDType, fn: () => T, options: AutocastOptions = {}): T {
  if (dtype !== "bfloat16" && dtype !== "float16") {
    throw new ValueError(`autocast: dtype must be "bfloat16" or "float16", got ${JSON.stringify(dtype)}`);
  }
  const previous = current;
  current = { dtype: (options.enabled ?? true) ? dtype : null, cache: previous?.cache ?? new Map() };
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** The dtype matrix products autocast to now, or null outside any enabled scope. */
export function autocastDType(): AutocastDType | null {
  return current?.dtype ?? null;
}

/** The innermost scope's cast cache (keyed by the float32 tensor), or null outside any scope. */
export function autocastCache(): Map<object, unknown> | null {
  return current?.dtype ? current.cache : null;
}

/**
 * Runs `fn` with autocasting off but the scope's cache kept: for ops that compute a half op on float32
 * copies internally (ops/half.ts `inFloat32`), which must not be cast back down.
 */
export function withoutAutocast<T>(fn: () => T): T {
  if (current === null || current.dtype === null) return fn();
  const previous = current;
  current = { dtype: null, cache: previous.cache };
  try {
    return fn();
  } finally {
    current = previous;
  }
}
