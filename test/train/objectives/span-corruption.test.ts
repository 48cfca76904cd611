import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Generator, ValueError } from "../../../src/index.js";
import {
  corruptWithMask, corruptedLengths, noiseCounts, randomSegmentation, randomSpansHelper, randomSpansNoiseMask, reconstructFromSpans,
  roundHalfToEven, spanCorrupt, tokensLengthForTargets, topOfVocabularySentinels,
} from "../../../src/train/objectives/span-corruption.js";

const V = 1000;
const sentinels = { sentinelIds: topOfVocabularySentinels(V, 100), eosId: 1 };
/** Token sequences that hold neither EOS nor a sentinel. */
const tokensArb = fc.array(fc.integer({ min: 2, max: V - 101 }), { minLength: 1, maxLength: 300 });

test("roundHalfToEven: numpy's round (halves to the even integer)", () => {
  assert.deepEqual([0.5, 1.5, 2.5, 4.5, 7.5, -0.5, -1.5, 1.4999, 2.5001].map(roundHalfToEven), [0, 2, 2, 4, 8, 0, -2, 1, 3]);
});

test("noiseCounts: T5's formulas, hand-computed cases (round half to even, clamps)", () => {
  // L = 10: round(1.5) = 2 noise, round(2/3) = 1 span; L = 30: round(4.5) = 4, round(4/3) = 1; L = 100: 15, 5.
  assert.deepEqual(noiseCounts(10), { numNoiseTokens: 2, numNonNoiseTokens: 8, numNoiseSpans: 1 });
  assert.deepEqual(noiseCounts(30), { numNoiseTokens: 4, numNonNoiseTokens: 26, numNoiseSpans: 1 });
  assert.deepEqual(noiseCounts(100), { numNoiseTokens: 15, numNonNoiseTokens: 85, numNoiseSpans: 5 });
  assert.deepEqual(noiseCounts(512), { numNoiseTokens: 77, numNonNoiseTokens: 435, numNoiseSpans: 26 });
  // Short sequences: at least one noise token, at least one span, at least one kept token.
  assert.deepEqual(noiseCounts(2), { numNoiseTokens: 1, numNonNoiseTokens: 1, numNoiseSpans: 1 });
  assert.deepEqual(noiseCounts(3), { numNoiseTokens: 1, numNonNoiseTokens: 2, numNoiseSpans: 1 });
  // A dense setting where the clamp to L − 1 binds: round(0.9·5) = 4 ≤ 4.
  assert.deepEqual(noiseCounts(5, { noiseDensity: 0.99, meanNoiseSpanLength: 1 }), { numNoiseTokens: 4, numNonNoiseTokens: 1, numNoiseSpans: 1 });
  assert.throws(() => noiseCounts(10, { noiseDensity: 0 }), ValueError);
  assert.throws(() => noiseCounts(10, { meanNoiseSpanLength: 0.5 }), ValueError);
});

test("randomSegmentation: lengths are positive and sum to the items; every cut appears (seeded)", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), fc.integer(), (a, b, seed) => {
    const [segments, items] = [Math.min(a, b), Math.max(a, b)];
    const lengths = randomSegmentation(items, segments, new Generator(seed));
    assert.equal(lengths.length, segments);
    assert.ok(lengths.every((l) => Number.isInteger(l) && l >= 1));
    assert.equal(lengths.reduce((s, l) => s + l, 0), items);
  }), { seed: 12 });
  // 4 items in 2 segments: the three cuts [1,3], [2,2], [3,1] are all drawn, about equally often.
  const g = new Generator(3);
  const counts = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const key = randomSegmentation(4, 2, g).join(",");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), ["1,3", "2,2", "3,1"]);
  for (const c of counts.values()) assert.ok(c > 850 && c < 1150, `count ${c}`);
  assert.throws(() => randomSegmentation(2, 3), ValueError);
});

test("noise mask: noise count, span count, alternation from kept text to a final noise span (property)", () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 600 }), fc.integer(), (L, seed) => {
    const mask = randomSpansNoiseMask(L, {}, new Generator(seed));
    const { numNoiseTokens, numNoiseSpans } = noiseCounts(L);
    assert.equal(mask.length, L);
    assert.equal(mask.filter(Boolean).length, numNoiseTokens);
    const spanStarts = mask.filter((m, i) => m && (i === 0 || !mask[i - 1])).length;
    assert.equal(spanStarts, numNoiseSpans);
    assert.equal(mask[0], false, "starts with kept text");
    assert.equal(mask[L - 1], true, "ends with a noise span");
  }), { seed: 1 });
  assert.deepEqual(randomSpansNoiseMask(1), [false]); // T5 masks length 2 and keeps the first position
});

test("spanCorrupt: sentinels in order from the top id, mirror image in the targets, EOS, exact reconstruction (property)", () => {
  fc.assert(fc.property(tokensArb, fc.integer(), (tokens, seed) => {
    const { inputs, targets, noiseMask } = spanCorrupt(tokens, sentinels, {}, new Generator(seed));
    const isSentinel = (t: number) => t >= V - 100;
    const inSentinels = inputs.filter(isSentinel);
    const outSentinels = targets.filter(isSentinel);
    const spans = noiseMask.filter((m, i) => m && (i === 0 || !noiseMask[i - 1])).length;
    // Inputs: one sentinel per noise span, <extra_id_0> = V − 1 first, then downwards.
    assert.deepEqual(inSentinels, Array.from({ length: spans }, (_, k) => V - 1 - k));
    // Targets: one sentinel per kept span (spans alternate, so as many as noise spans; one for a noise-free sequence).
    assert.deepEqual(outSentinels, Array.from({ length: Math.max(spans, 1) }, (_, k) => V - 1 - k));
    assert.equal(inputs.at(-1), 1);
    assert.equal(targets.at(-1), 1);
    assert.equal(inputs.length + targets.length, tokens.length + spans + Math.max(spans, 1) + 2);
    assert.equal(targets[0], V - 1, "targets start with <extra_id_0>");
    assert.deepEqual(reconstructFromSpans(inputs, targets, sentinels), tokens);
    if (tokens.length >= 2) {
      const L = tokens.length;
      assert.deepEqual({ inputsLength: inputs.length, targetsLength: targets.length }, corruptedLengths(L));
    }
  }), { seed: 2, numRuns: 300 });
});

test("spanCorrupt: a hand-checked mask; seeded draws repeat; named errors", () => {
  const tokens = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const mask = [false, false, true, true, false, false, false, true, false, false];
  const { inputs, targets } = corruptWithMask(tokens, mask, sentinels);
  assert.deepEqual(inputs, [10, 11, 999, 14, 15, 16, 998, 18, 19, 1]);
  assert.deepEqual(targets, [999, 12, 13, 998, 17, 997, 1]);
  const a = spanCorrupt(tokens, sentinels, {}, new Generator(5));
  const b = spanCorrupt(tokens, sentinels, {}, new Generator(5));
  assert.deepEqual(a, b);
  assert.throws(() => spanCorrupt([5, 999, 6], sentinels), (e: unknown) => e instanceof ValueError && /999/.test(e.message));
  assert.throws(() => spanCorrupt([], sentinels), ValueError);
  const few = { sentinelIds: [999], eosId: 1 };
  assert.throws(() => spanCorrupt(Array.from({ length: 100 }, (_, i) => 2 + i), few, {}, new Generator(0)), /more than the 1 sentinel/);
});

test("randomSpansHelper: T5's numbers, and the corrupted lengths it promises (property)", () => {
  // T5 pretraining: inputs_length 512 → 568 raw tokens, 114 targets (t5.data.preprocessors docstring).
  assert.deepEqual(randomSpansHelper(512), { tokensLength: 568, targetsLength: 114 });
  fc.assert(fc.property(fc.integer({ min: 10, max: 1024 }), fc.integer(), (inputsLength, seed) => {
    const { tokensLength, targetsLength } = randomSpansHelper(inputsLength);
    const tokens = Array.from({ length: tokensLength }, (_, i) => 2 + (i % 500));
    const ex = spanCorrupt(tokens, sentinels, {}, new Generator(seed));
    assert.equal(ex.inputs.length, inputsLength);
    assert.equal(ex.targets.length, targetsLength);
    // One more raw token would overflow the inputs.
    assert.ok(corruptedLengths(tokensLength + 1).inputsLength > inputsLength);
  }), { seed: 3, numRuns: 200 });
  // Density 0.5: T5 trims one token when the targets would outgrow the inputs.
  const half = randomSpansHelper(64, { noiseDensity: 0.5 });
  assert.ok(half.targetsLength <= 64);
});

test("tokensLengthForTargets: the longest raw length whose targets fit a chosen decoder length (property)", () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 400 }), (targetsLength) => {
    const { tokensLength, inputsLength } = tokensLengthForTargets(targetsLength);
    assert.ok(corruptedLengths(tokensLength).targetsLength <= targetsLength);
    assert.ok(corruptedLengths(tokensLength + 1).targetsLength > targetsLength);
    assert.equal(corruptedLengths(tokensLength).inputsLength, inputsLength);
  }), { seed: 4 });
  assert.equal(tokensLengthForTargets(114).tokensLength >= 568, true);
});
