import { test } from "node:test";
import assert from "node:assert/strict";
import { ValueError } from "../../src/index.js";
import { lengthPenalty } from "../../src/generate/length-penalty.js";

test("length penalties: |Y|^α and GNMT's ((5 + |Y|) / 6)^α", () => {
  assert.equal(lengthPenalty(4, 1), 4);
  assert.equal(lengthPenalty(9, 0.5), 3);
  assert.equal(lengthPenalty(7, 0), 1);
  assert.equal(lengthPenalty(1, 0.6, "gnmt"), 1); // (5 + 1) / 6 = 1
  assert.equal(lengthPenalty(7, 1, "gnmt"), 2); // (5 + 7) / 6
  assert.equal(lengthPenalty(31, 0.5, "gnmt"), Math.sqrt(6));
  assert.throws(() => lengthPenalty(0, 1), ValueError);
  assert.throws(() => lengthPenalty(3, Number.NaN, "gnmt"), ValueError);
});
