/** layerNorm: float64 gradchecks (affine, no affine, weight only, 2-D shape, strided input), stats and errors. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, Generator, ShapeError, autograd, nn, ops, randn } from "../../../src/index.js";
import { assertAllClose } from "../helpers.js";

const { layerNorm } = nn.functional;
const gen = () => new Generator(11);
const leaf = (shape: number[], g: Generator) => randn(shape, { dtype: "float64", generator: g }).requiresGrad_();

describe("nn.functional.layerNorm", () => {
  test("gradcheck with weight and bias", () => {
    const g = gen();
    const x = leaf([3, 5], g);
    const w = leaf([5], g);
    const b = leaf([5], g);
    assert.ok(autograd.gradcheck((x, w, b) => layerNorm(x, 5, w, b), [x, w, b]));
  });

  test("gradcheck without affine, with weight only, and over a 2-D normalized shape", () => {
    const g = gen();
    const x = leaf([2, 3, 4], g);
    assert.ok(autograd.gradcheck((x) => layerNorm(x, [4]), [x]));
    const w = leaf([4], g);
    assert.ok(autograd.gradcheck((x, w) => layerNorm(x, 4, w, null, 1e-3), [x, w]));
    const w2 = leaf([3, 4], g);
    const b2 = leaf([3, 4], g);
    assert.ok(autograd.gradcheck((x, w, b) => layerNorm(x, [3, 4], w, b), [x, w2, b2]));
  });

  test("gradcheck through a transposed (non-contiguous) input", () => {
    const x = leaf([4, 3], gen());
    assert.ok(autograd.gradcheck((x) => layerNorm(ops.transpose(x, 0, 1), 4), [x]));
  });

  test("rows come out with mean 0 and variance 1/(1 + eps/var)", () => {
    const x = randn([6, 32], { dtype: "float64", generator: gen() }).mul(3).add(2);
    const y = layerNorm(x, 32, null, null, 1e-5);
    const means = ops.mean(y, -1);
    const vars = ops.variance(y, -1, { correction: 0 });
    const xvar = ops.variance(x, -1, { correction: 0 });
    assertAllClose(means, ops.mul(means, 0), 0, 1e-12, "row means");
    assertAllClose(vars, ops.div(xvar, ops.add(xvar, 1e-5)), 1e-12, 1e-12, "row variances");
  });

  test("errors name the shapes and dtypes", () => {
    const x = randn([2, 4]);
    assert.throws(() => layerNorm(x, 3), ShapeError);
    assert.throws(() => layerNorm(x, [2, 4, 1]), ShapeError);
    assert.throws(() => layerNorm(x, 4, randn([3])), /weight: expected shape \[4\]/);
    assert.throws(() => layerNorm(x, 4, randn([4], { dtype: "float64" })), DTypeError);
    assert.throws(() => layerNorm(ops.to(x, "int32"), 4), DTypeError);
  });
});
