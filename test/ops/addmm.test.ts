import { test } from "node:test";
import assert from "node:assert/strict";
import { autograd, manualSeed, randn, ops, noGrad, ShapeError, type Tensor } from "../../src/index.js";

test("addmm equals bias + x·W for batched x and a transposed W, and matches its gradients", () => {
  manualSeed(3);
  const x = randn([2, 3, 4], { dtype: "float64" }).requiresGrad_();
  const wt = randn([5, 4], { dtype: "float64" }).requiresGrad_(); // W = wtᵀ, a transposed view
  const b = randn([5], { dtype: "float64" }).requiresGrad_();
  const y = ops.addmm(b, x, wt.T);
  const expected = noGrad(() => x.matmul(wt.T).add(b));
  const ya = y.toTypedArray();
  const ea = expected.toTypedArray();
  assert.deepEqual(y.shape, [2, 3, 5]);
  for (let i = 0; i < ea.length; i++) assert.ok(Math.abs((ya[i] as number) - (ea[i] as number)) < 1e-12);
  assert.equal(autograd.gradcheck((bb, xx, ww) => ops.addmm(bb, xx, ww.T), [b, x, wt]), true);
  const w2 = randn([4, 5], { dtype: "float64" }).requiresGrad_();
  assert.equal(autograd.gradcheck((bb, xx, ww) => ops.addmm(bb, xx.transpose(0, 1), ww), [b, x, w2]), true, "non-contiguous x");
});

test("matmul: the gradient of a weight shared across the batch is one flattened product", () => {
  manualSeed(4);
  const x = randn([3, 2, 4], { dtype: "float64" }).requiresGrad_();
  const w = randn([4, 6], { dtype: "float64" }).requiresGrad_();
  assert.equal(autograd.gradcheck((xx, ww) => xx.matmul(ww).tanh(), [x, w]), true);
});

test("addmm shape errors name the op and the shapes", () => {
  assert.throws(() => ops.addmm(randn([5]), randn([2, 3]), randn([4, 5])), (e: unknown) => e instanceof ShapeError && /addmm.*\[2,3\].*\[4,5\]/.test(e.message));
});

test("addmm starts every output row from the bias, for row counts around the powers of two", () => {
  manualSeed(5);
  for (const rows of [1, 2, 3, 4, 5, 7, 8, 9, 31, 33]) {
    const x = randn([rows, 6]);
    const w = randn([6, 3]);
    const b = randn([3]);
    const y = ops.addmm(b, x, w).toTypedArray();
    const expected = x.matmul(w).add(b).toTypedArray();
    for (let i = 0; i < expected.length; i++) {
      assert.ok(Math.abs((y[i] as number) - (expected[i] as number)) < 1e-5, `rows ${rows}, element ${i}`);
    }
  }
});

test("matmul and addmm read a column slice of a wider matrix in place (row stride), values and gradients", () => {
  manualSeed(6);
  const x = randn([2, 5, 4]);
  const wide = randn([4, 9]);
  const b = randn([3]);
  for (const w of [ops.narrow(wide, 1, 2, 3), ops.narrow(randn([3, 11]), 1, 5, 4).T]) {
    const dense = w.contiguous();
    const pairs: [Tensor, Tensor][] = [
      [ops.matmul(x, w), ops.matmul(x, dense)],
      [ops.addmm(b, x, w), ops.addmm(b, x, dense)],
      [ops.matmul(w.T, x.transpose(1, 2)), ops.matmul(dense.T, x.transpose(1, 2))],
    ];
    for (const [got, want] of pairs) {
      const g = got.toTypedArray();
      const e = want.toTypedArray();
      for (let i = 0; i < e.length; i++) assert.ok(Math.abs((g[i] as number) - (e[i] as number)) < 1e-5);
    }
  }
  const x64 = randn([2, 3, 4], { dtype: "float64" }).requiresGrad_();
  const wide64 = randn([4, 7], { dtype: "float64" }).requiresGrad_();
  const b64 = randn([2], { dtype: "float64" }).requiresGrad_();
  assert.equal(autograd.gradcheck((xx, ww, bb) => ops.addmm(bb, xx, ops.narrow(ww, 1, 3, 2)).add(ops.matmul(xx, ops.narrow(ww, 1, 1, 2))), [x64, wide64, b64]), true);
});
