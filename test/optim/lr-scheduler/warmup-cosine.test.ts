import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../../src/index.js";
import { AdamW, lrScheduler } from "../../../src/optim/index.js";
import { assertAllClose } from "../helpers.js";

describe("optim/lrScheduler.warmupCosine", () => {
  test("linear warmup, cosine decay to minLr, then the floor (per group, by formula)", () => {
    const opt = new AdamW([
      { params: [tensor([1], { requiresGrad: true })], lr: 6e-4 },
      { params: [tensor([1], { requiresGrad: true })], lr: 3e-4, weightDecay: 0 },
    ]);
    const minLr = 6e-5;
    const schedule = lrScheduler.warmupCosine(opt, { warmupSteps: 10, totalSteps: 50, minLr });
    const expected = (base: number, t: number): number => {
      if (t < 10) return (base * (t + 1)) / 10;
      if (t > 50) return minLr;
      return minLr + 0.5 * (base - minLr) * (1 + Math.cos((Math.PI * (t - 10)) / 40));
    };
    for (let t = 0; t <= 60; t++) {
      if (t > 0) {
        opt.step();
        schedule.step();
      }
      assertAllClose(opt.paramGroups.map((g) => g.lr), [expected(6e-4, t), expected(3e-4, t)], 1e-12, 0, `t = ${t}`);
    }
    // Landmarks: the peak at the end of warmup, halfway down at the middle of the decay, the floor.
    schedule.step(9);
    assert.equal(schedule.getLastLr()[0], 6e-4);
    schedule.step(30);
    assertAllClose(schedule.getLastLr(), [(6e-4 + minLr) / 2, (3e-4 + minLr) / 2], 1e-12, 0, "midpoint");
    schedule.step(50);
    assertAllClose(schedule.getLastLr(), [minLr, minLr], 1e-12, 0, "end");
  });

  test("checks its arguments", () => {
    const opt = new AdamW([tensor([1], { requiresGrad: true })]);
    assert.throws(() => lrScheduler.warmupCosine(opt, { warmupSteps: 10, totalSteps: 10 }), /totalSteps must be an integer > warmupSteps/);
    assert.throws(() => lrScheduler.warmupCosine(opt, { warmupSteps: -1, totalSteps: 10 }), /warmupSteps/);
  });
});
