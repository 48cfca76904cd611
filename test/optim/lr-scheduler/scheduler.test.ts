import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../../src/index.js";
import { SGD, lrScheduler } from "../../../src/optim/index.js";
import { type ScheduleCase, assertAllClose, fixture } from "../helpers.js";

const { StepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ConstantLR, LambdaLR, SequentialLR } = lrScheduler;

/** The fixture's optimiser: two groups with initial lrs 0.1 and 0.02. */
function optimizer(): SGD {
  return new SGD([
    { params: [tensor([0, 0], { requiresGrad: true })], lr: 0.1 },
    { params: [tensor([0, 0, 0], { requiresGrad: true })], lr: 0.02 },
  ], { lr: 0.1 });
}

/** The same lambdas as scripts/fixtures/optim.py. */
const LAMBDAS: Record<string, (e: number) => number> = {
  inverse: (e) => 1 / (1 + 0.1 * e),
  squareDecay: (e) => Math.pow(0.97, (e * e) / 10),
};

function make(opt: SGD, [kind, args]: [string, (number | string)[]]): lrScheduler.LRScheduler {
  const n = args as number[];
  switch (kind) {
    case "StepLR": return new StepLR(opt, n[0] as number, n[1]);
    case "ExponentialLR": return new ExponentialLR(opt, n[0] as number);
    case "CosineAnnealingLR": return new CosineAnnealingLR(opt, n[0] as number, n[1]);
    case "LinearLR": return new LinearLR(opt, n[0], n[1], n[2]);
    case "ConstantLR": return new ConstantLR(opt, n[0], n[1]);
    case "LambdaLR": return new LambdaLR(opt, LAMBDAS[args[0] as string] as (e: number) => number);
    default: throw new Error(`unknown scheduler ${kind}`);
  }
}

/** Builds a fixture case's schedulers; returns the optimiser and the schedulers to step each epoch. */
function build(c: ScheduleCase): { opt: SGD; step: lrScheduler.Scheduler[] } {
  const opt = optimizer();
  const schedulers = c.schedulers.map((spec) => make(opt, spec));
  if (c.mode === "sequential") return { opt, step: [new SequentialLR(opt, schedulers, c.milestones ?? [])] };
  return { opt, step: schedulers };
}

describe("optim/lrScheduler: against torch.optim.lr_scheduler", () => {
  for (const c of fixture().schedules) {
    test(`${c.name}: ${c.lrs.length - 1} steps`, () => {
      const { opt, step } = build(c);
      c.lrs.forEach((expected, epoch) => {
        if (epoch > 0) {
          opt.step();
          for (const s of step) s.step();
        }
        const lrs = opt.paramGroups.map((g) => g.lr);
        assertAllClose(lrs, expected, 1e-12, 1e-15, `${c.name} epoch ${epoch}`);
        if (c.mode !== "chained") assert.deepEqual(step[0]?.getLastLr(), lrs);
      });
    });
  }
});

describe("optim/lrScheduler: closed forms and state", () => {
  test("step(epoch) jumps to the closed form of each scheduler", () => {
    const cases: [(o: SGD) => lrScheduler.LRScheduler, (base: number, t: number) => number][] = [
      [(o) => new StepLR(o, 3, 0.5), (b, t) => b * Math.pow(0.5, Math.floor(t / 3))],
      [(o) => new ExponentialLR(o, 0.8), (b, t) => b * Math.pow(0.8, t)],
      [(o) => new CosineAnnealingLR(o, 10, 0.001), (b, t) => 0.001 + ((b - 0.001) * (1 + Math.cos((Math.PI * t) / 10))) / 2],
      [(o) => new LinearLR(o, 0.5, 1, 4), (b, t) => b * (0.5 + (0.5 * Math.min(t, 4)) / 4)],
      [(o) => new ConstantLR(o, 0.25, 3), (b, t) => b * (t >= 3 ? 1 : 0.25)],
    ];
    for (const [makeScheduler, formula] of cases) {
      for (const t of [0, 1, 2, 5, 7, 12]) {
        const opt = optimizer();
        const s = makeScheduler(opt);
        s.step(t);
        assertAllClose(s.getLastLr(), [formula(0.1, t), formula(0.02, t)], 1e-12, 0, `${s.name} at ${t}`);
      }
    }
  });

  test("stateDict round trip: a restored scheduler continues the same schedule", () => {
    const opt = optimizer();
    const warm = new LinearLR(opt, 0.1, 1, 5);
    const cosine = new CosineAnnealingLR(opt, 20, 0.001);
    const seq = new SequentialLR(opt, [warm, cosine], [5]);
    for (let i = 0; i < 8; i++) seq.step();
    const sd = JSON.parse(JSON.stringify(seq.stateDict())) as lrScheduler.SchedulerStateDict;
    const optSd = opt.stateDict();
    const expected: number[][] = [];
    for (let i = 0; i < 10; i++) {
      seq.step();
      expected.push(seq.getLastLr());
    }

    // PyTorch's resume order: build optimiser and schedulers, then load the optimiser's state (the
    // groups' lr and initialLr; constructing schedulers changed them), then the schedulers'.
    const opt2 = optimizer();
    const seq2 = new SequentialLR(opt2, [new LinearLR(opt2, 0.3, 1, 2), new CosineAnnealingLR(opt2, 3)], [2]);
    opt2.loadStateDict(optSd);
    seq2.loadStateDict(sd);
    for (let i = 0; i < 10; i++) {
      seq2.step();
      assertAllClose(seq2.getLastLr(), expected[i] as number[], 1e-15, 0, `step ${i}`);
    }
  });

  test("the first scheduler records initialLr; resuming needs it", () => {
    const opt = optimizer();
    new ExponentialLR(opt, 0.5);
    assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), [0.1, 0.02]);
    assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.1, 0.02]);
    assert.throws(() => new ExponentialLR(optimizer(), 0.5, 3), /has no initialLr/);
    const resumed = new ExponentialLR(opt, 0.5, 3);
    assert.equal(resumed.lastEpoch, 4);
    // A cosine schedule resumed mid-way starts from its closed form, whatever the current lr.
    const cosine = new CosineAnnealingLR(opt, 10, 0.001, 3);
    const at4 = (b: number): number => 0.001 + ((b - 0.001) * (1 + Math.cos((Math.PI * 4) / 10))) / 2;
    assertAllClose(cosine.getLastLr(), [at4(0.1), at4(0.02)], 1e-12, 0, "resumed cosine");
  });

  test("argument checks", () => {
    const opt = optimizer();
    assert.throws(() => new StepLR(opt, 0), /stepSize/);
    assert.throws(() => new LinearLR(opt, 0, 1, 5), /startFactor/);
    assert.throws(() => new CosineAnnealingLR(opt, 0), /tMax/);
    assert.throws(() => new LambdaLR(opt, [(e) => e]), /expected 2 lr functions/);
    const a = new StepLR(opt, 2);
    assert.throws(() => new SequentialLR(opt, [a], [3]), /expected 0 milestones/);
    assert.throws(() => new SequentialLR(optimizer(), [a], []), /different optimiser/);
  });
});
