import { test } from "node:test";
import assert from "node:assert/strict";
import { AutogradError, DTypeError, Tensor, ValueError, arange, tensor, zeros } from "../../src/index.js";

test("shape, strides, size, ndim, dtype", () => {
  const t = zeros([2, 3, 4]);
  assert.deepEqual(t.shape, [2, 3, 4]);
  assert.deepEqual(t.strides, [12, 4, 1]);
  assert.equal(t.size, 24);
  assert.equal(t.numel(), 24);
  assert.equal(t.ndim, 3);
  assert.equal(t.dtype, "float32");
  assert.ok(Object.isFrozen(t.shape));
});

test("toArray (nested, booleans for bool), item, toString", () => {
  assert.deepEqual(tensor([[1, 2], [3, 4]]).toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(tensor([true, false]).toArray(), [true, false]);
  assert.equal(tensor(2.5).toArray(), 2.5);
  assert.equal(tensor([[7]]).item(), 7);
  assert.throws(() => tensor([1, 2]).item(), { name: "ValueError", message: "item: only one-element tensors can be converted to a number, got shape [2]" });
  assert.equal(tensor([1, 2]).toString(), "tensor([1., 2.])");
  // float32 storage rounds
  assert.equal(tensor([0.1]).item(), Math.fround(0.1));
  assert.equal(tensor([0.1], { dtype: "float64" }).item(), 0.1);
  assert.equal(tensor([2.7], { dtype: "int32" }).item(), 2);
});

test("item and toArray of views read through offset and strides", () => {
  const x = arange(6, undefined, 1, { dtype: "float32" }).reshape(2, 3);
  assert.equal(x.select(1, 2).select(0, 1).item(), 5);
  assert.deepEqual(x.T.toArray(), [[0, 3], [1, 4], [2, 5]]);
  assert.deepEqual(Array.from(x.T.toTypedArray()), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(Array.from(x.slice(1, 1).toTypedArray()), [1, 2, 4, 5]);
  assert.equal(x.T.isContiguous(), false);
  assert.equal(x.slice(0, 1).isContiguous(), true);
  assert.equal(zeros([3, 1]).T.isContiguous(), true, "size-1 dims do not break contiguity");
});

test("a hand-made strided Tensor", () => {
  const storage = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]);
  const t = new Tensor(storage, [2, 2], [4, 2], 1);
  assert.deepEqual(t.toArray(), [[1, 3], [5, 7]]);
});

test("requiresGrad: only floats, only leaves can turn it off; retainGrad needs grad", () => {
  assert.throws(() => tensor([1], { dtype: "int32" }).requiresGrad_(), DTypeError);
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  assert.equal(y.requiresGrad, true);
  assert.equal(y.isLeaf, false);
  assert.throws(() => (y.requiresGrad = false), AutogradError);
  assert.throws(() => tensor([1]).retainGrad(), AutogradError);
  x.requiresGrad = false;
  assert.equal(x.requiresGrad, false);
  assert.throws(() => tensor([1, 2]).item(), ValueError);
});

test("detach shares storage and leaves the graph", () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const d = x.mul(3).detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.gradFn, null);
  assert.equal(d.isLeaf, true);
  const e = x.detach();
  assert.equal(e.storage, x.storage);
});

test("contiguousValues views a contiguous tensor's storage and copies a strided one", () => {
  const base = new Tensor(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3]);
  const same = base.contiguousValues();
  assert.equal(same, base.storage);
  const tail = new Tensor(base.storage, [2], [1], 4).contiguousValues();
  assert.equal(tail.buffer, base.storage.buffer);
  assert.deepEqual(Array.from(tail), [4, 5]);
  const transposed = new Tensor(base.storage, [3, 2], [1, 3], 0).contiguousValues();
  assert.notEqual(transposed.buffer, base.storage.buffer);
  assert.deepEqual(Array.from(transposed), [0, 3, 1, 4, 2, 5]);
});
