/** SwiGLU module: parameter names and shapes, forward = silu(w(x)) ⊙ v(x), gradients. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { nn, ops, randn } from "../../../src/index.js";
import { assertAllClose } from "../helpers.js";

describe("nn.SwiGLU", () => {
  test("holds W and V as Linear layers w and v", () => {
    const s = new nn.SwiGLU(4, 6, { bias: false });
    assert.deepEqual(s.namedParameters().map(([k, p]) => [k, p.shape]), [["w.weight", [6, 4]], ["v.weight", [6, 4]]]);
    assert.equal(new nn.SwiGLU(4, 6).numParameters(), 2 * (24 + 6));
  });

  test("forward is silu(x·Wᵀ + bW) ⊙ (x·Vᵀ + bV), shape [..., hidden]", () => {
    const s = new nn.SwiGLU(4, 6);
    const x = randn([2, 3, 4]);
    const y = s.forward(x);
    assert.deepEqual(y.shape, [2, 3, 6]);
    assertAllClose(y, ops.mul(ops.silu(s.w.forward(x)), s.v.forward(x)), 1e-6, 1e-7, "y");
    y.sum().backward();
    assert.ok(s.parameters().every((p) => p.grad !== null));
  });
});
