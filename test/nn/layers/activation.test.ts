/** Activation modules apply the matching nn.functional function with their settings. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, nn, randn } from "../../../src/index.js";

const F = nn.functional;

describe("nn activation modules", () => {
  const x = randn([3, 5]).mul(3);
  const pairs: [nn.TensorModule, (x: Tensor) => Tensor][] = [
    [new nn.Sigmoid(), F.sigmoid],
    [new nn.Tanh(), F.tanh],
    [new nn.ReLU(), F.relu],
    [new nn.LeakyReLU(), (x) => F.leakyRelu(x, 0.01)],
    [new nn.LeakyReLU(0.3), (x) => F.leakyRelu(x, 0.3)],
    [new nn.GELU(), (x) => F.gelu(x)],
    [new nn.GELU({ approximate: "tanh" }), (x) => F.gelu(x, { approximate: "tanh" })],
    [new nn.SiLU(), F.silu],
    [new nn.Softplus(2), (x) => F.softplus(x, 2)],
    [new nn.ELU(0.5), (x) => F.elu(x, 0.5)],
    [new nn.Softmax(0), (x) => F.softmax(x, 0)],
    [new nn.LogSoftmax(), (x) => F.logSoftmax(x, -1)],
  ];
  for (const [m, f] of pairs) {
    test(m.toString(), () => {
      const y = m.forward(x);
      assert.deepEqual(y.shape, x.shape);
      assert.deepEqual(y.toArray(), f(x).toArray());
      assert.deepEqual(m.parameters(), []);
    });
  }
  test("default slope of LeakyReLU is 0.01", () => {
    assert.equal(new nn.LeakyReLU().negativeSlope, 0.01);
  });
});
