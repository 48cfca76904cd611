import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ValueError, tensor } from "../../src/index.js";
import { SGD, sgdUpdate } from "../../src/optim/index.js";
import { checkAgainstTorch } from "./helpers.js";
import { fitLine } from "./fit.js";

describe("optim/SGD", () => {
  test("matches torch.optim.SGD over 25 steps: plain", () => checkAgainstTorch("sgd-plain"));
  test("matches torch: momentum, Nesterov, weight decay", () => checkAgainstTorch("sgd-momentum-nesterov-wd"));
  test("matches torch: dampening, maximize", () => checkAgainstTorch("sgd-dampening-maximize"));
  test("matches torch: two parameter groups with their own lr and weight decay", () => checkAgainstTorch("sgd-groups"));

  test("kernel by hand: momentum buffer starts as the gradient, then b = μb + (1−τ)g", () => {
    const p = new Float64Array([1, -2]);
    const buf = new Float64Array(2);
    const h = { lr: 0.5, momentum: 0.9, dampening: 0.5, nesterov: false, weightDecay: 0.1, maximize: false };
    sgdUpdate(p, new Float64Array([2, 4]), buf, true, h);
    // g = grad + 0.1·p = [2.1, 3.8]; b = g; p −= 0.5·b
    assert.deepEqual([...buf], [2.1, 3.8]);
    assert.deepEqual([...p], [1 - 1.05, -2 - 1.9]);
    sgdUpdate(p, new Float64Array([0, 0]), buf, false, h);
    // g = 0.1·p = [−0.005, −0.39]; b = 0.9·b + 0.5·g
    assert.ok(Math.abs((buf[0] as number) - (0.9 * 2.1 + 0.5 * -0.005)) < 1e-15);
    assert.ok(Math.abs((buf[1] as number) - (0.9 * 3.8 + 0.5 * -0.39)) < 1e-15);
  });

  test("learns y = 3x − 2", () => {
    const loss = fitLine((params) => new SGD(params, { lr: 0.1, momentum: 0.9 }), 150);
    assert.ok(loss < 1e-4, `final loss ${loss}`);
  });

  test("option checks", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => new SGD([w], { lr: -1 }), ValueError);
    assert.throws(() => new SGD([w], { nesterov: true }), /Nesterov momentum requires/);
    assert.throws(() => new SGD([w], { momentum: 0.9, dampening: 0.1, nesterov: true }), /zero dampening/);
  });
});
