import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createAttentionMaps, headWeights, meanOverHeads, queryPosition, visibleKeys } from "../../src/analysis/attention-maps.js";
import { IndexError, ShapeError, ValueError } from "../../src/errors.js";

describe("analysis/attention-maps", () => {
  test("nested arrays and Float32Arrays give the same maps; inputs are copied", () => {
    const rows = [[1, 0], [0.25, 0.75]];
    const fromNested = createAttentionMaps({ weights: [[rows]], keyTokens: ["a", "b"] });
    const array = new Float32Array([1, 0, 0.25, 0.75]);
    const fromArray = createAttentionMaps({ weights: [[array]], keyTokens: ["a", "b"] });
    assert.deepEqual(fromNested.weights, fromArray.weights);
    array[0] = 0;
    assert.equal(fromArray.weights[0]![0]![0], 1);
    assert.deepEqual(
      { layers: fromNested.layers, heads: fromNested.heads, queries: fromNested.queries, keys: fromNested.keys, causal: fromNested.causal },
      { layers: 1, heads: 1, queries: 2, keys: 2, causal: false },
    );
    assert.deepEqual(fromNested.queryTokens, ["a", "b"]);
  });

  test("visible keys and query positions, with and without a cache", () => {
    assert.equal(visibleKeys(4, 4, false, 0), 4);
    assert.equal(visibleKeys(4, 4, true, 0), 1);
    assert.equal(visibleKeys(2, 5, true, 0), 4);
    assert.equal(queryPosition({ queries: 2, keys: 5 }, 1), 4);
  });

  test("mean over heads", () => {
    const maps = createAttentionMaps({ weights: [[[[1, 0], [0, 1]], [[0, 1], [0.5, 0.5]]]], keyTokens: ["a", "b"] });
    assert.deepEqual(Array.from(meanOverHeads(maps, 0)), [0.5, 0.5, 0.25, 0.75]);
    assert.throws(() => headWeights(maps, 1, 0), IndexError);
    assert.throws(() => headWeights(maps, 0, 2), /head 2 is not in \[0, 2\)/);
  });

  test("bad input is a named error naming the place and value", () => {
    const tokens = ["a", "b"];
    assert.throws(() => createAttentionMaps({ weights: [], keyTokens: tokens }), ShapeError);
    assert.throws(() => createAttentionMaps({ weights: [[[[1, 0]]]], keyTokens: tokens }), /layer 0 head 0 has 1 rows, expected Q=2/);
    assert.throws(() => createAttentionMaps({ weights: [[[[1, 0], [1]]]], keyTokens: tokens }), /row 1 has 1 keys, expected K=2/);
    assert.throws(() => createAttentionMaps({ weights: [[[[1, 0], [0.5, 0.4]]]], keyTokens: tokens }), /row 1 sums to 0.9/);
    assert.throws(() => createAttentionMaps({ weights: [[[[1, 0], [1.5, -0.5]]]], keyTokens: tokens }), ValueError);
    assert.throws(() => createAttentionMaps({ weights: [[[[1, 0], [Number.NaN, 1]]]], keyTokens: tokens }), /must be finite/);
    assert.throws(() => createAttentionMaps({ weights: [[[[0.5, 0.5], [0.5, 0.5]]]], keyTokens: tokens, causal: true }), /weight \[0,1\] = 0.5 lies under the causal mask/);
    assert.throws(() => createAttentionMaps({ weights: [[[[1, 0], [0, 1]]], []], keyTokens: tokens }), /layer 1 has 0 heads, layer 0 has 1/);
    assert.throws(() => createAttentionMaps({ weights: [[new Float32Array(3)]], keyTokens: tokens }), /has 3 weights, expected Q×K = 2×2/);
  });
});
