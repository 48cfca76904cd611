import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, ValueError, tensor } from "../../src/index.js";
import { clipGradNorm, clipGradValue } from "../../src/optim/index.js";

/** Two float64 parameters whose grads are a = [3, −4] and b = [[12], [0]]: 2-norm 13, 1-norm 19, ∞-norm 12. */
function params(): [Tensor, Tensor, Tensor] {
  const a = tensor([0, 0], { dtype: "float64", requiresGrad: true });
  const b = tensor([[0], [0]], { dtype: "float64", requiresGrad: true });
  const none = tensor([5], { dtype: "float64", requiresGrad: true });
  a.grad = tensor([3, -4], { dtype: "float64" });
  b.grad = tensor([[12], [0]], { dtype: "float64" });
  return [a, b, none];
}

describe("optim/clipGradNorm", () => {
  test("returns the global 2-norm and scales every grad by maxNorm/(norm + 1e-6)", () => {
    const [a, b, none] = params();
    const norm = clipGradNorm([a, b, none], 6.5);
    assert.equal(norm, 13);
    const k = 6.5 / (13 + 1e-6);
    assert.deepEqual(a.grad?.toArray(), [3 * k, -4 * k]);
    assert.deepEqual(b.grad?.toArray(), [[12 * k], [0]]);
    assert.equal(none.grad, null);
    // After clipping the norm is maxNorm (up to the 1e-6 guard).
    assert.ok(Math.abs(clipGradNorm([a, b], 100) - 6.5) < 1e-6);
  });

  test("leaves grads alone when the norm is within maxNorm", () => {
    const [a, b] = params();
    assert.equal(clipGradNorm([a, b], 13.5), 13);
    assert.deepEqual(a.grad?.toArray(), [3, -4]);
  });

  test("other norms: 1, 3 and Infinity", () => {
    let [a, b] = params();
    assert.equal(clipGradNorm([a, b], 100, 1), 19);
    [a, b] = params();
    const norm3 = clipGradNorm([a, b], 100, 3);
    assert.ok(Math.abs(norm3 - Math.cbrt(27 + 64 + 1728)) < 1e-12);
    [a, b] = params();
    assert.equal(clipGradNorm([a, b], 6, Infinity), 12);
    const k = 6 / (12 + 1e-6);
    assert.deepEqual(b.grad?.toArray(), [[12 * k], [0]]);
  });

  test("a single tensor, no grads, a non-contiguous grad", () => {
    const [a] = params();
    assert.equal(clipGradNorm(a, 1), 5);
    assert.equal(clipGradNorm([tensor([1], { requiresGrad: true })], 1), 0);
    const c = tensor([[0, 0], [0, 0]], { dtype: "float64", requiresGrad: true });
    c.grad = tensor([[3, 0], [4, 0]], { dtype: "float64" }).T; // strides [1, 2]
    assert.equal(clipGradNorm(c, 2.5), 5);
    const k = 2.5 / (5 + 1e-6);
    assert.deepEqual(c.grad.toArray(), [[3 * k, 4 * k], [0, 0]]);
  });

  test("non-finite norms: scaled like PyTorch, or an error when asked", () => {
    const [a, b] = params();
    (b.grad as Tensor).storage[0] = Number.POSITIVE_INFINITY;
    assert.throws(() => clipGradNorm([a, b], 1, 2, { errorIfNonfinite: true }), /total norm of order 2 .* is Infinity/);
    assert.equal(clipGradNorm([a, b], 1), Number.POSITIVE_INFINITY);
    assert.deepEqual(a.grad?.toArray(), [0, -0]);
    assert.throws(() => clipGradNorm([a], 1, 0), ValueError);
  });
});

describe("optim/clipGradValue", () => {
  test("clamps every element into [−c, c]", () => {
    const [a, b] = params();
    clipGradValue([a, b], 3.5);
    assert.deepEqual(a.grad?.toArray(), [3, -3.5]);
    assert.deepEqual(b.grad?.toArray(), [[3.5], [0]]);
    assert.throws(() => clipGradValue([a], -1), ValueError);
  });
});
