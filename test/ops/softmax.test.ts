import { test } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, IndexError, ops, tensor } from "../../src/index.js";
import { assertClose, check, leaf, randn64 } from "./helpers.js";

test("softmax values (hand-computed), rows sum to 1, stable for large inputs", () => {
  const e = Math.exp(1);
  assertClose(tensor([[0, 1], [0, 0]], { dtype: "float64" }).softmax(), [[1 / (1 + e), e / (1 + e)], [0.5, 0.5]], 1e-15);
  assertClose(tensor([1000, 1000, -Infinity], { dtype: "float64" }).softmax(), [0.5, 0.5, 0], 1e-15);
  const s = randn64([3, 5], 1).softmax(1).sum(1);
  assertClose(s, [1, 1, 1], 1e-14);
});

test("logSoftmax = x − logsumexp(x), on the last and on other dims", () => {
  const x = randn64([2, 3, 4], 2);
  for (const dim of [0, 1, 2, -1]) {
    const expected = x.sub(x.logsumexp(dim, true));
    assertClose(x.logSoftmax(dim), expected.toArray(), 1e-14);
    assertClose(x.softmax(dim), expected.exp().toArray(), 1e-14);
  }
});

test("errors: integer input, bad dim", () => {
  assert.throws(() => tensor([1, 2], { dtype: "int32" }).softmax(), DTypeError);
  assert.throws(() => tensor([1, 2]).softmax(1), IndexError);
});

test("gradcheck on the last dim and on non-last dims, transposed input", () => {
  const t = randn64([3, 4, 2], 3).permute(2, 0, 1).requiresGrad_();
  for (const dim of [0, 1, 2, -1]) {
    check((a) => a.softmax(dim), [t]);
    check((a) => a.logSoftmax(dim), [t]);
  }
  check((a) => ops.softmax(a.mul(50)), [leaf([2, 3], 4)]);
});
