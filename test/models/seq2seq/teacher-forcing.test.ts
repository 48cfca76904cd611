import { test } from "node:test";
import assert from "node:assert/strict";
import { ValueError } from "../../../src/index.js";
import { teacherForcingRatio } from "../../../src/models/seq2seq/teacher-forcing.js";

test("constant schedule (also as a bare number)", () => {
  for (const step of [0, 1, 1000]) {
    assert.equal(teacherForcingRatio({ kind: "constant", ratio: 0.75 }, step), 0.75);
    assert.equal(teacherForcingRatio(0.25, step), 0.25);
  }
  assert.throws(() => teacherForcingRatio(1.5, 0), ValueError);
});

test("linear decay k − c·i, floored at ε_min", () => {
  const s = { kind: "linear" as const, start: 1, slope: 0.01, min: 0.2 };
  assert.equal(teacherForcingRatio(s, 0), 1);
  assert.ok(Math.abs(teacherForcingRatio(s, 50) - 0.5) < 1e-12);
  assert.equal(teacherForcingRatio(s, 80), 0.2);
  assert.equal(teacherForcingRatio(s, 10_000), 0.2);
  assert.equal(teacherForcingRatio({ kind: "linear", slope: 0.5 }, 3), 0);
});

test("exponential decay k^i", () => {
  assert.equal(teacherForcingRatio({ kind: "exponential", k: 0.5 }, 0), 1);
  assert.equal(teacherForcingRatio({ kind: "exponential", k: 0.5 }, 3), 0.125);
  assert.throws(() => teacherForcingRatio({ kind: "exponential", k: 1.5 }, 1), ValueError);
});

test("inverse sigmoid k / (k + exp(i / k)): k/(k+1) at 0, 1/2 at i = k·ln k, decreasing to 0", () => {
  const s = { kind: "inverse-sigmoid" as const, k: 100 };
  assert.equal(teacherForcingRatio(s, 0), 100 / 101);
  const half = 100 * Math.log(100); // 460.5…
  assert.ok(teacherForcingRatio(s, Math.floor(half)) > 0.5);
  assert.ok(teacherForcingRatio(s, Math.ceil(half)) < 0.5);
  let prev = 1;
  for (let i = 0; i <= 2000; i += 100) {
    const r = teacherForcingRatio(s, i);
    assert.ok(r < prev && r > 0);
    prev = r;
  }
  assert.ok(teacherForcingRatio(s, 2000) < 0.01);
  assert.throws(() => teacherForcingRatio({ kind: "inverse-sigmoid", k: 0.5 }, 1), ValueError);
  assert.throws(() => teacherForcingRatio(s, -1), ValueError);
});
