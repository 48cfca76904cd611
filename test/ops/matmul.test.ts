import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, ShapeError, Tensor, ops, tensor, zeros } from "../../src/index.js";
import { assertClose, check, flat, leaf, randn64 } from "./helpers.js";

/** Naive batched matmul over row-major copies, as an independent oracle: a [B,m,k] · b [B,k,n]. */
function naive(a: Tensor, b: Tensor): number[] {
  const [B, m, k] = a.shape as [number, number, number];
  const n = b.shape[2] as number;
  const av = flat(a);
  const bv = flat(b);
  const out: number[] = [];
  for (let p = 0; p < B; p++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += (av[p * m * k + i * k + t] as number) * (bv[p * k * n + t * n + j] as number);
        out.push(s);
      }
  return out;
}

describe("matmul forward", () => {
  test("2-D (hand-computed)", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[7, 8], [9, 10], [11, 12]]);
    assert.deepEqual(a.matmul(b).toArray(), [[58, 64], [139, 154]]);
  });

  test("all four transpose layouts agree with the naive product", () => {
    const a = randn64([3, 4], 1);
    const b = randn64([4, 5], 2);
    const aT = randn64([4, 3], 3).T; // a transposed view [3,4]
    const bT = randn64([5, 4], 4).T;
    for (const [x, y] of [[a, b], [aT, b], [a, bT], [aT, bT]] as [Tensor, Tensor][]) {
      assertClose(flat(x.matmul(y)), naive(x.unsqueeze(0), y.unsqueeze(0)), 1e-12);
    }
  });

  test("batched, broadcast batch dims, and 1-D operands", () => {
    const a = randn64([2, 3, 4], 5);
    const b = randn64([2, 4, 2], 6);
    assertClose(flat(a.matmul(b)), naive(a, b), 1e-12);
    const c = randn64([4, 2], 7);
    const out = a.matmul(c);
    assert.deepEqual(out.shape, [2, 3, 2]);
    assertClose(flat(out), naive(a, c.unsqueeze(0).expand(2, 4, 2)), 1e-12);
    assert.deepEqual(randn64([2, 1, 3, 4], 8).matmul(randn64([5, 4, 2], 9)).shape, [2, 5, 3, 2]);
    const v = tensor([1, 2, 3]);
    assert.deepEqual(v.matmul(v).shape, []);
    assert.equal(v.matmul(v).item(), 14);
    assert.deepEqual(tensor([[1, 2, 3], [4, 5, 6]]).matmul(v).toArray(), [14, 32]);
    assert.deepEqual(tensor([1, 1]).matmul(tensor([[1, 2, 3], [4, 5, 6]])).toArray(), [5, 7, 9]);
    assert.deepEqual(tensor([1, 1]).matmul(zeros([3, 2, 4])).shape, [3, 4]);
  });

  test("mixed float dtypes promote; integers are refused", () => {
    assert.equal(tensor([[1]]).matmul(tensor([[1]], { dtype: "float64" })).dtype, "float64");
    assert.throws(() => tensor([[1]], { dtype: "int32" }).matmul(tensor([[1]])), DTypeError);
  });

  test("errors name the op and both shapes", () => {
    assert.throws(() => zeros([2, 3]).matmul(zeros([4, 5])), { name: "ShapeError", message: "matmul: cannot multiply [2,3] by [4,5]" });
    assert.throws(() => zeros([2, 2, 3]).matmul(zeros([3, 3, 1])), ShapeError);
    assert.throws(() => tensor([1, 2]).matmul(tensor([1, 2, 3])), { name: "ShapeError", message: "matmul: cannot multiply [2] by [3]" });
    assert.throws(() => zeros([2, 3]).matmul(zeros([2])), { name: "ShapeError", message: "matmul: cannot multiply [2,3] by [2]" });
    assert.throws(() => ops.bmm(zeros([2, 3]), zeros([3, 2])), /bmm: expected \[B,n,m\] and \[B,m,p\], got \[2,3\] and \[3,2\]/);
  });

  test("linear: x·Wᵀ + b with W [out,in]", () => {
    const x = tensor([[1, 2]]);
    const w = tensor([[1, 0], [0, 1], [1, 1]]);
    assert.deepEqual(ops.linear(x, w, tensor([10, 20, 30])).toArray(), [[11, 22, 33]]);
    assert.deepEqual(ops.linear(x, w).toArray(), [[1, 2, 3]]);
  });
});

describe("matmul gradients (gradcheck)", () => {
  test("four layouts", () => {
    const a = () => leaf([3, 4], 1);
    const b = () => leaf([4, 2], 2);
    const aT = () => randn64([4, 3], 3).T.requiresGrad_();
    const bT = () => randn64([2, 4], 4).T.requiresGrad_();
    check((x, y) => x.matmul(y), [a(), b()]);
    check((x, y) => x.matmul(y), [aT(), b()]);
    check((x, y) => x.matmul(y), [a(), bT()]);
    check((x, y) => x.matmul(y), [aT(), bT()]);
  });

  test("batched, broadcast batch, 1-D, bmm, linear", () => {
    check((x, y) => x.matmul(y), [leaf([2, 3, 4], 1), leaf([2, 4, 2], 2)]);
    check((x, y) => x.matmul(y), [leaf([2, 1, 2, 3], 3), leaf([3, 3, 2], 4)]);
    check((x, y) => x.matmul(y), [leaf([2, 3, 4], 5), leaf([4, 2], 6)]);
    check((x, y) => x.matmul(y), [leaf([3], 7), leaf([3], 8)]);
    check((x, y) => x.matmul(y), [leaf([3], 9), leaf([2, 3, 2], 10)]);
    check((x, y) => x.matmul(y), [leaf([2, 3], 11), leaf([3], 12)]);
    check((x, y) => ops.bmm(x, y), [randn64([2, 4, 3], 13).transpose(1, 2).requiresGrad_(), leaf([2, 4, 2], 14)]);
    check((x, w, b) => ops.linear(x, w, b), [leaf([2, 3, 4], 15), leaf([5, 4], 16), leaf([5], 17)]);
  });
});
