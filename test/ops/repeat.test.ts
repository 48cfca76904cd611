import { test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError, tensor } from "../../src/index.js";
import { check, leaf } from "./helpers.js";

test("tiles along each dim and can add leading dims (torch.repeat)", () => {
  const x = tensor([1, 2]);
  assert.deepEqual(x.repeat(3).toArray(), [1, 2, 1, 2, 1, 2]);
  assert.deepEqual(x.repeat(2, 2).toArray(), [[1, 2, 1, 2], [1, 2, 1, 2]]);
  assert.deepEqual(tensor([[1], [2]]).repeat(1, 3).toArray(), [[1, 1, 1], [2, 2, 2]]);
  assert.deepEqual(tensor([[1, 2]]).T.repeat([2, 1]).toArray(), [[1], [2], [1], [2]]);
  assert.throws(() => tensor([[1]]).repeat(2), ShapeError);
});

test("gradient sums over the copies", () => {
  const x = leaf([2], 1);
  x.repeat(3, 2).sum().backward();
  assert.deepEqual(x.grad?.toArray(), [6, 6]);
  check((t) => t.repeat(2, 1, 3), [leaf([2, 3], 2)]);
});
