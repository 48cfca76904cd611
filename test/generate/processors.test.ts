import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Generator, ValueError } from "../../src/index.js";
import {
  applyRepetitionPenalty, applyTemperature, argmax, chooseNextToken, logSoftmaxRow, sampleFromProbs, softmaxRow,
  topKFilter, topPFilter,
} from "../../src/generate/index.js";

const f32 = (xs: number[]) => Float32Array.from(xs);
const kept = (xs: Float32Array) => [...xs.keys()].filter((i) => xs[i] !== -Infinity);

test("temperature divides logits: softmax(l/T) ∝ softmax(l)^(1/T)", () => {
  const l = f32([1, 2, 0.5, -1]);
  assert.deepEqual([...applyTemperature(l, 2)], [0.5, 1, 0.25, -0.5]);
  const p = softmaxRow(l);
  for (const T of [0.5, 2]) {
    const q = softmaxRow(applyTemperature(l, T));
    const powered = [...p].map((x) => x ** (1 / T));
    const z = powered.reduce((a, b) => a + b);
    powered.forEach((x, i) => assert.ok(Math.abs(x / z - (q[i] as number)) < 1e-6));
  }
  // lower temperature sharpens: the top token's probability grows
  assert.ok((softmaxRow(applyTemperature(l, 0.5))[1] as number) > (p[1] as number));
  assert.ok((softmaxRow(applyTemperature(l, 2))[1] as number) < (p[1] as number));
  assert.throws(() => applyTemperature(l, 0), ValueError);
});

test("repetition penalty: positive logits divided, negative multiplied, only for context tokens", () => {
  const l = f32([2, -2, 0.5, -0.5, 3]);
  const out = applyRepetitionPenalty(l, [0, 1, 1, 3], 2);
  assert.deepEqual([...out], [1, -4, 0.5, -1, 3]);
  assert.deepEqual([...l], [2, -2, 0.5, -0.5, 3], "input untouched");
  // θ > 1 always lowers a repeated token's probability relative to the others
  const before = softmaxRow(l);
  const after = softmaxRow(out);
  assert.ok((after[0] as number) < (before[0] as number) && (after[1] as number) < (before[1] as number));
});

test("top-k keeps the k largest; ties at the k-th value are all kept", () => {
  assert.deepEqual(kept(topKFilter(f32([1, 3, 2, 0, 5]), 2)), [1, 4]);
  assert.deepEqual(kept(topKFilter(f32([1, 3, 2, 0, 5]), 1)), [4]);
  assert.deepEqual(kept(topKFilter(f32([1, 2, 2, 2, 0]), 2)), [1, 2, 3], "three tied at the 2nd value");
  assert.deepEqual(kept(topKFilter(f32([1, 2, 2, 2, 0]), 4)), [0, 1, 2, 3]);
  assert.deepEqual(kept(topKFilter(f32([1, 2]), 5)), [0, 1]);
  const out = topKFilter(f32([1, 3, 2]), 2);
  assert.deepEqual([...out], [-Infinity, 3, 2], "kept logits unchanged");
});

test("top-k property: keeps exactly the entries ≥ the k-th largest (k of them when distinct)", () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 12 }), (xs, k) => {
    const out = topKFilter(f32(xs), k);
    const sorted = [...xs].sort((a, b) => b - a);
    const kth = sorted[Math.min(k, xs.length) - 1] as number;
    const expected = xs.map((x, i) => (x >= kth ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(kept(out), expected);
    if (new Set(xs).size === xs.length) assert.equal(kept(out).length, Math.min(k, xs.length));
  }));
});

test("top-p keeps the smallest most-likely set with cumulative probability ≥ p (at least the top token)", () => {
  const probs = [0.15, 0.5, 0.05, 0.3]; // sorted: 1 (0.5), 3 (0.3), 0 (0.15), 2 (0.05)
  const l = f32(probs.map(Math.log));
  assert.deepEqual(kept(topPFilter(l, 0.1)), [1]);
  assert.deepEqual(kept(topPFilter(l, 0.45)), [1]);
  assert.deepEqual(kept(topPFilter(l, 0.7)), [1, 3]);
  assert.deepEqual(kept(topPFilter(l, 0.9)), [0, 1, 3]);
  assert.deepEqual(kept(topPFilter(l, 0.99)), [0, 1, 2, 3]);
  assert.deepEqual(kept(topPFilter(l, 1)), [0, 1, 2, 3]);
  // renormalised nucleus: 0.5 / 0.8 and 0.3 / 0.8
  const q = softmaxRow(topPFilter(l, 0.7));
  assert.ok(Math.abs((q[1] as number) - 0.625) < 1e-6 && Math.abs((q[3] as number) - 0.375) < 1e-6);
  assert.throws(() => topPFilter(l, 0), ValueError);
});

test("softmax / log-softmax rows, argmax takes the first maximum", () => {
  const l = f32([1, 2, -Infinity, 2]);
  const p = softmaxRow(l);
  const e = Math.exp(1) + 2 * Math.exp(2);
  assert.ok(Math.abs((p[0] as number) - Math.exp(1) / e) < 1e-12);
  assert.equal(p[2], 0);
  const lp = logSoftmaxRow(l);
  lp.forEach((x, i) => assert.ok(i === 2 ? x === -Infinity : Math.abs(x - Math.log(p[i] as number)) < 1e-12));
  assert.equal(argmax(l), 1);
  assert.equal(argmax([-3, -1, -2]), 1);
});

test("sampleFromProbs inverts the CDF and skips zero-probability tokens", () => {
  const p = [0, 0.25, 0, 0.75];
  assert.equal(sampleFromProbs(p, 0), 1);
  assert.equal(sampleFromProbs(p, 0.2499), 1);
  assert.equal(sampleFromProbs(p, 0.25), 3);
  assert.equal(sampleFromProbs(p, 0.999999), 3);
  assert.equal(sampleFromProbs([0.5, 0.49999, 0], 0.9999999), 1, "rounding shortfall lands on the last possible token");
});

test("chooseNextToken: temperature 0 is argmax; sampling frequencies follow the processed distribution", () => {
  const l = f32([0, Math.log(2), Math.log(5), Math.log(2)]); // p = 0.1, 0.2, 0.5, 0.2
  const s = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, generator: new Generator(0) };
  assert.equal(chooseNextToken(l, [], s), 2);
  assert.equal(chooseNextToken(l, [2], { ...s, repetitionPenalty: 10 }), 1, "penalty moves greedy off token 2 (log 5 / 10 < log 2)");
  const counts = [0, 0, 0, 0];
  const n = 4000;
  const g = { ...s, temperature: 1, topK: 3 }; // drops token 0 → 2/9, 5/9, 2/9
  for (let i = 0; i < n; i++) (counts[chooseNextToken(l, [], g)] as number)++;
  assert.equal(counts[0], 0);
  const expected = [0, 2 / 9, 5 / 9, 2 / 9];
  counts.forEach((c, i) => assert.ok(Math.abs(c / n - (expected[i] as number)) < 0.03, `token ${i}: ${c / n}`));
});
