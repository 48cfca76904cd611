/** rmsNorm: float64 gradchecks (with and without weight), the formula on hand values, default ε. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, ShapeError, autograd, nn, randn, tensor, type Tensor } from "../../../src/index.js";
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

  test("float32 (the fast backend's kernel when active) matches float64, gradients included, in float32", () => {
    const g = new Generator(6);
    const x64 = leaf([17, 130], g);
    const w64 = leaf([130], g);
    const up = randn([17, 130], { dtype: "float64", generator: g });
    const x32 = x64.detach().to("float32").requiresGrad_();
    const w32 = w64.detach().to("float32").requiresGrad_();
    rmsNorm(x64, 130, w64, 1e-5).backward(up);
    const y32 = rmsNorm(x32, 130, w32, 1e-5);
    y32.backward(up.to("float32"));
    assert.equal(y32.dtype, "float32");
    assert.equal(w32.grad?.dtype, "float32");
    assertAllClose(y32, rmsNorm(x64.detach(), 130, w64.detach(), 1e-5), 1e-5, 1e-5, "y");
    assertAllClose(x32.grad as Tensor, x64.grad as Tensor, 1e-4, 1e-4, "dx");
    assertAllClose(w32.grad as Tensor, w64.grad as Tensor, 1e-4, 1e-4, "dw");
  });

  test("shape errors", () => {
    assert.throws(() => rmsNorm(randn([2, 3]), 4), ShapeError);
  });
});
