/** Identity and Flatten. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { nn, randn } from "../../../src/index.js";

describe("nn.Identity / nn.Flatten", () => {
  test("Identity returns its input", () => {
    const x = randn([2, 3]);
    assert.equal(new nn.Identity().forward(x), x);
  });

  test("Flatten keeps the batch dim by default", () => {
    assert.deepEqual(new nn.Flatten().forward(randn([2, 3, 4, 5])).shape, [2, 60]);
    assert.deepEqual(new nn.Flatten(0).forward(randn([2, 3, 4])).shape, [24]);
    assert.deepEqual(new nn.Flatten(1, 2).forward(randn([2, 3, 4, 5])).shape, [2, 12, 5]);
  });
});
