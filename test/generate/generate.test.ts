import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator, Tensor, ValueError, isGradEnabled, manualSeed, noGrad } from "../../src/index.js";
import { GPT, type GPTConfig } from "../../src/models/gpt/index.js";
import { type CausalLanguageModel, type DecodingCache, argmax, chooseNextToken, generate, generateTokens } from "../../src/generate/index.js";

const tiny: Partial<GPTConfig> = { vocab_size: 20, n_positions: 32, n_embd: 16, n_layer: 2, n_head: 2, embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 };

function tinyModel(seed: number, overrides: Partial<GPTConfig> = {}): GPT {
  manualSeed(seed);
  const m = new GPT({ ...tiny, ...overrides });
  m.eval();
  return m;
}

interface ReferenceOptions { maxNewTokens: number; temperature: number; generator?: Generator; stopIds?: number[] }

/**
 * Generation the slow, obvious way: each step runs the full forward over the last n_positions tokens
 * (no cache, no lastOnly) and reads the last position's logits.
 */
function referenceGenerate(m: GPT, prompt: number[], o: ReferenceOptions): number[] {
  const ctx = [...prompt];
  const out: number[] = [];
  const s = { temperature: o.temperature, topK: 0, topP: 1, repetitionPenalty: 1, generator: o.generator ?? new Generator(0) };
  for (let i = 0; i < o.maxNewTokens; i++) {
    const window = ctx.slice(-m.config.n_positions);
    const { logits } = noGrad(() => m.forward(new Tensor(Int32Array.from(window), [1, window.length])));
    const V = m.config.vocab_size;
    const last = Float32Array.from(logits.toTypedArray().subarray((window.length - 1) * V, window.length * V));
    const id = o.temperature === 0 ? argmax(last) : chooseNextToken(last, ctx, s);
    if (o.stopIds?.includes(id)) break;
    ctx.push(id);
    out.push(id);
  }
  return out;
}

test("KV-cache greedy generation equals recomputing from scratch, past the n_positions crop", () => {
  for (const seed of [0, 1, 2]) {
    const m = tinyModel(seed);
    const prompt = [1, 5, 7, 2, 9];
    const expected = referenceGenerate(m, prompt, { maxNewTokens: 45, temperature: 0 }); // 50 > 32 positions
    assert.deepEqual(generate(m, prompt, { maxNewTokens: 45, temperature: 0 }), expected);
    assert.deepEqual(generate(m, prompt, { maxNewTokens: 45, temperature: 0, useCache: false }), expected);
  }
});

test("KV-cache seeded sampling equals recomputing from scratch, past the crop", () => {
  const m = tinyModel(3);
  const prompt = [4, 4, 8];
  for (const seed of [11, 12]) {
    const expected = referenceGenerate(m, prompt, { maxNewTokens: 40, temperature: 1, generator: new Generator(seed) });
    assert.deepEqual(generate(m, prompt, { maxNewTokens: 40, seed }), expected);
    assert.deepEqual(generate(m, prompt, { maxNewTokens: 40, seed, useCache: false }), expected);
    assert.deepEqual(generate(m, prompt, { maxNewTokens: 40, generator: new Generator(seed) }), expected);
  }
});

test("a prompt longer than n_positions is cropped to its last n_positions tokens", () => {
  const m = tinyModel(4);
  const long = Array.from({ length: 40 }, (_, i) => (i * 7) % 20);
  const expected = referenceGenerate(m, long, { maxNewTokens: 5, temperature: 0 });
  assert.deepEqual(generate(m, long, { maxNewTokens: 5, temperature: 0 }), expected);
  assert.deepEqual(generate(m, long.slice(-32), { maxNewTokens: 5, temperature: 0 }), expected);
});

test("greedy picks the argmax of the model's next-token logits", () => {
  const m = tinyModel(5);
  const prompt = [3, 1, 4];
  const { logits } = noGrad(() => m.forward(new Tensor(Int32Array.from(prompt), [1, 3]), { lastOnly: true }));
  const [first] = generate(m, prompt, { maxNewTokens: 1, temperature: 0 });
  assert.equal(first, argmax(logits.toTypedArray()));
});

test("same seed → same output; different seeds → different outputs; default generator follows manualSeed", () => {
  const m = tinyModel(6);
  const a = generate(m, [1, 2], { maxNewTokens: 20, seed: 1 });
  assert.deepEqual(generate(m, [1, 2], { maxNewTokens: 20, seed: 1 }), a);
  assert.notDeepEqual(generate(m, [1, 2], { maxNewTokens: 20, seed: 2 }), a);
  manualSeed(9);
  const b = generate(m, [1, 2], { maxNewTokens: 20 });
  manualSeed(9);
  assert.deepEqual(generate(m, [1, 2], { maxNewTokens: 20 }), b);
});

test("batched prompts: equal lengths batch together and match one-at-a-time greedy; ragged prompts work", () => {
  const m = tinyModel(7);
  const prompts = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
  const batch = generate(m, prompts, { maxNewTokens: 12, temperature: 0 });
  assert.equal(batch.length, 3);
  prompts.forEach((p, i) => assert.deepEqual(batch[i], generate(m, p, { maxNewTokens: 12, temperature: 0 })));
  const ragged = generate(m, [[1], [2, 3, 4, 5]], { maxNewTokens: 6, temperature: 0 });
  assert.deepEqual(ragged, [generate(m, [1], { maxNewTokens: 6, temperature: 0 }), generate(m, [2, 3, 4, 5], { maxNewTokens: 6, temperature: 0 })]);
});

test("stop ids end generation and are not returned; rows of a batch stop independently", () => {
  const m = tinyModel(8);
  const free = generate(m, [1, 2, 3], { maxNewTokens: 30, seed: 3 });
  const stop = free[10] as number;
  const cut = free.indexOf(stop);
  assert.deepEqual(generate(m, [1, 2, 3], { maxNewTokens: 30, seed: 3, stopIds: [stop] }), free.slice(0, cut));
  assert.deepEqual(referenceGenerate(m, [1, 2, 3], { maxNewTokens: 30, temperature: 1, generator: new Generator(3), stopIds: [stop] }), free.slice(0, cut));
  const greedy = generate(m, [[1, 2, 3], [9, 9, 9]], { maxNewTokens: 15, temperature: 0 });
  const g0 = greedy[0] as number[];
  const stopped = generate(m, [[1, 2, 3], [9, 9, 9]], { maxNewTokens: 15, temperature: 0, stopIds: [g0[2] as number] });
  assert.deepEqual(stopped[0], g0.slice(0, g0.indexOf(g0[2] as number)));
  const g1 = greedy[1] as number[];
  assert.deepEqual(stopped[1], g1.includes(g0[2] as number) ? g1.slice(0, g1.indexOf(g0[2] as number)) : g1);
});

test("generateTokens yields the same tokens one by one and stops generating when closed", () => {
  const m = tinyModel(9);
  const all = generate(m, [5, 6], { maxNewTokens: 10, seed: 4 });
  assert.deepEqual([...generateTokens(m, [5, 6], { maxNewTokens: 10, seed: 4 })], all);
  const firstThree: number[] = [];
  for (const id of generateTokens(m, [5, 6], { maxNewTokens: 10, seed: 4 })) {
    firstThree.push(id);
    if (firstThree.length === 3) break;
  }
  assert.deepEqual(firstThree, all.slice(0, 3));
});

test("runs in eval mode without grad recording and restores training mode", () => {
  manualSeed(10);
  const m = new GPT({ ...tiny, embd_pdrop: 0.5, attn_pdrop: 0.5, resid_pdrop: 0.5 });
  m.train();
  const a = generate(m, [1, 2, 3], { maxNewTokens: 10, temperature: 0 });
  assert.equal(m.training, true);
  assert.ok([...m.transformer.h].every((b) => b.training));
  const [frozen] = [...m.transformer.h];
  frozen?.eval(); // a part kept in eval mode while the rest trains stays so
  generate(m, [1, 2, 3], { maxNewTokens: 2 });
  assert.deepEqual([...m.transformer.h].map((b) => b.training), [false, true]);
  assert.equal(m.training, true);
  m.train();
  assert.deepEqual(generate(m, [1, 2, 3], { maxNewTokens: 10, temperature: 0 }), a, "dropout was off");
  m.eval();
  assert.deepEqual(referenceGenerate(m, [1, 2, 3], { maxNewTokens: 10, temperature: 0 }), a);
  // grad mode inside forward, seen through a wrapper model
  let gradSeen: boolean | null = null;
  const probe: CausalLanguageModel = {
    config: m.config,
    newCache: () => m.newCache(),
    forward: (ids: Tensor, o: { cache?: DecodingCache; lastOnly?: boolean }) => {
      gradSeen = isGradEnabled();
      return m.forward(ids, o as Parameters<GPT["forward"]>[1]);
    },
  };
  generate(probe, [1], { maxNewTokens: 2 });
  assert.equal(gradSeen, false);
  assert.equal(isGradEnabled(), true);
});

test("options are validated", () => {
  const m = tinyModel(11);
  assert.throws(() => generate(m, [], {}), ValueError);
  assert.throws(() => generate(m, [20], {}), /outside the vocabulary/);
  assert.throws(() => generate(m, [1], { temperature: -1 }), ValueError);
  assert.throws(() => generate(m, [1], { topP: 0 }), ValueError);
  assert.throws(() => generate(m, [1], { numBeams: 0 }), ValueError);
  assert.throws(() => generate(m, [1], { stopIds: [99] }), ValueError);
  assert.deepEqual(generate(m, [1], { maxNewTokens: 0 }), []);
});
