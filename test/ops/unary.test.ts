import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ops, tensor, type Tensor } from "../../src/index.js";
import { assertClose, check, leafIn, randn64 } from "./helpers.js";

const f64 = (xs: number[]): Tensor => tensor(xs, { dtype: "float64" });

describe("unary forward values (hand-computed / known constants)", () => {
  test("exp, log, log1p, expm1, sqrt, rsqrt, reciprocal, square", () => {
    assertClose(f64([0, 1, -1]).exp(), [1, Math.E, 1 / Math.E], 1e-15);
    assertClose(f64([1, Math.E, 0]).log(), [0, 1, -Infinity], 1e-15);
    assertClose(f64([1e-10]).log1p(), [1e-10 - 5e-21], 1e-15);
    assertClose(f64([1e-10]).expm1(), [1e-10 + 5e-21], 1e-15);
    assertClose(f64([4, 9, 0.25]).sqrt(), [2, 3, 0.5], 1e-15);
    assertClose(f64([4, 0.25]).rsqrt(), [0.5, 2], 1e-15);
    assertClose(f64([4, -0.5]).reciprocal(), [0.25, -2], 1e-15);
    assertClose(f64([-3, 1.5]).square(), [9, 2.25], 1e-15);
  });

  test("abs, sign, rounding (round half to even)", () => {
    assert.deepEqual(tensor([-2, 0, 3]).abs().toArray(), [2, 0, 3]);
    assert.deepEqual(tensor([-2, 0, 3]).sign().toArray(), [-1, 0, 1]);
    assert.deepEqual(tensor([-1.5, -0.5, 0.5, 1.5, 2.5, 2.6]).round().toArray(), [-2, -0, 0, 2, 2, 3]);
    assert.deepEqual(tensor([-1.5, 1.5]).floor().toArray(), [-2, 1]);
    assert.deepEqual(tensor([-1.5, 1.5]).ceil().toArray(), [-1, 2]);
    assert.deepEqual(tensor([-1.7, 1.7]).trunc().toArray(), [-1, 1]);
  });

  test("trig and tanh/sigmoid", () => {
    assertClose(f64([0, Math.PI / 2]).sin(), [0, 1], 1e-15);
    assertClose(f64([0, Math.PI]).cos(), [1, -1], 1e-15);
    assertClose(f64([0, 0.5]).tanh(), [0, 0.46211715726000974], 1e-15);
    // σ(x) = 1/(1+e^-x); extreme arguments must not overflow
    assertClose(f64([0, 2, -800, 800]).sigmoid(), [0.5, 1 / (1 + Math.exp(-2)), 0, 1], 1e-15);
    assertClose(f64([0.5, -1, 3]).erf(), [0.5204998778130465, -0.8427007929497149, 0.9999779095030014], 1e-14);
  });

  test("activations: relu, leakyRelu, gelu (exact and tanh), silu, softplus, elu", () => {
    assert.deepEqual(tensor([-1, 0, 2]).relu().toArray(), [0, 0, 2]);
    assertClose(f64([-2, 3]).leakyRelu(), [-0.02, 3], 1e-15);
    assertClose(f64([-2, 3]).leakyRelu(0.2), [-0.4, 3], 1e-15);
    // GELU(1) = Φ(1) = 0.8413447460685429; GELU(-1) = -(1 - Φ(1))
    assertClose(f64([1, -1, 0]).gelu(), [0.8413447460685429, -0.15865525393145707, 0], 1e-14);
    const u = Math.sqrt(2 / Math.PI) * (1 + 0.044715);
    assertClose(f64([1]).gelu({ approximate: "tanh" }), [0.5 * (1 + Math.tanh(u))], 1e-15);
    assertClose(f64([1, 0]).silu(), [1 / (1 + Math.exp(-1)), 0], 1e-15);
    assertClose(f64([0, 30]).softplus(), [Math.LN2, 30], 1e-15);
    assertClose(ops.softplus(f64([1]), 2), [Math.log1p(Math.exp(2)) / 2], 1e-15);
    assertClose(f64([-1, 2]).elu(), [Math.exp(-1) - 1, 2], 1e-15);
    assertClose(ops.elu(f64([-1]), 0.5), [0.5 * (Math.exp(-1) - 1)], 1e-15);
  });

  test("dtypes: int stays int for abs/sign/relu/square/rounding, else float32; float64 stays", () => {
    const i = tensor([-2, 3], { dtype: "int32" });
    for (const op of [ops.abs, ops.sign, ops.relu, ops.square, ops.floor]) assert.equal(op(i).dtype, "int32");
    for (const op of [ops.exp, ops.sqrt, ops.sigmoid, ops.tanh]) assert.equal(op(i).dtype, "float32");
    assert.equal(f64([1]).exp().dtype, "float64");
    assert.equal(tensor([1]).exp().dtype, "float32");
  });
});

describe("unary gradients (gradcheck, float64, non-contiguous inputs)", () => {
  // A transposed leaf, so every rule is checked on strided input.
  const anyReal = (): Tensor => randn64([4, 3], 11).T.requiresGrad_();
  const positive = (): Tensor => leafIn([4, 3], 0.2, 3, 12).T.detach().requiresGrad_();

  const everywhere: [string, (x: Tensor) => Tensor][] = [
    ["exp", ops.exp], ["expm1", ops.expm1], ["abs", ops.abs], ["sin", ops.sin], ["cos", ops.cos], ["tanh", ops.tanh],
    ["sigmoid", ops.sigmoid], ["relu", ops.relu], ["square", ops.square], ["erf", ops.erf], ["neg", ops.neg],
    ["leakyRelu", (x) => ops.leakyRelu(x, 0.1)], ["gelu", (x) => ops.gelu(x)], ["gelu tanh", (x) => ops.gelu(x, { approximate: "tanh" })],
    ["silu", ops.silu], ["softplus", (x) => ops.softplus(x)], ["softplus β=2", (x) => ops.softplus(x, 2)],
    ["elu", (x) => ops.elu(x, 0.7)], ["sign", ops.sign], ["floor", ops.floor], ["ceil", ops.ceil], ["round", ops.round], ["trunc", ops.trunc],
  ];
  for (const [name, fn] of everywhere) test(name, () => check(fn, [anyReal()]));

  const onPositives: [string, (x: Tensor) => Tensor][] = [
    ["log", ops.log], ["log1p", ops.log1p], ["sqrt", ops.sqrt], ["rsqrt", ops.rsqrt], ["reciprocal", ops.reciprocal],
  ];
  for (const [name, fn] of onPositives) test(name, () => check(fn, [positive()]));

  test("softplus above its linear threshold (βx > 20)", () => {
    check((x) => ops.softplus(x.add(25)), [randn64([3], 3).requiresGrad_()]);
  });

  test("relu gradient is 0 at 0 (PyTorch's convention)", () => {
    const x = tensor([0, -1, 1], { dtype: "float64", requiresGrad: true });
    x.relu().sum().backward();
    assert.deepEqual(x.grad?.toArray(), [0, 0, 1]);
  });
});
