import { test } from "node:test";
import assert from "node:assert/strict";
import { AutogradError, DTypeError, Tensor, autograd, ops, tensor } from "../../src/index.js";
import { leaf } from "../ops/helpers.js";

/** y = x² with a deliberately wrong backward rule (3x instead of 2x). */
function wrongSquare(x: Tensor): Tensor {
  const out = new Tensor(Float64Array.from(x.toTypedArray(), (v) => v * v), x.shape);
  return ops.record(out, "wrongSquare", [x], (g) => [g.mul(x).mul(3)]);
}

test("passes a correct rule, catches a wrong one", () => {
  assert.equal(autograd.gradcheck((x) => x.square(), [leaf([3], 1)]), true);
  assert.equal(autograd.gradcheck(wrongSquare, [leaf([3], 1)], { raiseException: false }), false);
  assert.throws(() => autograd.gradcheck(wrongSquare, [leaf([3], 1)]), /gradcheck: input 0 element 0: analytical/);
});

test("catches a missing gradient for one of several outputs", () => {
  const dropSecond = (x: Tensor): Tensor[] => [x.mul(2), x.detach().mul(x.detach()).add(x.mul(0))];
  assert.equal(autograd.gradcheck(dropSecond, [leaf([2], 2)], { raiseException: false }), false);
});

test("needs float64 inputs and at least one that requires grad", () => {
  assert.throws(() => autograd.gradcheck((x) => x.exp(), [tensor([1], { requiresGrad: true })]), DTypeError);
  assert.throws(() => autograd.gradcheck((x) => x.exp(), [tensor([1], { dtype: "float64" })]), AutogradError);
});

test("leaves gradients cleared and inputs unchanged", () => {
  const x = leaf([4], 3);
  const before = Array.from(x.toTypedArray());
  autograd.gradcheck((a) => a.tanh(), [x]);
  assert.equal(x.grad, null);
  assert.deepEqual(Array.from(x.toTypedArray()), before);
});
