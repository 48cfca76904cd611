/** FeedForward: hidden sizes (4C, SwiGLU 2/3 rule), parameter names, values against explicit ops, gradchecks. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, manualSeed, nn, ops } from "../../../src/index.js";
import { check, flat, randn64 } from "../../ops/helpers.js";

function ff(C: number, options: nn.FeedForwardOptions): nn.FeedForward {
  manualSeed(4);
  return new nn.FeedForward(C, { dtype: "float64", ...options });
}

describe("FeedForward", () => {
  test("hidden sizes: 4C by default; SwiGLU round(8C/3) rounded up to multipleOf", () => {
    assert.equal(ff(6, {}).dFF, 24);
    assert.equal(ff(6, { activation: "swiglu" }).dFF, 16);
    assert.equal(ff(10, { activation: "swiglu" }).dFF, 27); // round(26.67)
    assert.equal(ff(10, { activation: "swiglu", multipleOf: 8 }).dFF, 32);
    assert.equal(nn.defaultFeedForwardSize(4096, "swiglu", 256), 11008); // LLaMA-7B
    assert.equal(ff(6, { activation: "swiglu", dFF: 7 }).dFF, 7);
    assert.throws(() => ff(6, { activation: "tanh" as nn.FeedForwardActivation }), /activation/);
  });

  test("parameter names: c_fc/c_proj, or w/v/w2 for SwiGLU", () => {
    assert.deepEqual(ff(4, { bias: false }).namedParameters().map(([n, p]) => [n, p.shape]), [["c_fc.weight", [16, 4]], ["c_proj.weight", [4, 16]]]);
    assert.deepEqual(ff(4, { activation: "swiglu", dFF: 5 }).namedParameters().map(([n]) => n), ["w.weight", "w.bias", "v.weight", "v.bias", "w2.weight", "w2.bias"]);
  });

  const explicit: Record<nn.FeedForwardActivation, (m: nn.FeedForward, x: Tensor) => Tensor> = {
    relu: (m, x) => ops.linear(ops.relu(ops.linear(x, m.c_fc!.weight, m.c_fc!.bias)), m.c_proj!.weight, m.c_proj!.bias),
    gelu: (m, x) => {
      const h = ops.linear(x, m.c_fc!.weight, m.c_fc!.bias); // 0.5·h·(1 + erf(h/√2))
      return ops.linear(ops.mul(ops.mul(h, 0.5), ops.add(ops.erf(ops.mul(h, Math.SQRT1_2)), 1)), m.c_proj!.weight, m.c_proj!.bias);
    },
    gelu_tanh: (m, x) => {
      const h = ops.linear(x, m.c_fc!.weight, m.c_fc!.bias);
      const inner = ops.mul(ops.add(h, ops.mul(ops.pow(h, 3), 0.044715)), Math.sqrt(2 / Math.PI));
      return ops.linear(ops.mul(ops.mul(h, 0.5), ops.add(ops.tanh(inner), 1)), m.c_proj!.weight, m.c_proj!.bias);
    },
    swiglu: (m, x) => {
      const a = ops.linear(x, m.w!.weight, m.w!.bias);
      return ops.linear(ops.mul(ops.mul(a, ops.sigmoid(a)), ops.linear(x, m.v!.weight, m.v!.bias)), m.w2!.weight, m.w2!.bias);
    },
  };

  for (const activation of ["relu", "gelu", "gelu_tanh", "swiglu"] as const) {
    test(`${activation}: values match explicit ops; gradcheck (float64)`, () => {
      const m = ff(3, { activation, dFF: 5 });
      const x = randn64([2, 3, 3], 5).requiresGrad_();
      const y = m.forward(x);
      assert.deepEqual(y.shape, [2, 3, 3]);
      const e = flat(explicit[activation](m, x));
      flat(y).forEach((v, i) => assert.ok(Math.abs(v - (e[i] as number)) < 1e-12, `${i}: ${v} vs ${e[i]}`));
      check((z) => m.forward(z), [x, ...m.parameters()]);
    });
  }

  test("output dropout only while training", () => {
    const m = ff(4, { dropout: 0.5 });
    const x = randn64([8, 4], 6);
    const train = flat(m.forward(x));
    m.eval();
    const evalOut = flat(m.forward(x));
    // Inverted dropout: each output is either dropped or scaled by 1/(1 − p) = 2.
    train.forEach((v, i) => assert.ok(v === 0 || Math.abs(v - 2 * (evalOut[i] as number)) < 1e-12, `${i}`));
    const dropped = train.filter((v) => v === 0).length;
    assert.ok(dropped > 4 && dropped < 28, `dropped ${dropped} of 32`);
  });
});
