import { test } from "node:test";
import assert from "node:assert/strict";
import { randn, ShapeError, tensor, ValueError } from "../../../src/index.js";
import { maskedSoftmax, maskLengths, sourceMaskFromIds, sourceMaskFromLengths } from "../../../src/models/seq2seq/masking.js";

test("source masks from lengths and from padded ids agree; true marks real tokens", () => {
  const fromLengths = sourceMaskFromLengths([3, 1, 2], 3);
  assert.deepEqual(fromLengths.toArray(), [[true, true, true], [true, false, false], [true, true, false]]);
  const ids = tensor([[5, 6, 7], [5, 0, 0], [9, 9, 0]], { dtype: "int32" });
  assert.deepEqual(sourceMaskFromIds(ids, 0).toArray(), fromLengths.toArray());
  assert.deepEqual(maskLengths(fromLengths), [3, 1, 2]);
  assert.throws(() => sourceMaskFromLengths([0], 3), ValueError);
  assert.throws(() => sourceMaskFromLengths([4], 3), ValueError);
});

test("maskedSoftmax: zero weight at padding, rows sum to 1, [B, T, S] scores share the [B, S] mask", () => {
  const scores = randn([2, 3, 4]);
  const mask = sourceMaskFromLengths([4, 2], 4);
  const w = maskedSoftmax(scores, mask).toArray() as number[][][];
  for (const row of w[1]!) {
    assert.deepEqual(row.slice(2), [0, 0]);
    assert.ok(Math.abs(row[0]! + row[1]! - 1) < 1e-6);
  }
  for (const row of w[0]!) assert.ok(row.every((x) => x > 0));
  assert.throws(() => maskedSoftmax(scores, sourceMaskFromLengths([4, 2, 1], 4)), ShapeError);
  const empty = tensor([[1, 0, 0, 0], [0, 0, 0, 0]]).gt(0.5);
  assert.throws(() => maskedSoftmax(randn([2, 4]), empty), ValueError);
});
