/** LayerNorm layer: parameters and shapes, options, agreement with the functional op. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { nn, randn } from "../../../src/index.js";
import { assertAllClose } from "../helpers.js";

describe("nn.LayerNorm", () => {
  test("weight ones, bias zeros, output shape = input shape", () => {
    const ln = new nn.LayerNorm(6);
    assert.deepEqual(ln.weight?.toArray(), [1, 1, 1, 1, 1, 1]);
    assert.deepEqual(ln.bias?.toArray(), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(ln.forward(randn([2, 3, 6])).shape, [2, 3, 6]);
    assert.deepEqual(new nn.LayerNorm([3, 6]).forward(randn([2, 3, 6])).shape, [2, 3, 6]);
  });

  test("options: no affine, no bias, eps", () => {
    assert.deepEqual(new nn.LayerNorm(4, { elementwiseAffine: false }).parameters(), []);
    assert.deepEqual(new nn.LayerNorm(4, { bias: false }).namedParameters().map(([k]) => k), ["weight"]);
    const x = randn([3, 4]);
    const ln = new nn.LayerNorm(4, { eps: 0.5 });
    assertAllClose(ln.forward(x), nn.functional.layerNorm(x, 4, ln.weight, ln.bias, 0.5), 0, 0, "eps");
  });

  test("gradients reach weight and bias", () => {
    const ln = new nn.LayerNorm(4);
    ln.forward(randn([5, 4])).square().sum().backward();
    assert.deepEqual(ln.weight?.grad?.shape, [4]);
    assert.deepEqual(ln.bias?.grad?.shape, [4]);
  });
});
