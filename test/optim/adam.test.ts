import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ValueError, tensor } from "../../src/index.js";
import { Adam, adamwUpdate } from "../../src/optim/index.js";
import { checkAgainstTorch } from "./helpers.js";
import { fitLine } from "./fit.js";

describe("optim/Adam", () => {
  test("matches torch.optim.Adam over 25 steps", () => checkAgainstTorch("adam-plain"));
  test("matches torch: amsgrad, L2 weight decay, betas", () => checkAgainstTorch("adam-amsgrad-l2"));
  test("matches torch: two parameter groups (amsgrad in one)", () => checkAgainstTorch("adam-groups"));

  test("kernel by hand: first step moves each weight by about lr·sign(g); ε sits outside the root", () => {
    // t = 1: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε).
    const p = new Float64Array([1, 1]);
    const m = new Float64Array(2);
    const v = new Float64Array(2);
    const h = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-3, weightDecay: 0, decoupledWeightDecay: false, step: 1, maximize: false };
    adamwUpdate(p, new Float64Array([1e-3, -4]), m, v, null, h);
    assert.ok(Math.abs((p[0] as number) - (1 - (0.1 * 1e-3) / (1e-3 + 1e-3))) < 1e-12, `got ${p[0]}`);
    assert.ok(Math.abs((p[1] as number) - (1 + (0.1 * 4) / (4 + 1e-3))) < 1e-12, `got ${p[1]}`);
  });

  test("learns y = 3x − 2", () => {
    const loss = fitLine((params) => new Adam(params, { lr: 0.1 }), 300);
    assert.ok(loss < 1e-4, `final loss ${loss}`);
  });

  test("option checks", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => new Adam([w], { betas: [0.9, 1] }), /invalid betas/);
    assert.throws(() => new Adam([w], { lr: Number.POSITIVE_INFINITY }), ValueError);
    assert.throws(() => new Adam([{ params: [w], amsgrad: 1 as unknown as boolean }]), /amsgrad must be true or false/);
  });
});
