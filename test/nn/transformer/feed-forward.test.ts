/** FeedForward: hidden sizes (4C, gated 2/3 rule), PyTorch's parameter names, values against explicit ops, gradchecks. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, manualSeed, nn, ops } from "../../../src/index.js";
import { check, flat, randn64 } from "../../ops/helpers.js";

function ff(C: number, options: nn.FeedForwardOptions): nn.FeedForward {
  manualSeed(4);
  return new nn.FeedForward(C, { dtype: "float64", ...options });
}

describe("FeedForward", () => {
  test("hidden sizes: 4C by default; gated ⌈(8C/3) / multipleOf⌉·multipleOf (GPT's rule: 344 at C = 128)", () => {
    assert.equal(ff(6, {}).dFF, 24);
    assert.equal(ff(6, { activation: "swiglu" }).dFF, 16);
    assert.equal(ff(10, { activation: "swiglu" }).dFF, 32); // ⌈26.67 / 8⌉·8
    assert.equal(ff(10, { activation: "swiglu", multipleOf: 1 }).dFF, 27);
    assert.equal(ff(128, { activation: "swiglu" }).dFF, 344);
    assert.equal(nn.gatedHiddenSize(128), 344);
    assert.equal(nn.defaultFeedForwardSize(4096, "swiglu", 256), 11008); // LLaMA-7B
    assert.equal(ff(6, { activation: "swiglu", dFF: 7 }).dFF, 7);
    assert.throws(() => ff(6, { activation: "nope" as nn.ActivationName }), /activation/);
  });

  test("parameter names: PyTorch's linear1/linear2; a gated activation packs gate and value in linear1 [2F, C]", () => {
    assert.deepEqual(ff(4, { bias: false }).namedParameters().map(([n, p]) => [n, p.shape]), [["linear1.weight", [16, 4]], ["linear2.weight", [4, 16]]]);
    assert.deepEqual(ff(4, { activation: "swiglu", dFF: 5 }).namedParameters().map(([n, p]) => [n, p.shape]), [
      ["linear1.weight", [10, 4]], ["linear1.bias", [10]], ["linear2.weight", [4, 5]], ["linear2.bias", [4]],
    ]);
  });

  const hidden = (m: nn.FeedForward, x: Tensor) => ops.linear(x, m.linear1.weight, m.linear1.bias);
  const down = (m: nn.FeedForward, h: Tensor) => ops.linear(h, m.linear2.weight, m.linear2.bias);
  const tanhGelu = (h: Tensor) => ops.mul(ops.mul(h, 0.5), ops.add(ops.tanh(ops.mul(ops.add(h, ops.mul(ops.pow(h, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1));
  const explicit: Record<string, (m: nn.FeedForward, x: Tensor) => Tensor> = {
    relu: (m, x) => down(m, ops.relu(hidden(m, x))),
    // 0.5·h·(1 + erf(h/√2))
    gelu: (m, x) => down(m, ((h) => ops.mul(ops.mul(h, 0.5), ops.add(ops.erf(ops.mul(h, Math.SQRT1_2)), 1)))(hidden(m, x))),
    gelu_new: (m, x) => down(m, tanhGelu(hidden(m, x))),
    gelu_pytorch_tanh: (m, x) => down(m, tanhGelu(hidden(m, x))),
    swiglu: (m, x) => {
      const h = hidden(m, x);
      const a = ops.narrow(h, -1, 0, 5); // the gate half
      return down(m, ops.mul(ops.mul(a, ops.sigmoid(a)), ops.narrow(h, -1, 5, 5)));
    },
    geglu: (m, x) => {
      const h = hidden(m, x);
      const a = ops.narrow(h, -1, 0, 5);
      return down(m, ops.mul(ops.mul(ops.mul(a, 0.5), ops.add(ops.erf(ops.mul(a, Math.SQRT1_2)), 1)), ops.narrow(h, -1, 5, 5)));
    },
  };

  for (const activation of ["relu", "gelu", "gelu_new", "gelu_pytorch_tanh", "swiglu", "geglu"] as const) {
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

  test("hidden dropout only while training (PyTorch's linear2(dropout(act(linear1(x)))))", () => {
    const m = ff(4, { dropout: 0.5, activation: "relu" });
    const x = randn64([8, 4], 6);
    const train = m.forward(x);
    m.eval();
    const evalOut = flat(m.forward(x));
    assert.ok(flat(train).some((v, i) => Math.abs(v - (evalOut[i] as number)) > 1e-9), "training output differs");
    // Eval equals the explicit computation without dropout.
    const e = flat(explicit.relu!(m, x));
    evalOut.forEach((v, i) => assert.ok(Math.abs(v - (e[i] as number)) < 1e-12));
  });
});
