import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { IndexError, ValueError, ops, tensor } from "../../src/index.js";
import { assertClose, check, gradOf, leaf, randn64 } from "./helpers.js";

const x = tensor([[1, 2, 3], [4, 5, 6]]);

describe("sum and mean", () => {
  test("over all, one dim, several dims, negative dims, keepdim (hand-computed)", () => {
    assert.equal(x.sum().item(), 21);
    assert.deepEqual(x.sum().shape, []);
    assert.deepEqual(x.sum(0).toArray(), [5, 7, 9]);
    assert.deepEqual(x.sum(-1).toArray(), [6, 15]);
    assert.deepEqual(x.sum(1, true).toArray(), [[6], [15]]);
    assert.deepEqual(x.sum([0, 1], true).toArray(), [[21]]);
    assert.deepEqual(x.mean(0).toArray(), [2.5, 3.5, 4.5]);
    assert.deepEqual(x.T.sum(0).toArray(), [6, 15]);
    const t = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    assert.deepEqual(t.sum([0, 2]).toArray(), [14, 22]);
    assert.deepEqual(t.mean([2, 0], true).toArray(), [[[3.5], [5.5]]]);
  });

  test("dtypes: int sums stay int32, int mean is float32, bool sums count", () => {
    const i = tensor([1, 2], { dtype: "int32" });
    assert.equal(i.sum().dtype, "int32");
    assert.equal(i.mean().dtype, "float32");
    assert.equal(i.mean().item(), 1.5);
    assert.equal(tensor([true, true, false]).sum().item(), 2);
  });

  test("a 0-d tensor reduces over dim 0 or -1 to itself, as PyTorch", () => {
    const s = tensor(3);
    assert.equal(s.sum(0).item(), 3);
    assert.deepEqual(s.sum(-1, true).shape, []);
    assert.equal(s.max(0).values.item(), 3);
    assert.equal(s.max(0).indices.item(), 0);
    assert.equal(s.logsumexp(0).item(), 3);
    assert.equal(s.amax(0).item(), 3);
  });

  test("errors: dim out of range, repeated dims", () => {
    assert.throws(() => x.sum(2), { name: "IndexError", message: "sum: dimension 2 out of range for a tensor with 2 dimensions" });
    assert.throws(() => x.sum(-3), IndexError);
    assert.throws(() => x.sum([0, -2]), ValueError);
  });

  test("gradcheck with dims and keepdim, transposed input", () => {
    const t = randn64([4, 2, 3], 1).permute(2, 0, 1).requiresGrad_();
    check((a) => a.sum(), [t]);
    check((a) => a.sum(1), [t]);
    check((a) => a.sum([0, 2], true), [t]);
    check((a) => a.mean(-1), [t]);
    check((a) => a.mean([1, 2], true), [t]);
  });
});

describe("var and std", () => {
  test("correction 1 (default) and 0 (hand-computed)", () => {
    const v = tensor([1, 2, 3, 4], { dtype: "float64" });
    // mean 2.5, Σ(x−x̄)² = 5
    assertClose(v.var(), 5 / 3, 1e-15);
    assertClose(v.var(undefined, { correction: 0 }), 1.25, 1e-15);
    assertClose(v.std(), Math.sqrt(5 / 3), 1e-15);
    const m = tensor([[1, 3], [2, 6]], { dtype: "float64" });
    assertClose(m.var(1), [2, 8], 1e-15);
    assertClose(m.var(0, { keepdim: true, correction: 0 }), [[0.25, 2.25]], 1e-15);
    // one sample with Bessel's correction: 0/0, NaN as in PyTorch
    assert.ok(Number.isNaN(tensor([1]).var().item()));
  });

  test("gradcheck", () => {
    const t = randn64([3, 4], 2).T.requiresGrad_();
    check((a) => a.var(), [t]);
    check((a) => a.var(0, { correction: 0 }), [t]);
    check((a) => a.std(1, { keepdim: true }), [t]);
    check((a) => a.std([0, 1], { correction: 2 }), [t]);
  });
});

describe("max, min, argmax, amax", () => {
  const y = tensor([[3, 1, 3], [0, 5, 5]]);

  test("values and indices along a dim; the first maximum wins ties", () => {
    const r = y.max(1);
    assert.deepEqual(r.values.toArray(), [3, 5]);
    assert.deepEqual(r.indices.toArray(), [0, 1]);
    assert.equal(r.indices.dtype, "int32");
    const k = y.min(0, true);
    assert.deepEqual(k.values.toArray(), [[0, 1, 3]]);
    assert.deepEqual(k.indices.toArray(), [[1, 0, 0]]);
    assert.equal(y.max().item(), 5);
    assert.equal(y.min().item(), 0);
    assert.equal(y.argmax().item(), 4);
    assert.deepEqual(y.argmax(0).toArray(), [0, 1, 1]);
    assert.deepEqual(y.argmin(1, true).toArray(), [[1], [0]]);
    assert.deepEqual(y.amax([0, 1]).toArray(), 5);
    assert.deepEqual(y.amin(1).toArray(), [1, 0]);
  });

  test("NaN propagates", () => {
    assert.ok(Number.isNaN(tensor([1, NaN, 2]).max().item()));
    assert.ok(Number.isNaN(tensor([[1, NaN, 2]]).max(1).values.item()));
  });

  test("empty reduction dim throws", () => {
    assert.throws(() => tensor([[]]).max(1), /max: cannot reduce over a dimension of size 0/);
  });

  test("max(dim) sends the gradient to the chosen index only; amax and max() split ties evenly", () => {
    const a = tensor([[2, 2, 1]], { dtype: "float64", requiresGrad: true });
    a.max(1).values.sum().backward();
    assert.deepEqual(gradOf(a).toArray(), [[1, 0, 0]]);
    const b = tensor([[2, 2, 1]], { dtype: "float64", requiresGrad: true });
    b.amax(1).sum().backward();
    assert.deepEqual(gradOf(b).toArray(), [[0.5, 0.5, 0]]);
    const c = tensor([[2, 2], [2, 1]], { dtype: "float64", requiresGrad: true });
    c.max().backward();
    assertClose(gradOf(c), [[1 / 3, 1 / 3], [1 / 3, 0]]);
    const d = tensor([0, 0, 1], { dtype: "float64", requiresGrad: true });
    d.amin().backward();
    assert.deepEqual(gradOf(d).toArray(), [0.5, 0.5, 0]);
  });

  test("gradcheck (distinct values), several dims and keepdim", () => {
    const t = randn64([3, 4, 2], 3).permute(1, 0, 2).requiresGrad_();
    check((a) => a.max(1).values, [t]);
    check((a) => a.min(-1, true).values, [t]);
    check((a) => a.amax([0, 2]), [t]);
    check((a) => a.amin(1, true), [t]);
    check((a) => a.max(), [t]);
  });
});

describe("logsumexp", () => {
  test("values, stability for large inputs, -inf rows", () => {
    assertClose(tensor([[0, 0], [1, 2]], { dtype: "float64" }).logsumexp(1), [Math.LN2, 2 + Math.log1p(Math.exp(-1))], 1e-15);
    assertClose(tensor([1000, 1000], { dtype: "float64" }).logsumexp(0), 1000 + Math.LN2, 1e-15);
    assertClose(tensor([-1000, -1000]).logsumexp(0), -1000 + Math.LN2, 1e-7);
    assertClose(tensor([-Infinity, -Infinity]).logsumexp(0), -Infinity);
    assert.deepEqual(tensor([[1, 2]]).logsumexp(1, true).shape, [1, 1]);
    assert.throws(() => tensor([1], { dtype: "int32" }).logsumexp(0), ValueError);
  });

  test("gradcheck over one and several dims, keepdim, transposed input", () => {
    const t = randn64([3, 4], 4).T.requiresGrad_();
    check((a) => a.logsumexp(0), [t]);
    check((a) => a.logsumexp(-1, true), [t]);
    check((a) => a.logsumexp([0, 1]), [t]);
    check((a) => a.mul(300).logsumexp(1), [leaf([2, 3], 5)]);
  });

  test("functional forms match methods", () => {
    const t = randn64([2, 3], 6);
    assert.deepEqual(ops.logsumexp(t, 1).toArray(), t.logsumexp(1).toArray());
    assert.deepEqual(ops.variance(t, 1).toArray(), t.var(1).toArray());
  });
});
