/** swiglu: both forms agree, gradchecks, shape errors. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, ShapeError, autograd, nn, ops, randn } from "../../../src/index.js";
import { assertAllClose } from "../helpers.js";

const { swiglu, silu, linear } = nn.functional;

describe("nn.functional.swiglu", () => {
  const g = new Generator(4);
  const r = (shape: number[]) => randn(shape, { dtype: "float64", generator: g }).requiresGrad_();

  test("split form on linear(x, [W; V]) equals the two-matrix form", () => {
    const x = r([2, 3]);
    const w = r([4, 3]);
    const v = r([4, 3]);
    const split = swiglu(linear(x, ops.cat([w, v], 0)));
    assertAllClose(split, swiglu(x, w, v), 1e-12, 1e-14, "forms");
    assertAllClose(swiglu(x, w, v), ops.mul(silu(linear(x, w)), linear(x, v)), 1e-15, 0, "formula");
  });

  test("gradchecks: split form, and W/V with biases", () => {
    const x = r([3, 6]);
    assert.ok(autograd.gradcheck((x) => swiglu(x), [x]));
    const x2 = r([2, 3]);
    assert.ok(autograd.gradcheck((x, w, v, bw, bv) => swiglu(x, w, v, bw, bv), [x2, r([4, 3]), r([4, 3]), r([4]), r([4])]));
  });

  test("odd last dimension and a missing matrix are errors", () => {
    assert.throws(() => swiglu(randn([2, 3])), ShapeError);
    assert.throws(() => swiglu(randn([2, 3]), randn([4, 3])), ShapeError);
  });
});
