import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { IndexError, ShapeError, ValueError, arange, ops, tensor, zeros } from "../../src/index.js";
import { check, leaf, randn64 } from "./helpers.js";

describe("views share storage", () => {
  test("reshape/view/transpose/slice/select/expand/squeeze/unsqueeze of a contiguous tensor are views", () => {
    const x = arange(6, undefined, 1, { dtype: "float32" });
    const views = [
      x.reshape(2, 3), x.view([3, 2]), x.reshape(2, 3).T, x.slice(0, 1, 5, 2), x.reshape(2, 3).select(0, 1),
      x.reshape(1, 6).expand(3, 6), x.reshape(1, 6, 1).squeeze(), x.unsqueeze(0), x.reshape(2, 3).permute(1, 0),
      x.narrow(0, 2, 3), x.reshape(2, 3).flatten(),
    ];
    for (const v of views) assert.equal(v.storage, x.storage);
    x.storage[3] = 100;
    assert.deepEqual(x.reshape(2, 3).toArray(), [[0, 1, 2], [100, 4, 5]]);
    assert.deepEqual(x.reshape(2, 3).T.toArray(), [[0, 100], [1, 4], [2, 5]]);
    assert.deepEqual(x.slice(0, 1, 5, 2).toArray(), [1, 100]);
    assert.deepEqual(x.reshape(2, 3).select(0, 1).toArray(), [100, 4, 5]);
  });

  test("reshape of a non-contiguous tensor copies, with the right values; view refuses", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const t = x.T;
    assert.equal(t.isContiguous(), false);
    const r = t.reshape(6);
    assert.notEqual(r.storage, x.storage);
    assert.deepEqual(r.toArray(), [1, 4, 2, 5, 3, 6]);
    assert.throws(() => t.view(6), /view: cannot view a non-contiguous tensor of shape \[3,2\] as \[6\]/);
    // ...but a split of a transposed dim that keeps strides is still a view
    const p = randn64([2, 3, 4], 1).permute(2, 0, 1); // [4,2,3]
    const v = p.reshape(2, 2, 2, 3);
    assert.equal(v.storage, p.storage);
    assert.deepEqual(v.toArray(), p.contiguous().reshape(2, 2, 2, 3).toArray());
  });

  test("contiguous() copies only when needed", () => {
    const x = tensor([[1, 2], [3, 4]]);
    assert.equal(x.contiguous(), x);
    const c = x.T.contiguous();
    assert.equal(c.isContiguous(), true);
    assert.deepEqual(c.toArray(), [[1, 3], [2, 4]]);
  });
});

describe("view op semantics", () => {
  test("reshape with -1, flatten ranges, squeeze/unsqueeze dims", () => {
    const x = zeros([2, 3, 4]);
    assert.deepEqual(x.reshape(-1, 4).shape, [6, 4]);
    assert.deepEqual(x.flatten(1).shape, [2, 12]);
    assert.deepEqual(x.flatten(0, 1).shape, [6, 4]);
    assert.deepEqual(zeros([1, 2, 1]).squeeze().shape, [2]);
    assert.deepEqual(zeros([1, 2, 1]).squeeze(0).shape, [2, 1]);
    assert.deepEqual(zeros([1, 2, 1]).squeeze([0, 2]).shape, [2]);
    assert.deepEqual(zeros([1, 2, 1]).squeeze(1).shape, [1, 2, 1]);
    assert.deepEqual(zeros([2, 3]).unsqueeze(-1).shape, [2, 3, 1]);
    assert.deepEqual(zeros([2, 3]).unsqueeze(1).shape, [2, 1, 3]);
    assert.throws(() => x.reshape(5, -1), ShapeError);
    assert.throws(() => x.reshape(-1, -1), ValueError);
  });

  test("expand uses stride 0; permute/transpose reorder; slice clamps like Python", () => {
    const e = tensor([[1], [2]]).expand(2, 3);
    assert.deepEqual(e.strides, [1, 0]);
    assert.deepEqual(e.toArray(), [[1, 1, 1], [2, 2, 2]]);
    assert.deepEqual(tensor([1, 2]).expand(2, -1).toArray(), [[1, 2], [1, 2]]);
    assert.throws(() => tensor([1, 2]).expand(3), /expand: cannot expand \[2\] to \[3\]/);
    const x = arange(5);
    assert.deepEqual(x.slice(0, -2).toArray(), [3, 4]);
    assert.deepEqual(x.slice(0, 1, 100, 3).toArray(), [1, 4]);
    assert.deepEqual(x.slice(0, 4, 2).toArray(), []);
    assert.throws(() => x.slice(0, 0, 5, 0), ValueError);
    assert.throws(() => x.narrow(0, 3, 3), IndexError);
    assert.throws(() => x.select(0, 5), /select: index 5 out of range for dim 0 of size 5/);
    assert.deepEqual(x.select(0, -1).toArray(), 4);
    const p = zeros([2, 3, 4]).permute(2, 0, 1);
    assert.deepEqual(p.shape, [4, 2, 3]);
    assert.deepEqual(p.strides, [1, 12, 4]);
    assert.throws(() => zeros([2, 3]).permute(0, 0), ValueError);
    assert.throws(() => zeros([2, 3]).permute(0), ShapeError);
    assert.deepEqual(zeros([2, 3, 4]).transpose(0, 2).shape, [4, 3, 2]);
  });

  test("sumToShape reduces broadcast dims", () => {
    const g = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(ops.sumToShape(g, [3]).toArray(), [5, 7, 9]);
    assert.deepEqual(ops.sumToShape(g, [2, 1]).toArray(), [[6], [15]]);
    assert.deepEqual(ops.sumToShape(g, []).toArray(), 21);
    assert.throws(() => ops.sumToShape(g, [2]), ShapeError);
  });

  test("copyInto writes through a strided view", () => {
    const x = zeros([2, 2]);
    ops.copyInto(x.T, tensor([[1, 2], [3, 4]]));
    assert.deepEqual(x.toArray(), [[1, 3], [2, 4]]);
  });
});

describe("view gradients (gradcheck)", () => {
  const t = () => randn64([4, 3, 2], 1).permute(1, 2, 0).requiresGrad_(); // [3,2,4], strided
  test("reshape, view, flatten, squeeze, unsqueeze", () => {
    check((a) => a.reshape(6, 4), [t()]);
    check((a) => a.reshape(-1), [t()]);
    check((a) => a.view(2, 3, 4), [leaf([3, 2, 4], 2)]);
    check((a) => a.flatten(0, 1), [t()]);
    check((a) => a.unsqueeze(1).squeeze(1), [t()]);
    check((a) => a.reshape(3, 1, 8).squeeze(), [t()]);
  });
  test("permute, transpose, T, expand, contiguous", () => {
    check((a) => a.permute(2, 0, 1), [t()]);
    check((a) => a.transpose(0, 2), [t()]);
    check((a) => a.T.mul(a.T), [leaf([2, 3], 3)]);
    check((a) => a.expand(2, 3, 4), [leaf([3, 1], 4)]);
    check((a) => a.contiguous(), [t()]);
  });
  test("slice with step, narrow, select", () => {
    check((a) => a.slice(2, 1, 4, 2), [t()]);
    check((a) => a.narrow(0, 1, 2), [t()]);
    check((a) => a.select(1, -1), [t()]);
    check((a) => a.slice(0, 0, 2).slice(1, 1).mul(2), [leaf([3, 3], 5)]);
  });
});

test("reshape of permuted/sliced tensors equals reshape of their contiguous copy (fast-check)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom([0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]),
      fc.integer({ min: 1, max: 2 }),
      fc.nat({ max: 5 }),
      (order, step, pick) => {
        const base = randn64([2, 4, 6], 1).slice(2, 0, 6, step).permute(order);
        const n = base.size;
        const targets = [[n], [-1, base.shape[2] as number], [base.shape[0] as number, -1], [1, n, 1], [(base.shape[0] as number) * (base.shape[1] as number), base.shape[2] as number]];
        const target = targets[pick % targets.length] as number[];
        const r = base.reshape(target);
        assert.deepEqual(r.toArray(), base.contiguous().reshape(target).toArray());
        if (r.storage === base.storage) base.storage[base.offset] = 1234.5; // a view must see writes
        assert.deepEqual(r.toArray(), base.contiguous().reshape(target).toArray());
      },
    ),
    { numRuns: 80, seed: 3 },
  );
});
