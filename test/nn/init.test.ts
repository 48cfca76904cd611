/**
 * nn.init: fans (incl. conv-like 4-D shapes), gains, and the empirical statistics of each random fill
 * on a 512×512 tensor against the formulas (sampling tolerances noted per check).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, Generator, ValueError, defaultGenerator, manualSeed, nn, ops, zeros } from "../../src/index.js";
import { meanStd } from "./helpers.js";

const { init } = nn;
const N = 512;

/** Checks the sample std within 2% of `std` (sd of the estimate ≈ std/√(2·262144) ≈ 0.14%) and mean ≈ 0. */
function assertNormalStats(t: ReturnType<typeof zeros>, std: number, what: string): void {
  const s = meanStd(t);
  assert.ok(Math.abs(s.std / std - 1) < 0.02, `${what}: std ${s.std} vs ${std}`);
  assert.ok(Math.abs(s.mean) < 0.01 * std, `${what}: mean ${s.mean}`);
}

/** U(−b, b): every value inside, extremes within 1% of b, std b/√3 within 2%. */
function assertUniformStats(t: ReturnType<typeof zeros>, bound: number, what: string): void {
  const s = meanStd(t);
  assert.ok(s.min >= -bound && s.max <= bound, `${what}: range [${s.min}, ${s.max}] vs ±${bound}`);
  assert.ok(s.max > 0.99 * bound && s.min < -0.99 * bound, `${what}: extremes ${s.min}, ${s.max} do not reach ±${bound}`);
  assertNormalStats(t, bound / Math.sqrt(3), what);
}

describe("nn.init", () => {
  test("fans: [out, in] and conv-like [out, in, kh, kw]", () => {
    assert.deepEqual(init.calculateFanInAndFanOut(zeros([5, 3])), { fanIn: 3, fanOut: 5 });
    assert.deepEqual(init.calculateFanInAndFanOut(zeros([16, 8, 3, 5])), { fanIn: 8 * 15, fanOut: 16 * 15 });
    assert.deepEqual(init.calculateFanInAndFanOut(zeros([4, 2, 7])), { fanIn: 14, fanOut: 28 });
    assert.throws(() => init.calculateFanInAndFanOut(zeros([5])), ValueError);
  });

  test("gains, as torch.nn.init.calculate_gain", () => {
    assert.equal(init.calculateGain("linear"), 1);
    assert.equal(init.calculateGain("conv2d"), 1);
    assert.equal(init.calculateGain("sigmoid"), 1);
    assert.equal(init.calculateGain("tanh"), 5 / 3);
    assert.equal(init.calculateGain("relu"), Math.SQRT2);
    assert.equal(init.calculateGain("leakyRelu"), Math.sqrt(2 / (1 + 0.0001)));
    assert.equal(init.calculateGain("leakyRelu", 0.2), Math.sqrt(2 / 1.04));
    assert.equal(init.calculateGain("selu"), 0.75);
    assert.throws(() => init.calculateGain("softmax" as nn.init.Nonlinearity), ValueError);
  });

  test("uniform, normal, truncNormal, constant", () => {
    const g = new Generator(1);
    const t = zeros([N, N]);
    init.uniform(t, -0.5, 0.5, { generator: g });
    assertUniformStats(t, 0.5, "uniform");
    init.normal(t, 0, 0.02, { generator: g });
    assertNormalStats(t, 0.02, "normal");
    init.normal(t, 3, 2, { generator: g });
    assert.ok(Math.abs(meanStd(t).mean - 3) < 0.02);
    init.truncNormal(t, 0, 1, -1, 1, { generator: g });
    const s = meanStd(t);
    assert.ok(s.min >= -1 && s.max <= 1);
    // Variance of N(0,1) truncated to [−1, 1]: 1 − 2φ(1)/(Φ(1) − Φ(−1)) = 0.29112.
    assert.ok(Math.abs(s.std / Math.sqrt(0.29112) - 1) < 0.02, `truncNormal std ${s.std}`);
    init.constant(t, 0.25);
    assert.deepEqual([meanStd(t).min, meanStd(t).max], [0.25, 0.25]);
    init.ones(t);
    assert.equal(meanStd(t).min, 1);
    init.zeros(t);
    assert.equal(meanStd(t).max, 0);
  });

  test("xavierUniform: bound gain·√(6/(fanIn+fanOut)); xavierNormal: std gain·√(2/(fanIn+fanOut))", () => {
    const g = new Generator(2);
    const t = zeros([N, N / 2]); // fanIn 256, fanOut 512
    init.xavierUniform(t, 1, { generator: g });
    assertUniformStats(t, Math.sqrt(6 / 768), "xavierUniform");
    init.xavierUniform(t, 5 / 3, { generator: g });
    assertUniformStats(t, (5 / 3) * Math.sqrt(6 / 768), "xavierUniform tanh gain");
    init.xavierNormal(t, 1, { generator: g });
    assertNormalStats(t, Math.sqrt(2 / 768), "xavierNormal");
  });

  test("kaiming: std = gain/√fan (√2/√fanIn for ReLU, not 2/√fanIn)", () => {
    const g = new Generator(3);
    const t = zeros([N, N / 2]);
    init.kaimingNormal(t, { nonlinearity: "relu", generator: g });
    assertNormalStats(t, Math.sqrt(2 / 256), "kaimingNormal relu fanIn");
    init.kaimingNormal(t, { nonlinearity: "relu", mode: "fanOut", generator: g });
    assertNormalStats(t, Math.sqrt(2 / 512), "kaimingNormal relu fanOut");
    init.kaimingUniform(t, { generator: g }); // default leakyRelu with a = 0 → gain √2
    assertUniformStats(t, Math.sqrt(3) * Math.sqrt(2 / 256), "kaimingUniform default");
    init.kaimingUniform(t, { a: Math.sqrt(5), generator: g }); // Linear's default → bound 1/√fanIn
    assertUniformStats(t, 1 / 16, "kaimingUniform a=√5");
    const conv = zeros([64, 32, 3, 3]);
    init.kaimingNormal(conv, { nonlinearity: "relu", generator: g });
    assertNormalStats(conv, Math.sqrt(2 / (32 * 9)), "kaimingNormal conv");
    assert.throws(() => init.kaimingNormal(t, { mode: "fan_in" as nn.init.FanMode }), ValueError);
  });

  test("fills are in place, outside the graph, through strides, and seeded", () => {
    const p = new nn.Parameter(zeros([4, 6]));
    assert.equal(init.normal(p), p);
    assert.ok(p.isLeaf && p.requiresGrad);
    const t = zeros([4, 6]);
    init.ones(ops.slice(t, 1, 0, 6, 2)); // every other column of a view
    assert.deepEqual((t.toArray() as number[][])[0], [1, 0, 1, 0, 1, 0]);
    manualSeed(42);
    const a = init.normal(zeros([10])).toArray();
    manualSeed(42);
    assert.deepEqual(init.normal(zeros([10])).toArray(), a);
    const state = defaultGenerator.getState();
    init.normal(zeros([10]), 0, 1, { generator: new Generator(1) });
    assert.deepEqual(defaultGenerator.getState(), state, "an explicit generator leaves the default alone");
    assert.throws(() => init.normal(zeros([2], { dtype: "int32" })), DTypeError);
  });
});
