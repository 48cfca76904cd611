/** Shared helpers of the tensor/autograd/ops tests: seeded float64 inputs, gradcheck, closeness. */
import assert from "node:assert/strict";
import { Generator, Tensor, autograd, randn, tensor, type NestedArray } from "../../src/index.js";

/** A float64 tensor of standard normals from its own seeded generator. */
export function randn64(shape: readonly number[], seed = 1): Tensor {
  return randn(shape, { dtype: "float64", generator: new Generator(seed) });
}

/** A float64 leaf that requires grad. */
export function leaf(shape: readonly number[], seed = 1): Tensor {
  return randn64(shape, seed).requiresGrad_();
}

/** A float64 leaf with values in [lo, hi), for ops defined on a range (log, sqrt, …). */
export function leafIn(shape: readonly number[], lo: number, hi: number, seed = 1): Tensor {
  const g = new Generator(seed);
  const t = randn(shape, { dtype: "float64", generator: g });
  const s = t.storage;
  for (let i = 0; i < s.length; i++) s[i] = lo + (hi - lo) * g.random();
  return t.requiresGrad_();
}

/** Asserts that gradcheck passes (it throws a descriptive AutogradError otherwise). */
export function check(fn: (...xs: Tensor[]) => Tensor | readonly Tensor[], inputs: readonly Tensor[], options: autograd.GradcheckOptions = {}): void {
  assert.equal(autograd.gradcheck(fn, inputs, options), true);
}

/** Deep comparison of nested numbers within an absolute+relative tolerance (NaN equals NaN). */
export function assertClose(actual: Tensor | NestedArray, expected: NestedArray, tol = 1e-6, path = ""): void {
  const a = actual instanceof Tensor ? actual.toArray() : actual;
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(a), `${path}: expected an array, got ${JSON.stringify(a)}`);
    assert.equal(a.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose((a as NestedArray[])[i] as NestedArray, e, tol, `${path}[${i}]`));
    return;
  }
  if (typeof expected === "boolean") {
    assert.equal(a, expected, path);
    return;
  }
  assert.equal(typeof a, "number", `${path}: expected a number, got ${JSON.stringify(a)}`);
  const x = a as number;
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(x), `${path}: expected NaN, got ${x}`);
    return;
  }
  if (!Number.isFinite(expected)) {
    assert.equal(x, expected, path);
    return;
  }
  assert.ok(Math.abs(x - expected) <= tol * (1 + Math.abs(expected)), `${path}: ${x} vs expected ${expected} (tol ${tol})`);
}

/** Row-major flat values of a tensor as plain numbers. */
export function flat(t: Tensor): number[] {
  return Array.from(t.toTypedArray(), Number);
}

/** int32 tensor from nested numbers. */
export function ints(data: NestedArray): Tensor {
  return tensor(data, { dtype: "int32" });
}

/** The gradient of t, asserting that backward produced one. */
export function gradOf(t: Tensor): Tensor {
  assert.ok(t.grad !== null, "expected a gradient");
  return t.grad;
}
