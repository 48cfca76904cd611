/** rmsNorm: float64 gradchecks (with and without weight), the formula on hand values, default ε. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, ShapeError, autograd, nn, randn, tensor } from "../../../src/index.js";
import { assertAllClose } from "../helpers.js";

const { rmsNorm, machineEpsilon } = nn.functional;
const leaf = (shape: number[], g: Generator) => randn(shape, { dtype: "float64", generator: g }).requiresGrad_();

describe("nn.functional.rmsNorm", () => {
  test("gradcheck with and without weight", () => {
    const g = new Generator(5);
    const x = leaf([3, 6], g);
    const w = leaf([6], g);
    assert.ok(autograd.gradcheck((x, w) => rmsNorm(x, 6, w, 1e-6), [x, w]));
    assert.ok(autograd.gradcheck((x) => rmsNorm(x, 6, null, 1e-2), [x]));
    const x3 = leaf([2, 2, 3], g);
    const w2 = leaf([2, 3], g);
    assert.ok(autograd.gradcheck((x, w) => rmsNorm(x, [2, 3], w), [x3, w2]));
  });

  test("hand values: [3, 4] has rms √12.5", () => {
    const y = rmsNorm(tensor([[3, 4]], { dtype: "float64" }), 2, tensor([1, 2], { dtype: "float64" }), 0);
    const r = Math.sqrt(12.5);
    assertAllClose(y, tensor([[3 / r, 8 / r]], { dtype: "float64" }), 1e-15, 0, "y");
  });

  test("default ε is the dtype's machine epsilon, as torch.nn.RMSNorm", () => {
    assert.equal(machineEpsilon("float32"), 1.1920928955078125e-7);
    assert.equal(machineEpsilon("float64"), 2.220446049250313e-16);
    const x = tensor([[1e-4, -1e-4]]);
    const expected = 1e-4 / Math.sqrt(1e-8 + machineEpsilon("float32"));
    assertAllClose(rmsNorm(x, 2), tensor([[expected, -expected]]), 1e-6, 0, "y");
  });

  test("shape errors", () => {
    assert.throws(() => rmsNorm(randn([2, 3]), 4), ShapeError);
  });
});
