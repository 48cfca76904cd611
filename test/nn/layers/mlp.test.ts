/** MLP: layer layout, activations, dropout placement, forward shape. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ValueError, manualSeed, nn, noGrad, ops, randn, tensor } from "../../../src/index.js";

describe("nn.MLP", () => {
  test("Linear, act, [Dropout], …, Linear (no activation after the last layer)", () => {
    const m = new nn.MLP([4, 16, 8, 2], { activation: "gelu", dropout: 0.1 });
    // Activations by name come from nn's one activation table (Hugging Face names).
    const names = (mlp: nn.MLP) => [...mlp].map((l) => (l instanceof nn.Activation ? `Activation(${l.name})` : l.constructor.name));
    assert.deepEqual(names(m), ["Linear", "Activation(gelu)", "Dropout", "Linear", "Activation(gelu)", "Dropout", "Linear"]);
    assert.deepEqual(names(new nn.MLP([2, 3, 1], { activation: "gelu_new" })), ["Linear", "Activation(gelu_new)", "Linear"]);
    assert.throws(() => new nn.MLP([2, 3, 1], { activation: "geluTanh" as nn.ElementwiseActivationName }), /unknown activation "geluTanh"/);
    assert.deepEqual(m.forward(randn([5, 4])).shape, [5, 2]);
    assert.equal(m.numParameters(), 4 * 16 + 16 + 16 * 8 + 8 + 8 * 2 + 2);
  });

  test("defaults: ReLU, no dropout; activation factories and bias option", () => {
    assert.deepEqual([...new nn.MLP([3, 3, 3])].map((l) => (l instanceof nn.Activation ? l.name : l.constructor.name)), ["Linear", "relu", "Linear"]);
    const m = new nn.MLP([3, 5, 1], { activation: () => new nn.LeakyReLU(0.2), bias: false });
    assert.equal((m.at(1) as nn.LeakyReLU).negativeSlope, 0.2);
    assert.deepEqual(m.namedParameters().map(([k]) => k), ["0.weight", "2.weight"]);
    assert.throws(() => new nn.MLP([3]), ValueError);
  });

  test("learns XOR with plain gradient descent (end to end: forward, backward, in-place updates, zeroGrad)", () => {
    manualSeed(0);
    const m = new nn.MLP([2, 8, 1], { activation: "tanh" });
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const loss = () => ops.mean(ops.square(ops.sub(m.forward(x), y)));
    const first = loss().item();
    for (let step = 0; step < 400; step++) {
      m.zeroGrad();
      loss().backward();
      noGrad(() => {
        for (const p of m.parameters()) {
          const g = p.grad?.toTypedArray() as Float32Array;
          for (let i = 0; i < g.length; i++) p.storage[i] = (p.storage[i] as number) - 0.1 * (g[i] as number);
        }
      });
    }
    const last = loss().item();
    assert.ok(last < 1e-3 && last < first / 100, `loss ${first} → ${last}`);
  });
});
