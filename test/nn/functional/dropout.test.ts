/** dropout: seeded masks, scaling, gradcheck through a fixed mask, eval/p edge cases. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, ValueError, autograd, manualSeed, nn, ones, randn } from "../../../src/index.js";
import { attentionDropoutKeep } from "../../../src/backend/reference/attention.js";

const { dropout } = nn.functional;

describe("nn.functional.dropout", () => {
  test("zeros about p of the elements and scales the rest by 1/(1−p)", () => {
    const y = dropout(ones([100, 100]), 0.3, true, { generator: new Generator(1) });
    const v = y.toTypedArray();
    let zerosSeen = 0;
    for (const e of v) {
      if (e === 0) zerosSeen++;
      else assert.ok(Math.abs(e - 1 / 0.7) < 1e-6, `kept value ${e}`);
    }
    // Binomial(10⁴, 0.3): sd ≈ 46, so ±200 is > 4 sd.
    assert.ok(Math.abs(zerosSeen - 3000) < 200, `zeros ${zerosSeen}`);
  });

  test("the mask is element i zeroed iff its hash under the two seed words drawn from the generator is < p", () => {
    const g = new Generator(9);
    const seed: [number, number] = [g.nextUint32(), g.nextUint32()];
    const y = dropout(ones([40], { dtype: "float64" }), 0.5, true, { generator: new Generator(9) }).toTypedArray();
    let dropped = 0;
    for (let i = 0; i < 40; i++) {
      const keep = attentionDropoutKeep(seed, i, 0.5);
      assert.equal(y[i], keep ? 2 : 0);
      if (!keep) dropped++;
    }
    assert.ok(dropped > 5 && dropped < 35, `dropped ${dropped} of 40`); // the mask is not all one way
  });

  test("the backward multiplies the gradient by the forward's mask (regenerated from the seed)", () => {
    const x = randn([3, 70], { generator: new Generator(3) }).requiresGrad_();
    const y = dropout(x, 0.3, true, { generator: new Generator(4) });
    const g = randn([3, 70], { generator: new Generator(5) });
    y.backward(g);
    const ys = y.toTypedArray(), xs = x.toTypedArray(), gs = g.toTypedArray(), dx = x.grad!.toTypedArray();
    for (let i = 0; i < ys.length; i++) {
      const z = ys[i] === 0 && xs[i] !== 0 ? 0 : 1 / 0.7;
      assert.ok(Math.abs((dx[i] as number) - (gs[i] as number) * z) < 1e-6, `element ${i}`);
    }
  });

  test("gradcheck with a fixed mask (fresh seeded generator per call)", () => {
    const x = randn([4, 5], { dtype: "float64", generator: new Generator(2) }).requiresGrad_();
    assert.ok(autograd.gradcheck((x) => dropout(x, 0.4, true, { generator: new Generator(7) }), [x]));
  });

  test("the default generator is seeded by manualSeed", () => {
    manualSeed(123);
    const a = dropout(ones([50]), 0.5).toArray();
    manualSeed(123);
    assert.deepEqual(dropout(ones([50]), 0.5).toArray(), a);
  });

  test("eval mode and p = 0 return the input; p = 1 zeros everything; bad p is an error", () => {
    const x = randn([3]);
    assert.equal(dropout(x, 0.5, false), x);
    assert.equal(dropout(x, 0), x);
    assert.ok([...dropout(x, 1).toTypedArray()].every((v) => v === 0)); // ±0, as x·0
    assert.throws(() => dropout(x, 1.5), ValueError);
    assert.throws(() => dropout(x, -0.1), ValueError);
  });
});
