/** embedding: lookup values, scatter-add gradients with repeated ids (gradcheck), padding, errors. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, Generator, IndexError, ValueError, autograd, nn, ops, randn, tensor } from "../../../src/index.js";

const { embedding } = nn.functional;
const ids = tensor([[0, 2, 2], [3, 0, 2]], { dtype: "int32" });

describe("nn.functional.embedding", () => {
  test("rows are looked up into [...ids.shape, dim]", () => {
    const w = tensor([[0, 1], [10, 11], [20, 21], [30, 31]]);
    const y = embedding(ids, w);
    assert.deepEqual(y.shape, [2, 3, 2]);
    assert.deepEqual(y.toArray(), [[[0, 1], [20, 21], [20, 21]], [[30, 31], [0, 1], [20, 21]]]);
  });

  test("agrees with ops.indexSelect on the flattened ids, forward and backward", () => {
    const w = randn([4, 3], { dtype: "float64", generator: new Generator(8) }).requiresGrad_();
    const w2 = w.detach().requiresGrad_();
    const y = embedding(ids, w);
    const ref = ops.reshape(ops.indexSelect(w2, 0, ops.flatten(ids)), [2, 3, 3]);
    assert.deepEqual(y.toArray(), ref.toArray());
    const up = randn([2, 3, 3], { dtype: "float64", generator: new Generator(9) });
    y.backward(up);
    ref.backward(up);
    assert.deepEqual(w.grad?.toArray(), w2.grad?.toArray());
  });

  test("gradcheck with repeated ids (scatter-add)", () => {
    const w = randn([4, 3], { dtype: "float64", generator: new Generator(3) }).requiresGrad_();
    assert.ok(autograd.gradcheck((w) => embedding(ids, w), [w]));
  });

  test("gradient counts each lookup; the padding row gets none", () => {
    const w = randn([4, 2]).requiresGrad_();
    embedding(ids, w).sum().backward();
    assert.deepEqual(w.grad?.toArray(), [[2, 2], [0, 0], [3, 3], [1, 1]]);
    const w2 = randn([4, 2]).requiresGrad_();
    embedding(ids, w2, { paddingIdx: -2 }).sum().backward(); // -2 → row 2
    assert.deepEqual(w2.grad?.toArray(), [[2, 2], [0, 0], [0, 0], [1, 1]]);
  });

  test("non-contiguous ids (a transposed view) look up the same rows as their contiguous copy", () => {
    const w = randn([4, 3], { generator: new Generator(10) }).requiresGrad_();
    const t = ids.transpose(0, 1); // [3, 2]
    const y = embedding(t, w);
    assert.deepEqual(y.toArray(), embedding(tensor(t.toArray() as number[][], { dtype: "int32" }), w).toArray());
    y.sum().backward();
    assert.deepEqual(w.grad?.toArray(), [[2, 2, 2], [0, 0, 0], [3, 3, 3], [1, 1, 1]]);
  });

  test("float ids holding whole numbers are accepted; others are errors", () => {
    const w = randn([4, 2]);
    assert.deepEqual(embedding(tensor([1, 3]), w).toArray(), embedding(tensor([1, 3], { dtype: "int32" }), w).toArray());
    assert.throws(() => embedding(tensor([1, 4], { dtype: "int32" }), w), (e: unknown) => {
      return e instanceof IndexError && /embedding: index 4 at position 1 out of range for 4 embeddings/.test(e.message);
    });
    assert.throws(() => embedding(tensor([-1], { dtype: "int32" }), w), IndexError);
    assert.throws(() => embedding(tensor([1.5]), w), IndexError);
    assert.throws(() => embedding(tensor([true]), w), DTypeError);
    assert.throws(() => embedding(ids, randn([4])), DTypeError);
    assert.throws(() => embedding(ids, w, { paddingIdx: 4 }), ValueError);
  });
});
