import { test } from "node:test";
import assert from "node:assert/strict";
import { ops, tensor } from "../../src/index.js";
import { randn64 } from "./helpers.js";

test("method chains compute what the functional API computes", () => {
  const x = randn64([2, 3], 1);
  const y = randn64([3], 2);
  const viaMethods = x.add(y).relu().mul(2).sum(1).toArray();
  const viaFunctions = ops.sum(ops.mul(ops.relu(ops.add(x, y)), 2), 1).toArray();
  assert.deepEqual(viaMethods, viaFunctions);
});

test("shape arguments as varargs or one array; T; expandAs; max with and without dim", () => {
  const x = randn64([2, 3], 3);
  assert.deepEqual(x.reshape(3, 2).shape, x.reshape([3, 2]).shape);
  assert.deepEqual(x.permute([1, 0]).toArray(), x.T.toArray());
  assert.deepEqual(tensor([1]).expandAs(x).shape, [2, 3]);
  assert.equal(x.max().ndim, 0);
  assert.deepEqual(Object.keys(x.max(1)).sort(), ["indices", "values"]);
  assert.equal(Object.keys(x).includes("add"), false, "methods are not enumerable own properties");
});

test("new ops are installed as methods", () => {
  const x = tensor([[1, 2], [3, 4]]);
  for (const name of ["gather", "scatter", "scatterAdd", "indexSelect", "indexAdd", "maskedFill", "where", "triu", "tril", "clamp", "split", "chunk", "flip", "repeat"]) {
    assert.equal(typeof (x as unknown as Record<string, unknown>)[name], "function", name);
  }
});
