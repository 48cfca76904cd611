import { test } from "node:test";
import assert from "node:assert/strict";
import { ValueError } from "../../../src/index.js";
import { lengthPenalty } from "../../../src/models/seq2seq/length-penalty.js";

test("length penalties: |Y|^α and GNMT's ((5 + |Y|) / 6)^α", () => {
  assert.equal(lengthPenalty(4, { kind: "power", alpha: 1 }), 4);
  assert.equal(lengthPenalty(9, { kind: "power", alpha: 0.5 }), 3);
  assert.equal(lengthPenalty(7, { kind: "power", alpha: 0 }), 1);
  assert.equal(lengthPenalty(1, { kind: "gnmt", alpha: 0.6 }), 1); // (5 + 1) / 6 = 1
  assert.equal(lengthPenalty(7, { kind: "gnmt", alpha: 1 }), 2); // (5 + 7) / 6
  assert.equal(lengthPenalty(31, { kind: "gnmt", alpha: 0.5 }), Math.sqrt(6));
  assert.throws(() => lengthPenalty(0, { kind: "power", alpha: 1 }), ValueError);
  assert.throws(() => lengthPenalty(3, { kind: "gnmt", alpha: -1 }), ValueError);
});
