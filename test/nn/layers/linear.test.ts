/** Linear: shapes, PyTorch's default init bounds, forward formula, float64 gradcheck, options. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ValueError, autograd, manualSeed, nn, ops, randn } from "../../../src/index.js";
import { assertAllClose, meanStd } from "../helpers.js";

describe("nn.Linear", () => {
  test("shapes: weight [out, in], bias [out]; [..., in] → [..., out]", () => {
    const lin = new nn.Linear(5, 3);
    assert.deepEqual(lin.weight.shape, [3, 5]);
    assert.deepEqual(lin.bias?.shape, [3]);
    assert.deepEqual(lin.forward(randn([2, 4, 5])).shape, [2, 4, 3]);
    assert.deepEqual(lin.forward(randn([5])).shape, [3]);
    assert.equal(new nn.Linear(5, 3, { bias: false }).bias, null);
    assert.deepEqual(new nn.Linear(5, 3, { bias: false }).namedParameters().map(([k]) => k), ["weight"]);
    assert.throws(() => new nn.Linear(2.5, 3), ValueError);
  });

  test("default init: weight and bias ~ U(−1/√in, 1/√in)", () => {
    manualSeed(0);
    const lin = new nn.Linear(256, 512);
    const bound = 1 / 16;
    const w = meanStd(lin.weight);
    assert.ok(w.min >= -bound && w.max <= bound && w.max > 0.99 * bound && w.min < -0.99 * bound);
    assert.ok(Math.abs(w.std / (bound / Math.sqrt(3)) - 1) < 0.02, `std ${w.std}`);
    const b = meanStd(lin.bias as nn.Parameter);
    assert.ok(b.min >= -bound && b.max <= bound && b.max - b.min > 1.8 * bound);
  });

  test("forward is x·Wᵀ + b; gradcheck in float64", () => {
    const lin = new nn.Linear(4, 3, { dtype: "float64" });
    const x = randn([2, 4], { dtype: "float64" }).requiresGrad_();
    assertAllClose(lin.forward(x), ops.add(ops.matmul(x, ops.transpose(lin.weight, 0, 1)), lin.bias as nn.Parameter), 1e-14, 1e-15, "y");
    assert.ok(autograd.gradcheck((x, w, b) => nn.functional.linear(x, w, b), [x, lin.weight, lin.bias as nn.Parameter]));
  });

  test("backward fills weight and bias grads", () => {
    const lin = new nn.Linear(3, 2);
    lin.forward(randn([4, 3])).sum().backward();
    assert.deepEqual(lin.weight.grad?.shape, [2, 3]);
    assert.deepEqual(lin.bias?.grad?.toArray(), [4, 4]);
  });

  test("an input whose last dimension is not in_features names the layer, not addmm (issue 17.9)", () => {
    const message = "Linear(3, 2): input of shape [4,5] has 5 features in its last dimension, but in_features is 3";
    assert.throws(() => new nn.Linear(3, 2).forward(randn([4, 5])), { name: "ShapeError", message });
    assert.throws(() => new nn.Linear(3, 2, { bias: false }).forward(randn([4, 5])), { name: "ShapeError", message });
    assert.throws(() => new nn.Linear(3, 2).forward(randn([])), /Linear\(3, 2\): input of shape \[\] has no dimensions/);
    assert.throws(() => new nn.Linear(1e5, 1e5), {
      name: "AllocationError",
      message: "Linear(100000, 100000): a float32 tensor of shape [100000,100000] (10,000,000,000 elements) is over the limit of 2,147,483,647 elements per tensor",
    });
  });
});
