import { test } from "node:test";
import assert from "node:assert/strict";
import { IndexError, ops, tensor } from "../../src/index.js";
import { check, leaf, randn64 } from "./helpers.js";

test("reverses the given dims (hand-computed), as a copy", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(x.flip(0).toArray(), [[4, 5, 6], [1, 2, 3]]);
  assert.deepEqual(x.flip(1).toArray(), [[3, 2, 1], [6, 5, 4]]);
  assert.deepEqual(ops.flip(x, [0, 1]).toArray(), [[6, 5, 4], [3, 2, 1]]);
  assert.deepEqual(x.T.flip(-1).toArray(), [[4, 1], [5, 2], [6, 3]]);
  const f = x.flip(0);
  x.storage[0] = 100;
  assert.deepEqual(f.toArray(), [[4, 5, 6], [1, 2, 3]]);
  assert.throws(() => x.flip(2), IndexError);
});

test("gradcheck", () => {
  check((t) => t.flip(0, 2), [leaf([2, 3, 2], 1)]);
  check((t) => t.flip(1), [randn64([3, 2], 2).T.requiresGrad_()]);
});
