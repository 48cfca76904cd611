import { test } from "node:test";
import assert from "node:assert/strict";
import { enableGrad, isGradEnabled, noGrad, tensor } from "../../src/index.js";

test("noGrad nests, restores on exit and on throw; enableGrad re-enables inside", () => {
  assert.equal(isGradEnabled(), true);
  const x = tensor([1], { requiresGrad: true });
  noGrad(() => {
    assert.equal(isGradEnabled(), false);
    assert.equal(x.mul(2).requiresGrad, false);
    enableGrad(() => assert.equal(x.mul(2).requiresGrad, true));
    assert.equal(isGradEnabled(), false);
  });
  assert.equal(isGradEnabled(), true);
  assert.throws(() => noGrad(() => { throw new Error("boom"); }), /boom/);
  assert.equal(isGradEnabled(), true);
  assert.equal(noGrad(() => 42), 42);
});
