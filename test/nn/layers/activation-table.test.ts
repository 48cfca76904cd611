/** The activation table by Hugging Face name: each entry against its formula, gated variants, errors. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError, ValueError, nn, ops, tensor } from "../../../src/index.js";
import { check, flat, randn64 } from "../../ops/helpers.js";

const x = randn64([3, 4], 1);
const erfGelu = (h: number) => 0.5 * h * (1 + erfOf(h / Math.SQRT2));
const tanhGelu = (h: number) => 0.5 * h * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (h + 0.044715 * h ** 3)));
const sigmoid = (h: number) => 1 / (1 + Math.exp(-h));
function erfOf(v: number): number {
  return flat(ops.erf(tensor([v], { dtype: "float64" })))[0] as number;
}

test("element-wise activations by HF name equal their formulas (gelu exact; gelu_new = gelu_pytorch_tanh; quick_gelu; swish = silu)", () => {
  const formulas: Record<nn.ElementwiseActivationName, (h: number) => number> = {
    gelu: erfGelu,
    gelu_new: tanhGelu,
    gelu_pytorch_tanh: tanhGelu,
    quick_gelu: (h) => h * sigmoid(1.702 * h),
    relu: (h) => Math.max(h, 0),
    leaky_relu: (h) => (h > 0 ? h : 0.01 * h),
    elu: (h) => (h > 0 ? h : Math.exp(h) - 1),
    silu: (h) => h * sigmoid(h),
    swish: (h) => h * sigmoid(h),
    tanh: Math.tanh,
    sigmoid,
    linear: (h) => h,
  };
  for (const [name, f] of Object.entries(formulas)) {
    const got = flat(nn.activationFunction(name)(x));
    flat(x).forEach((v, i) => assert.ok(Math.abs((got[i] as number) - f(v)) < 1e-12, `${name}(${v}): ${got[i]} vs ${f(v)}`));
  }
});

test("gated activations: act(first half) ⊙ second half, with gradients; unknown names and odd widths refused", () => {
  const h = randn64([2, 6], 2).requiresGrad_();
  for (const [name, act] of [["swiglu", "silu"], ["geglu", "gelu"], ["reglu", "relu"]] as const) {
    assert.ok(nn.isGatedActivation(name));
    const got = flat(nn.activationFunction(name)(h));
    const a = flat(nn.activationFunction(act)(ops.narrow(h, -1, 0, 3)));
    const b = flat(ops.narrow(h, -1, 3, 3));
    got.forEach((v, i) => assert.ok(Math.abs(v - (a[i] as number) * (b[i] as number)) < 1e-12, `${name} ${i}`));
    check((z) => nn.activationFunction(name)(z), [h]);
  }
  assert.equal(nn.isGatedActivation("gelu"), false);
  assert.throws(() => nn.activationFunction("geluTanh"), (e: unknown) => e instanceof ValueError && /unknown activation "geluTanh" \(known: gelu, gelu_new/.test(e.message));
  assert.throws(() => nn.activationFunction("swiglu")(randn64([2, 5], 3)), ShapeError);
  assert.equal(new nn.Activation("gelu_new").forward(x).shape.join(), "3,4");
});
