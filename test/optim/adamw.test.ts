import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/index.js";
import { AdamW } from "../../src/optim/index.js";
import { checkAgainstTorch } from "./helpers.js";
import { fitLine } from "./fit.js";

describe("optim/AdamW", () => {
  test("matches torch.optim.AdamW over 25 steps (default weight decay 0.01)", () => checkAgainstTorch("adamw"));
  test("matches torch: amsgrad, maximize", () => checkAgainstTorch("adamw-amsgrad-maximize"));
  test("matches torch: weight decay only on the weights (second group without decay)", () => checkAgainstTorch("adamw-groups"));

  test("decoupled decay: with a zero gradient the weight shrinks by exactly lr·λ·p", () => {
    const w = tensor([2, -4], { dtype: "float64", requiresGrad: true });
    const opt = new AdamW([w], { lr: 0.1, weightDecay: 0.5 });
    w.grad = tensor([0, 0], { dtype: "float64" });
    opt.step();
    // m = v = 0, so only p ← p·(1 − 0.05) acts.
    assert.deepEqual(w.toArray(), [2 * 0.95, -4 * 0.95]);
  });

  test("learns y = 3x − 2", () => {
    const loss = fitLine((params) => new AdamW(params, { lr: 0.1, weightDecay: 0.01 }), 300);
    assert.ok(loss < 1e-3, `final loss ${loss}`);
  });
});
