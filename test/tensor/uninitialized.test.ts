/**
 * Ops allocate their outputs uninitialised where they overwrite every element. With poisoning on,
 * such arrays start as NaN, so any element an op forgets to write shows up as NaN in the results:
 * each case below must give bit-identical values poisoned and not.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, manualSeed, randint, randn } from "../../src/index.js";
import * as ops from "../../src/ops/index.js";
import { matmul, reshape, softmax, transpose } from "../../src/ops/index.js";
import { crossEntropy } from "../../src/losses/index.js";
import { layerNorm, scaledDotProductAttention } from "../../src/nn/functional/index.js";
import { GPT } from "../../src/models/gpt/index.js";
import { allocateUninitialized, setUninitializedPoison } from "../../src/tensor/dtype.js";

test("allocateUninitialized gives the dtype and length asked for, and NaN when poisoned", () => {
  const previous = setUninitializedPoison(true);
  try {
    for (const length of [0, 3, 5000]) {
      const f = allocateUninitialized("float32", length);
      assert.ok(f instanceof Float32Array);
      assert.equal(f.length, length);
      assert.ok(f.every((v) => Number.isNaN(v)));
      const i = allocateUninitialized("int32", length);
      assert.ok(i instanceof Int32Array);
      assert.ok(i.every((v) => v === 0x7fffffff));
    }
    assert.ok(allocateUninitialized("float64", 2000) instanceof Float64Array);
  } finally {
    setUninitializedPoison(previous);
  }
});

/** Runs `compute` unpoisoned and poisoned; returns both results' flat values. */
function bothWays(compute: () => Tensor[]): [number[][], number[][]] {
  const plain = compute().map((t) => Array.from(t.toTypedArray()));
  const previous = setUninitializedPoison(true);
  try {
    const poisoned = compute().map((t) => Array.from(t.toTypedArray()));
    return [plain, poisoned];
  } finally {
    setUninitializedPoison(previous);
  }
}

test("ops write every element of their uninitialised outputs (values and gradients)", () => {
  const [plain, poisoned] = bothWays(() => {
    manualSeed(3);
    const x = randn([6, 40, 33]).requiresGrad_();
    const w = randn([33, 40]).requiresGrad_();
    const y = matmul(x, w); // [6, 40, 40]
    const n = layerNorm(transpose(y, 1, 2), [40]); // strided input
    const p = softmax(n, -1);
    const logits = reshape(transpose(p, 0, 1), [-1, 40]);
    const targets = randint(0, 40, [logits.shape[0] as number], { dtype: "int32" });
    targets.storage[1] = -100; // an ignored row: its gradient row must be written as zeros
    const loss = crossEntropy(logits, targets);
    loss.backward();
    const empty = matmul(randn([3, 0]), randn([0, 4])); // k = 0: the product is all zeros
    return [loss, y, n, x.grad as Tensor, w.grad as Tensor, empty];
  });
  assert.ok(plain.flat().every((v) => Number.isFinite(v)));
  assert.deepEqual(poisoned, plain);
  assert.ok(plain[5]?.every((v) => v === 0));
});

test("attention writes its whole output and gradients: masked-out keys and query rows, broadcast k/v, head views", () => {
  const [plain, poisoned] = bothWays(() => {
    manualSeed(4);
    const q = randn([2, 3, 5, 8]).requiresGrad_();
    const k = randn([2, 1, 7, 8]).requiresGrad_(); // shared by the 3 heads
    const x = randn([2, 7, 3, 8]).requiresGrad_();
    const v = transpose(x, 1, 2); // a head view of [B, S, H, D]
    const mask = randn([2, 1, 5, 7]).gt(0.3); // some query rows see no key at all
    const y = scaledDotProductAttention(q, k, v, { mask });
    const causal = scaledDotProductAttention(q, transpose(x, 1, 2), v, { isCausal: true, causalOffset: -2 });
    y.add(causal).sum().backward();
    return [y, causal, q.grad as Tensor, k.grad as Tensor, x.grad as Tensor];
  });
  assert.ok(plain.flat().every((v) => Number.isFinite(v)));
  assert.deepEqual(poisoned, plain);
});

test("a GPT training step is identical with poisoned allocations", () => {
  const [plain, poisoned] = bothWays(() => {
    manualSeed(0);
    const model = new GPT({ vocab_size: 50, n_positions: 16, n_embd: 32, n_layer: 2, n_head: 4, embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 });
    const ids = randint(0, 50, [3, 16], { dtype: "int32" });
    const { loss } = model.forward(ids, { targets: ids });
    loss?.backward();
    return [loss as Tensor, ...model.parameters().map((p) => p.grad as Tensor)];
  });
  assert.ok(plain.flat().every((v) => Number.isFinite(v)));
  assert.deepEqual(poisoned, plain);
});

test("unary and binary ops write every element: all dtypes, broadcast and strided operands, gradients", () => {
  const unaryNames = [
    "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "abs", "sign", "sin", "cos", "tanh", "sigmoid", "relu", "square",
    "reciprocal", "erf", "floor", "ceil", "round", "trunc", "leakyRelu", "silu", "softplus", "elu",
  ] as const;
  const binaryNames = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "remainder"] as const;
  const [plain, poisoned] = bothWays(() => {
    manualSeed(8);
    const results: Tensor[] = [];
    for (const dtype of ["float32", "float64"] as const) {
      // Large enough for the SIMD paths (≥ 4K elements), plus a strided view and a small one.
      const big = randn([70, 90], { dtype }).abs().add(0.1).requiresGrad_();
      const inputs = [big, transpose(big, 0, 1), randn([3, 5], { dtype }).abs().add(0.1).requiresGrad_()];
      for (const x of inputs) {
        for (const name of unaryNames) {
          const y = (ops[name] as (t: Tensor) => Tensor)(x);
          results.push(y);
          if (y.requiresGrad) results.push(...autogradGrads(y, x));
        }
        const rowB = randn([x.shape[1] as number], { dtype }).abs().add(0.5);
        const colB = randn([x.shape[0] as number, 1], { dtype }).abs().add(0.5);
        for (const name of binaryNames) {
          const f = ops[name] as (a: Tensor, b: Tensor | number) => Tensor;
          results.push(f(x, rowB), f(rowB, x), f(x, colB), f(x, 1.5), f(x, x));
        }
      }
    }
    const ints = randint(0, 9, [80, 70], { dtype: "int32" });
    results.push(ops.abs(ints), ops.neg(ints), ops.add(ints, 3), ops.mul(ints, transpose(ints, 0, 1).contiguous().reshape([80, 70])));
    return results;
  });
  assert.ok(plain.flat().every((v) => Number.isFinite(v)));
  assert.deepEqual(poisoned, plain);
});

/** The gradient of sum(y) with respect to x (x's gradient is reset first). */
function autogradGrads(y: Tensor, x: Tensor): Tensor[] {
  const leaf = x.gradFn === null ? x : null;
  if (leaf) leaf.grad = null;
  y.sum().backward(undefined, { retainGraph: true });
  return leaf?.grad ? [leaf.grad] : [];
}
