import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ValueError, tensor } from "../../src/index.js";
import { RMSprop, rmspropUpdate } from "../../src/optim/index.js";
import { checkAgainstTorch } from "./helpers.js";
import { fitLine } from "./fit.js";

describe("optim/RMSprop", () => {
  test("matches torch.optim.RMSprop over 25 steps: defaults", () => checkAgainstTorch("rmsprop-plain"));
  test("matches torch: centered, momentum, weight decay, eps", () => checkAgainstTorch("rmsprop-centered-momentum"));
  test("matches torch: two parameter groups", () => checkAgainstTorch("rmsprop-groups"));

  test("kernel by hand: first step of plain RMSprop moves by lr·g/(√((1−α)g²)+ε)", () => {
    const p = new Float64Array([0.5]);
    const s = new Float64Array(1);
    rmspropUpdate(p, new Float64Array([2]), s, null, null, 0, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, maximize: false });
    assert.ok(Math.abs((s[0] as number) - 0.04) < 1e-15);
    assert.ok(Math.abs((p[0] as number) - (0.5 - (0.01 * 2) / (0.2 + 1e-8))) < 1e-15);
  });

  test("learns y = 3x − 2", () => {
    const loss = fitLine((params) => new RMSprop(params, { lr: 0.02 }), 400);
    assert.ok(loss < 1e-3, `final loss ${loss}`);
  });

  test("option checks", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => new RMSprop([w], { alpha: -0.1 }), ValueError);
    assert.throws(() => new RMSprop([w], { eps: Number.NaN }), ValueError);
  });
});
