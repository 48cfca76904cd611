/** Embedding: shapes, N(0,1) init with a zero padding row, gradients, fromPretrained. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ValueError, manualSeed, nn, tensor } from "../../../src/index.js";
import { meanStd } from "../helpers.js";

describe("nn.Embedding", () => {
  test("shapes and N(0, 1) init", () => {
    manualSeed(1);
    const e = new nn.Embedding(1000, 64);
    assert.deepEqual(e.weight.shape, [1000, 64]);
    const s = meanStd(e.weight);
    assert.ok(Math.abs(s.std - 1) < 0.02 && Math.abs(s.mean) < 0.02, `${s.mean} ${s.std}`);
    assert.deepEqual(e.forward(tensor([[1, 2, 3]], { dtype: "int32" })).shape, [1, 3, 64]);
  });

  test("padding row is zero and receives no gradient", () => {
    const e = new nn.Embedding(5, 3, { paddingIdx: 2 });
    assert.deepEqual((e.weight.toArray() as number[][])[2], [0, 0, 0]);
    e.forward(tensor([2, 2, 1], { dtype: "int32" })).sum().backward();
    const g = e.weight.grad?.toArray() as number[][];
    assert.deepEqual(g[2], [0, 0, 0]);
    assert.deepEqual(g[1], [1, 1, 1]);
    assert.match(e.toString(), /Embedding\(5, 3, paddingIdx=2\)/);
    assert.throws(() => new nn.Embedding(5, 3, { paddingIdx: 5 }), ValueError);
  });

  test("fromPretrained copies and freezes by default", () => {
    const w = tensor([[1, 2], [3, 4]]);
    const e = nn.Embedding.fromPretrained(w);
    assert.deepEqual(e.forward(tensor([1], { dtype: "int32" })).toArray(), [[3, 4]]);
    assert.equal(e.weight.requiresGrad, false);
    assert.notEqual(e.weight.storage, w.storage);
    assert.equal(nn.Embedding.fromPretrained(w, { freeze: false }).weight.requiresGrad, true);
  });

  test("a table past the per-tensor limit names the layer (n_positions 1e9 in a config; issue 17.9)", () => {
    assert.throws(() => new nn.Embedding(1e9, 8), {
      name: "AllocationError",
      message: "Embedding(1000000000, 8): a float32 tensor of shape [1000000000,8] (8,000,000,000 elements) is over the limit of 2,147,483,647 elements per tensor",
    });
  });
});
