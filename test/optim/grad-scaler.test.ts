/**
 * GradScaler against PyTorch's documented rule (torch.cuda.amp.GradScaler, 1.13: init 2^16, ×2 after
 * 2000 clean steps, ×0.5 and the step skipped on Inf/NaN). torch's own scaler needs CUDA in 1.13, so the
 * trajectories here are written out by hand from the rule, with overflow injected at chosen steps.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, ValueError, manualSeed, randn, tensor } from "../../src/index.js";
import { Adam, GradScaler, SGD, clipGradNorm, type GradScalerState } from "../../src/optim/index.js";

/** One iteration with a hand-set gradient: `bad` puts Inf (or NaN) into it, as an fp16 overflow would. */
function iterate(scaler: GradScaler, opt: SGD, p: Tensor, bad: false | "inf" | "nan"): void {
  const s = scaler.getScale();
  p.grad = tensor([0.5 * s, bad === "inf" ? Infinity : bad === "nan" ? NaN : -0.25 * s]);
  scaler.step(opt);
  assert.equal(scaler.foundInf(opt), bad !== false);
  scaler.update();
}

describe("optim/GradScaler", () => {
  test("PyTorch's defaults: scale 2^16, doubles after exactly 2000 clean steps, tracker resets", () => {
    const scaler = new GradScaler();
    assert.equal(scaler.getScale(), 65536);
    assert.equal(scaler.getGrowthFactor(), 2);
    assert.equal(scaler.getBackoffFactor(), 0.5);
    assert.equal(scaler.getGrowthInterval(), 2000);
    const p = tensor([1, 1], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0 });
    for (let i = 1; i <= 1999; i++) iterate(scaler, opt, p, false);
    assert.equal(scaler.getScale(), 65536);
    assert.equal(scaler.getGrowthTracker(), 1999);
    iterate(scaler, opt, p, false);
    assert.equal(scaler.getScale(), 131072);
    assert.equal(scaler.getGrowthTracker(), 0);
    iterate(scaler, opt, p, "nan");
    assert.equal(scaler.getScale(), 65536);
    assert.equal(scaler.getGrowthTracker(), 0);
  });

  test("scale trajectory with injected overflow, written out by hand from the rule (interval 3)", () => {
    const scaler = new GradScaler({ initScale: 1024, growthInterval: 3 });
    const p = tensor([1, 1], { requiresGrad: true });
    const opt = new SGD([p], { lr: 1 });
    const injected: (false | "inf" | "nan")[] = [false, false, false, "inf", false, "nan", "inf", false, false, false, false];
    const trajectory: [number, number][] = [];
    for (const bad of injected) {
      iterate(scaler, opt, p, bad);
      trajectory.push([scaler.getScale(), scaler.getGrowthTracker()]);
    }
    assert.deepEqual(trajectory, [
      [1024, 1], [1024, 2], [2048, 0], // third clean step: grow
      [1024, 0], // overflow: back off
      [1024, 1],
      [512, 0], [256, 0], // two overflows in a row
      [256, 1], [256, 2], [512, 0], [512, 1],
    ]);
    // 8 clean steps of SGD with lr 1 on the unscaled gradient [0.5, −0.25]; the 3 bad ones skipped.
    assert.deepEqual(p.toArray(), [1 - 8 * 0.5, 1 + 8 * 0.25]);
  });

  test("growth stops where the float32 scale would overflow", () => {
    const scaler = new GradScaler({ initScale: 2 ** 127, growthInterval: 1 });
    const p = tensor([1], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0 });
    p.grad = tensor([1]);
    scaler.step(opt);
    scaler.update();
    assert.equal(scaler.getScale(), 2 ** 127);
    assert.equal(scaler.getGrowthTracker(), 0);
  });

  test("a scaled training loop with unscale_ before clipping equals the unscaled loop bit for bit", () => {
    const run = (useScaler: boolean): number[][] => {
      manualSeed(11);
      const w = randn([4, 3], { requiresGrad: true });
      const x = randn([8, 4]);
      const y = randn([8, 3]);
      const opt = new Adam([w], { lr: 0.05 });
      const scaler = new GradScaler({ initScale: 2 ** 10, growthInterval: 2 });
      const out: number[][] = [];
      for (let step = 0; step < 6; step++) {
        opt.zeroGrad();
        const loss = x.matmul(w).sub(y).square().mean();
        if (useScaler) {
          scaler.scale(loss).backward();
          scaler.unscale_(opt);
          clipGradNorm([w], 0.5);
          scaler.step(opt);
          scaler.update();
        } else {
          loss.backward();
          clipGradNorm([w], 0.5);
          opt.step();
        }
        out.push([...(w.toTypedArray() as Float32Array)]);
      }
      if (useScaler) assert.equal(scaler.getScale(), 2 ** 13); // grew after steps 2, 4, 6
      return out;
    };
    // Power-of-two scales multiply and divide exactly, so nothing may differ.
    assert.deepEqual(run(true), run(false));
  });

  test("a real overflow (loss × 2^127 in float32) skips the step, leaves the optimiser state alone and backs off", () => {
    manualSeed(2);
    const w = randn([3], { requiresGrad: true });
    const before = [...(w.toTypedArray() as Float32Array)];
    const opt = new Adam([w], { lr: 0.1 });
    const scaler = new GradScaler({ initScale: 2 ** 127 });
    const x = tensor([300, -200, 500]);
    scaler.scale(w.mul(x).sum().square()).backward();
    assert.equal(scaler.step(opt), undefined);
    assert.equal(scaler.foundInf(opt), true);
    scaler.update();
    assert.deepEqual([...(w.toTypedArray() as Float32Array)], before);
    assert.deepEqual(opt.stateDict().state, {});
    assert.equal(scaler.getScale(), 2 ** 126);
  });

  test("unscale_ divides the gradients by the scale and reports Inf/NaN; misuse is a named error", () => {
    const p = tensor([0, 0, 0], { requiresGrad: true });
    const opt = new SGD([p], { lr: 1 });
    const scaler = new GradScaler({ initScale: 8 });
    p.grad = tensor([8, -4, 1]);
    scaler.unscale_(opt);
    assert.deepEqual(p.grad.toArray(), [1, -0.5, 0.125]);
    assert.equal(scaler.foundInf(opt), false);
    assert.throws(() => scaler.unscale_(opt), ValueError);
    scaler.step(opt); // uses the recorded unscale, does not divide again
    assert.deepEqual(p.toArray(), [-1, 0.5, -0.125]);
    assert.throws(() => scaler.step(opt), ValueError);
    assert.throws(() => scaler.unscale_(opt), ValueError);
    scaler.update();
    assert.throws(() => scaler.update(), /no Inf\/NaN checks were recorded/);
    assert.throws(() => new GradScaler({ growthFactor: 1 }), ValueError);
    assert.throws(() => new GradScaler({ backoffFactor: 1 }), ValueError);
    assert.throws(() => new GradScaler({ growthInterval: 0.5 }), ValueError);
    assert.throws(() => new GradScaler({ initScale: -1 }), ValueError);
    scaler.update(4); // an explicit new scale, as torch's update(new_scale)
    assert.equal(scaler.getScale(), 4);
  });

  test("stateDict / loadStateDict: a resumed scaler continues the same trajectory", () => {
    const make = (): [GradScaler, SGD, Tensor] => {
      const p = tensor([1, 1], { requiresGrad: true });
      return [new GradScaler({ initScale: 256, growthInterval: 4 }), new SGD([p], { lr: 0 }), p];
    };
    const pattern: (false | "inf")[] = [false, "inf", false, false, false, false, false, "inf", false, false, false, false, false];
    const [a, optA, pA] = make();
    const full: number[] = [];
    for (const bad of pattern) {
      iterate(a, optA, pA, bad);
      full.push(a.getScale());
    }
    const [b, optB, pB] = make();
    const resumed: number[] = [];
    for (const bad of pattern.slice(0, 5)) {
      iterate(b, optB, pB, bad);
      resumed.push(b.getScale());
    }
    // clean (t1), overflow (128, t0), three clean (t3): one short of growing.
    const saved = JSON.parse(JSON.stringify(b.stateDict())) as GradScalerState;
    assert.deepEqual(saved, { scale: 128, growthFactor: 2, backoffFactor: 0.5, growthInterval: 4, growthTracker: 3 });
    const [c, optC, pC] = make();
    c.loadStateDict(saved);
    for (const bad of pattern.slice(5)) {
      iterate(c, optC, pC, bad);
      resumed.push(c.getScale());
    }
    assert.deepEqual(resumed, full);
    assert.throws(() => c.loadStateDict({}), /empty/);
    assert.throws(() => c.loadStateDict({ ...saved, growthTracker: -1 }), ValueError);
  });

  test("a disabled scaler is a pass-through", () => {
    const scaler = new GradScaler({ enabled: false });
    const p = tensor([1], { requiresGrad: true });
    const opt = new SGD([p], { lr: 1 });
    const loss = p.mul(3).sum();
    assert.equal(scaler.scale(loss), loss);
    assert.equal(scaler.getScale(), 1);
    p.grad = tensor([Infinity]);
    scaler.step(opt);
    assert.deepEqual(p.toArray(), [-Infinity]);
    scaler.update();
    assert.deepEqual(scaler.stateDict(), {});
  });
});
