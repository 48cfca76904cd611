import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Generator, ValueError } from "../../../src/index.js";
import { Tokenizer } from "../../../src/tokenizers/index.js";
import { prefixLmSplit, prefixLmSplitAt } from "../../../src/train/objectives/prefix-lm.js";
import {
  TaskMixture, chunkTokens, collateTextToText, mixingRates, prefixLmTask, spanCorruptionTask, textPairTask, type MixtureTask,
} from "../../../src/train/objectives/task-mixture.js";
import { reconstructFromSpans } from "../../../src/train/objectives/span-corruption.js";
import { addSentinelTokens, sentinelIds, sentinelSource, sentinelToken, trainT5Tokenizer } from "../../../src/train/objectives/sentinels.js";

test("prefix LM: inputs + targets (EOS removed) are the text; split points cover 1 … L − 1 (property)", () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 2, max: 50 }), { minLength: 2, maxLength: 80 }), fc.integer(), (tokens, seed) => {
    const { inputs, targets, splitAt: k } = prefixLmSplit(tokens, { eosId: 1 }, new Generator(seed));
    assert.ok(k >= 1 && k <= tokens.length - 1);
    assert.equal(inputs.at(-1), 1);
    assert.equal(targets.at(-1), 1);
    assert.deepEqual([...inputs.slice(0, -1), ...targets.slice(0, -1)], tokens);
    assert.equal(inputs.length - 1, k);
  }), { seed: 6 });
  const seen = new Set<number>();
  const g = new Generator(2);
  for (let i = 0; i < 400; i++) seen.add(prefixLmSplit([5, 6, 7, 8, 9], { eosId: null }, g).splitAt);
  assert.deepEqual([...seen].sort(), [1, 2, 3, 4]);
  for (let i = 0; i < 50; i++) assert.ok(prefixLmSplit(Array.from({ length: 10 }, () => 3), { eosId: 1, minPrefixFraction: 0.5 }, g).splitAt >= 5);
  assert.deepEqual(prefixLmSplitAt([4, 5, 6], 1, null), { inputs: [4], targets: [5, 6], splitAt: 1 });
  assert.throws(() => prefixLmSplit([4], { eosId: 1 }), (e: unknown) => e instanceof ValueError && /at least 2 tokens/.test(e.message));
  assert.throws(() => prefixLmSplitAt([4, 5], 2, 1), /outside \[1, 1\]/);
});

test("mixingRates: examples-proportional with a cap, temperature, explicit rates", () => {
  const task = (name: string, size: number, rate?: number): MixtureTask => ({ name, prefix: "", size, example: () => ({ inputs: "", targets: "" }), ...(rate ? { rate } : {}) });
  const tasks = [task("a", 100, 1), task("b", 300, 3), task("c", 10_000, 1)];
  // Uncapped: 100 : 300 : 10000. Capped at K = 400: min(e, 400) = 100 : 300 : 400.
  assert.deepEqual(mixingRates(tasks).map((r) => r.toFixed(6)), [100 / 10400, 300 / 10400, 10000 / 10400].map((r) => r.toFixed(6)));
  assert.deepEqual(mixingRates(tasks, { cap: 400 }), [0.125, 0.375, 0.5]);
  // Temperature 2: square roots of the capped rates, renormalised.
  const sq = [10, Math.sqrt(300), 20];
  const total = sq.reduce((a, b) => a + b);
  mixingRates(tasks, { cap: 400, temperature: 2 }).forEach((r, i) => assert.ok(Math.abs(r - (sq[i] as number) / total) < 1e-12));
  assert.deepEqual(mixingRates(tasks, { rates: "explicit" }), [0.2, 0.6, 0.2]);
  assert.throws(() => mixingRates([task("a", 1)], { rates: "explicit" }), /task "a" needs a positive finite rate/);
  assert.throws(() => mixingRates([]), ValueError);
  assert.throws(() => mixingRates(tasks, { temperature: 0 }), /temperature/);
});

/** A toy encoder: one id per character (a=2, b=3, …), ":" = 30, " " = 31. */
const charEncoder = {
  encodeIds: (text: string) => [...text].map((c) => (c === ":" ? 30 : c === " " ? 31 : c.charCodeAt(0) - 95)),
};

test("TaskMixture: prefixes, EOS, task frequencies by rate, seeded and repeatable", () => {
  const words = Array.from({ length: 50 }, (_, i) => ({ inputs: String.fromCharCode(97 + (i % 26)), targets: "x" }));
  const g2p = textPairTask("g2p", "g: ", words, 3);
  const p2g = textPairTask("p2g", "p: ", words.map((w) => ({ inputs: w.targets, targets: w.inputs })), 1);
  const mix = new TaskMixture([g2p, p2g], charEncoder, 1, { rates: "explicit", seed: 9 });
  assert.deepEqual(mix.rates, [0.75, 0.25]);
  const drawn = mix.take(4000);
  const share = drawn.filter((e) => e.task === "g2p").length / drawn.length;
  assert.ok(Math.abs(share - 0.75) < 0.03, `g2p share ${share}`);
  for (const e of drawn) {
    assert.deepEqual(e.inputs.slice(0, 3), e.task === "g2p" ? [8, 30, 31] : [17, 30, 31]);
    assert.equal(e.inputs.at(-1), 1);
    assert.equal(e.targets.at(-1), 1);
  }
  // Within a task every example comes once per pass (a shuffled order, not draws with replacement).
  const pairs = Array.from({ length: 50 }, (_, i) => ({ inputs: String.fromCharCode(97 + (i % 26), 97 + Math.floor(i / 26)), targets: "x" }));
  const firstPass = new TaskMixture([textPairTask("w", "", pairs)], charEncoder, 1, { seed: 4 }).take(50).map((e) => e.inputs.join());
  assert.equal(new Set(firstPass).size, 50);
  const again = new TaskMixture([g2p, p2g], charEncoder, 1, { rates: "explicit", seed: 9 }).take(200);
  assert.deepEqual(again, drawn.slice(0, 200));
  assert.notDeepEqual(new TaskMixture([g2p, p2g], charEncoder, 1, { rates: "explicit", seed: 10 }).take(200), again);
  assert.throws(() => new TaskMixture([g2p, g2p], charEncoder, 1), /two tasks are named "g2p"/);
  assert.throws(() => new TaskMixture([textPairTask("e", "", [])], charEncoder, 1), ValueError);
});

test("TaskMixture with span corruption and prefix LM over token chunks: prefix ids first, the text recoverable", () => {
  const V = 200;
  const sentinels = { sentinelIds: Array.from({ length: 100 }, (_, k) => V - 1 - k), eosId: 1 };
  const stream = Array.from({ length: 500 }, (_, i) => 2 + ((i * 7) % 90));
  const chunks = chunkTokens(stream, 40);
  assert.equal(chunks.length, 13);
  assert.equal(chunks.at(-1)?.length, 20);
  const fill = spanCorruptionTask("fill", "f: ", chunks, sentinels);
  const lm = prefixLmTask("lm", "", chunks, { eosId: 1 });
  const mix = new TaskMixture([fill, lm], charEncoder, 1, { seed: 3 });
  for (const e of mix.take(60)) {
    if (e.task === "fill") {
      assert.deepEqual(e.inputs.slice(0, 2), [7, 30], "the prefix 'f:' without its trailing space");
      const original = reconstructFromSpans(e.inputs.slice(2), e.targets, sentinels);
      assert.ok(chunks.some((c) => c.join() === original.join()));
    } else {
      const original = [...e.inputs.slice(0, -1), ...e.targets.slice(0, -1)];
      assert.ok(chunks.some((c) => c.join() === original.join()));
    }
  }
});

test("T5 vocabulary: a Unigram tokenizer with <pad> </s> <unk> first and 100 sentinels on top, <extra_id_0> highest", () => {
  const texts = Array.from({ length: 60 }, (_, i) => `the state of the union is strong ${i % 7} and the people are ${["free", "brave", "kind"][i % 3]}`);
  const tok = trainT5Tokenizer(texts, { vocabSize: 60 });
  const V = tok.getVocabSize();
  assert.deepEqual(["<pad>", "</s>", "<unk>"].map((t) => tok.tokenToId(t)), [0, 1, 2]);
  const ids = sentinelIds(tok);
  assert.equal(ids.length, 100);
  assert.deepEqual(ids, Array.from({ length: 100 }, (_, k) => V - 1 - k));
  assert.equal(tok.idToToken(V - 100), "<extra_id_99>");
  // Sentinels are special tokens: never split, and found in text.
  const enc = tok.encodeIds("the <extra_id_0> is strong");
  assert.ok(enc.includes(V - 1));
  assert.equal(tok.decode([V - 1, V - 2], { skipSpecialTokens: false }).replace(/\s/g, ""), "<extra_id_0><extra_id_1>");
  assert.deepEqual(sentinelSource(tok), { sentinelIds: ids, eosId: 1 });
  assert.throws(() => addSentinelTokens(tok, 5), (e: unknown) => e instanceof ValueError && /already has <extra_id_0>/.test(e.message));
  assert.equal(sentinelToken(7), "<extra_id_7>");
  // tokenizer.json keeps them: the same ids after a save and load.
  const reloaded = Tokenizer.fromString(tok.toString());
  assert.deepEqual(sentinelIds(reloaded), ids);
  assert.deepEqual(reloaded.encodeIds("the <extra_id_0> is strong"), enc);
  // A configurable count.
  const small = trainT5Tokenizer(texts, { vocabSize: 60, extraIds: 3 });
  assert.deepEqual(sentinelIds(small), [small.getVocabSize() - 1, small.getVocabSize() - 2, small.getVocabSize() - 3]);
});

test("collateTextToText: pads inputs with the pad id and a mask, labels with −100; truncation keeps EOS last", () => {
  const batch = collateTextToText([{ inputs: [5, 6, 1], targets: [7, 1] }, { inputs: [8, 1], targets: [9, 10, 11, 1] }], { padId: 0 });
  assert.deepEqual(batch.inputIds.toArray(), [[5, 6, 1], [8, 1, 0]]);
  assert.deepEqual(batch.attentionMask.toArray(), [[1, 1, 1], [1, 1, 0]]);
  assert.deepEqual(batch.labels.toArray(), [[7, 1, -100, -100], [9, 10, 11, 1]]);
  assert.equal(batch.targetTokens, 6);
  const cut = collateTextToText([{ inputs: [5, 6, 7, 8, 1], targets: [9, 10, 11, 1] }], { padId: 0, maxInputLength: 3, maxTargetLength: 2 });
  assert.deepEqual(cut.inputIds.toArray(), [[5, 6, 1]]);
  assert.deepEqual(cut.labels.toArray(), [[9, 1]]);
  assert.throws(() => collateTextToText([], { padId: 0 }), ValueError);
  assert.throws(() => collateTextToText([{ inputs: [1], targets: [1] }], { padId: 0, maxInputLength: 0 }), /maxInputLength/);
});
