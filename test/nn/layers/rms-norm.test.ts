/** RMSNorm layer: parameters, shapes, eps default and option. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { nn, randn } from "../../../src/index.js";
import { assertAllClose } from "../helpers.js";

describe("nn.RMSNorm", () => {
  test("weight ones, no bias, output shape = input shape", () => {
    const n = new nn.RMSNorm(8);
    assert.deepEqual(n.namedParameters().map(([k, p]) => [k, p.shape]), [["weight", [8]]]);
    assert.deepEqual(n.forward(randn([2, 3, 8])).shape, [2, 3, 8]);
    assert.deepEqual(new nn.RMSNorm(8, { elementwiseAffine: false }).parameters(), []);
  });

  test("eps is passed to the op (default: dtype epsilon)", () => {
    const x = randn([3, 8]);
    const n = new nn.RMSNorm(8, { eps: 0.25 });
    assertAllClose(n.forward(x), nn.functional.rmsNorm(x, 8, n.weight, 0.25), 0, 0, "eps 0.25");
    const d = new nn.RMSNorm(8);
    assertAllClose(d.forward(x), nn.functional.rmsNorm(x, 8, d.weight, 2 ** -23), 0, 0, "default eps");
  });
});
