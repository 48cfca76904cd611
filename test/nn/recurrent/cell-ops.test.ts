/** Fused step ops: float64 gradient checks of the hand-written kernel backwards, every variant. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError, autograd, manualSeed, nn, randn } from "../../../src/index.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };
const B = 3;
const H = 4;

describe("fused recurrent step ops", () => {
  for (const [peephole, coupled] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    test(`lstmStep gradcheck (peephole ${peephole}, coupled ${coupled})`, () => {
      manualSeed(1);
      const G = coupled ? 3 : 4;
      const xg = randn([B, G * H], f64);
      const hg = randn([B, G * H], f64);
      const c = randn([B, H], f64);
      const inputs = [xg, hg, c];
      if (peephole) inputs.push(randn([G - 1, H], f64));
      assert.ok(autograd.gradcheck((a, b, cc, p) => {
        const r = nn.lstmStep(a, b, cc, p ?? null, coupled);
        return [r.h, r.c];
      }, inputs));
    });
  }

  test("gruStep gradcheck", () => {
    manualSeed(2);
    assert.ok(autograd.gradcheck((a, b, h) => nn.gruStep(a, b, h), [randn([B, 3 * H], f64), randn([B, 3 * H], f64), randn([B, H], f64)]));
  });

  for (const nonlinearity of ["tanh", "relu"] as const) {
    test(`rnnStep gradcheck (${nonlinearity})`, () => {
      manualSeed(3);
      assert.ok(autograd.gradcheck((a, b) => nn.rnnStep(a, b, nonlinearity), [randn([B, H], f64), randn([B, H], f64)]));
    });
  }

  test("lstmStep: c' = f·c + i·g and h = o·tanh(c') from the gate pre-activations", () => {
    manualSeed(4);
    const xg = randn([1, 4 * H], { dtype: "float64" });
    const hg = randn([1, 4 * H], { dtype: "float64" });
    const c = randn([1, H], { dtype: "float64" });
    const r = nn.lstmStep(xg, hg, c);
    const pre = xg.add(hg).toTypedArray();
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    for (let j = 0; j < H; j++) {
      const [i, f, g, o] = [sig(pre[j] as number), sig(pre[H + j] as number), Math.tanh(pre[2 * H + j] as number), sig(pre[3 * H + j] as number)];
      const cNew = f * (c.toTypedArray()[j] as number) + i * g;
      assert.ok(Math.abs((r.c.toTypedArray()[j] as number) - cNew) < 1e-12);
      assert.ok(Math.abs((r.h.toTypedArray()[j] as number) - o * Math.tanh(cNew)) < 1e-12);
    }
  });

  test("shape errors name the op", () => {
    const xg = randn([2, 8]);
    assert.throws(() => nn.lstmStep(xg, xg, randn([2, 3])), ShapeError);
    assert.throws(() => nn.gruStep(randn([2, 9]), randn([2, 9]), randn([3, 3])), /gruStep/);
  });
});
