/**
 * nn.functional against PyTorch 1.13: forward values and input gradients of every activation,
 * layerNorm, rmsNorm, linear, swiglu and embedding (fixture: scripts/fixtures/nn.py). Each case runs
 * in float64 (tolerance 1e-5 relative, tight absolute floor) and again in float32 (values rounded
 * to float32, so a looser absolute floor).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, nn } from "../../../src/index.js";
import { type TorchCase, assertAllClose, fromFixture, torchCases } from "../helpers.js";

const F = nn.functional;

function run(c: TorchCase, ins: Record<string, Tensor>): Tensor {
  const o = c.options;
  const x = ins.x as Tensor;
  switch (c.fn) {
    case "sigmoid": return F.sigmoid(x);
    case "tanh": return F.tanh(x);
    case "relu": return F.relu(x);
    case "leakyRelu": return F.leakyRelu(x, o.negativeSlope as number);
    case "gelu": return F.gelu(x, { approximate: o.approximate as "none" | "tanh" });
    case "silu": return F.silu(x);
    case "softplus": return F.softplus(x, o.beta as number);
    case "elu": return F.elu(x, o.alpha as number);
    case "softmax": return F.softmax(x, o.dim as number);
    case "logSoftmax": return F.logSoftmax(x, o.dim as number);
    case "swiglu": return ins.w ? F.swiglu(x, ins.w, ins.v, ins.bw ?? null, ins.bv ?? null) : F.swiglu(x);
    case "layerNorm":
      return F.layerNorm(x, o.normalizedShape as number[], ins.weight ?? null, ins.bias ?? null, o.eps as number);
    case "rmsNorm": return F.rmsNorm(x, o.normalizedShape as number[], ins.weight ?? null, o.eps as number);
    case "linear": return F.linear(x, ins.weight as Tensor, ins.bias ?? null);
    case "embedding":
      return F.embedding(ins.ids as Tensor, ins.weight as Tensor, { paddingIdx: (o.paddingIdx as number | undefined) ?? null });
    default: throw new Error(`no runner for ${c.fn}`);
  }
}

function check(c: TorchCase, dtype: "float64" | "float32", rtol: number, atol: number): void {
  const ins: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.inputs)) {
    ins[k] = k === "ids" ? fromFixture(t, "int32") : fromFixture(t, "float64").to(dtype).requiresGrad_();
  }
  const y = run(c, ins);
  assert.equal(y.dtype, dtype, `${c.name}: output dtype`);
  assertAllClose(y, c.output, rtol, atol, `${c.name} (${dtype}) output`);
  y.backward(fromFixture(c.upstream).to(dtype));
  for (const [k, g] of Object.entries(c.grads)) {
    const grad = (ins[k] as Tensor).grad;
    assert.ok(grad, `${c.name}: no gradient for ${k}`);
    assertAllClose(grad, g, rtol, atol * 10, `${c.name} (${dtype}) d${k}`);
  }
}

describe("nn.functional vs PyTorch", () => {
  const cases = torchCases();
  test("the fixture covers every function", () => {
    const fns = new Set(cases.map((c) => c.fn));
    for (const f of ["sigmoid", "tanh", "relu", "leakyRelu", "gelu", "silu", "softplus", "elu", "softmax", "logSoftmax",
      "swiglu", "layerNorm", "rmsNorm", "linear", "embedding"]) assert.ok(fns.has(f), f);
  });
  for (const c of cases) {
    test(`${c.name} float64`, () => check(c, "float64", 1e-5, 1e-10));
    test(`${c.name} float32`, () => check(c, "float32", 1e-5, 1e-6));
  }
});
