import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, manualSeed } from "../../src/index.js";
import { GPT } from "../../src/models/gpt/index.js";
import { type CausalLanguageModel, type DecodingCache, generate } from "../../src/generate/index.js";

/** A cache that only counts positions (the mock model below needs no keys/values). */
class CountingCache implements DecodingCache {
  n = 0;
  reorder(): void {}
  get length(): number {
    return this.n;
  }
}

/**
 * A "model" whose next-token distribution depends only on the last token: table[last] lists
 * [token, probability] pairs (the rest get probability 1e-9). Counts its forward calls.
 */
function markovModel(V: number, table: Record<number, [number, number][]>): CausalLanguageModel & { calls: number } {
  const model = {
    calls: 0,
    config: { n_positions: 64, vocab_size: V },
    newCache: (): DecodingCache => new CountingCache(),
    forward(ids: Tensor, o: { cache?: DecodingCache; lastOnly?: boolean }) {
      model.calls++;
      const [B, T] = ids.shape as [number, number];
      if (o.cache) (o.cache as CountingCache).n += T;
      const flat = ids.toTypedArray();
      const out = new Float32Array(B * V);
      for (let b = 0; b < B; b++) {
        const probs = new Array<number>(V).fill(1e-9);
        for (const [t, p] of table[flat[b * T + T - 1] as number] ?? []) probs[t] = p;
        for (let v = 0; v < V; v++) out[b * V + v] = Math.log(probs[v] as number);
      }
      return { logits: new Tensor(out, [B, 1, V]) };
    },
  };
  return model;
}

test("beam search escapes a myopic greedy choice", () => {
  // From 0: token 1 (0.6) or 2 (0.4). After 1 the next token is spread thin (best 0.2); after 2, token 3 has 0.9.
  // Greedy: 1 then 4 → 0.6·0.2 = 0.12. Best two-token sequence: 2, 3 → 0.4·0.9 = 0.36.
  const V = 9;
  const m = markovModel(V, {
    0: [[1, 0.6], [2, 0.4]],
    1: [[4, 0.2], [5, 0.2], [6, 0.2], [7, 0.2], [8, 0.2]],
    2: [[3, 0.9], [8, 0.1]],
  });
  assert.deepEqual(generate(m, [0], { maxNewTokens: 2, temperature: 0 }), [1, 4]);
  assert.deepEqual(generate(m, [0], { maxNewTokens: 2, numBeams: 1, temperature: 0 }), [1, 4]);
  assert.deepEqual(generate(m, [0], { maxNewTokens: 2, numBeams: 2 }), [2, 3]);
  assert.deepEqual(generate(m, [0], { maxNewTokens: 2, numBeams: 2, useCache: false }), [2, 3]);
});

// Token 0 = start, 1 = A, 2 = B, 3 = end (stop id). From start: end 0.5, A 0.4, B 0.1.
// From A: end 0.9, B 0.1. From B: end 0.9, B 0.1.
const endTable: Record<number, [number, number][]> = {
  0: [[3, 0.5], [1, 0.4], [2, 0.1]],
  1: [[3, 0.9], [2, 0.1]],
  2: [[3, 0.9], [2, 0.1]],
};

/** Exhaustive search over finished sequences (ending in end, or cut at maxNew): HF's score, best first. */
function bestByEnumeration(lengthPenalty: number, maxNew: number): number[] {
  let best: { tokens: number[]; score: number } = { tokens: [], score: -Infinity };
  const visit = (last: number, tokens: number[], sum: number) => {
    for (const [t, p] of endTable[last] ?? []) {
      const s = sum + Math.log(p);
      const len = tokens.length + 1;
      if (t === 3 || len === maxNew) {
        const score = s / len ** lengthPenalty;
        if (score > best.score) best = { tokens: t === 3 ? tokens : [...tokens, t], score };
      } else {
        visit(t, [...tokens, t], s);
      }
    }
  };
  visit(0, [], 0);
  return best.tokens;
}

test("lengthPenalty: score = Σ log p / length^lengthPenalty decides between a short and a long hypothesis", () => {
  const m = markovModel(4, endTable);
  // [end]: log 0.5 / 1 = −0.693.  [A, end]: (log 0.4 + log 0.9) / 2^lp = −1.022 / 2^lp.
  // lp = 1 → −0.511 beats −0.693: the longer one wins; lp = 0 → −1.022 loses; lp = −1 → −2.04 loses.
  assert.deepEqual(generate(m, [0], { maxNewTokens: 6, numBeams: 2, stopIds: [3], lengthPenalty: 1 }), [1]);
  assert.deepEqual(generate(m, [0], { maxNewTokens: 6, numBeams: 2, stopIds: [3], lengthPenalty: 0 }), []);
  assert.deepEqual(generate(m, [0], { maxNewTokens: 6, numBeams: 2, stopIds: [3], lengthPenalty: -1 }), []);
  for (const lp of [-1, 0, 1, 2]) {
    assert.deepEqual(generate(m, [0], { maxNewTokens: 4, numBeams: 3, stopIds: [3], lengthPenalty: lp }), bestByEnumeration(lp, 4), `lengthPenalty ${lp}`);
  }
  // Greedy takes the stop token at once.
  assert.deepEqual(generate(m, [0], { maxNewTokens: 6, temperature: 0, stopIds: [3] }), []);
});

test("earlyStopping: true stops at numBeams finished hypotheses; false continues while a beam could still win", () => {
  const eager = markovModel(4, endTable);
  generate(eager, [0], { maxNewTokens: 10, numBeams: 2, stopIds: [3], earlyStopping: true });
  assert.equal(eager.calls, 2, "two hypotheses are finished after step 2");
  const patient = markovModel(4, endTable);
  generate(patient, [0], { maxNewTokens: 10, numBeams: 2, stopIds: [3], earlyStopping: false });
  assert.ok(patient.calls > 2);
  const never = markovModel(4, endTable);
  generate(never, [0], { maxNewTokens: 10, numBeams: 2, stopIds: [3], earlyStopping: "never" });
  assert.ok(never.calls >= patient.calls);
});

test("GPT beam search: numBeams=1 is greedy; cached beams (reordered per step) equal uncached, past the crop", () => {
  manualSeed(21);
  const m = new GPT({ vocab_size: 20, n_positions: 32, n_embd: 16, n_layer: 2, n_head: 2, embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 });
  const prompt = [3, 9, 1, 7];
  assert.deepEqual(generate(m, prompt, { maxNewTokens: 12, numBeams: 1, temperature: 0 }), generate(m, prompt, { maxNewTokens: 12, temperature: 0 }));
  const cached = generate(m, prompt, { maxNewTokens: 34, numBeams: 3, stopIds: [0] });
  assert.deepEqual(generate(m, prompt, { maxNewTokens: 34, numBeams: 3, stopIds: [0], useCache: false }), cached);
  assert.ok(cached.length > 0);
  const batch = generate(m, [prompt, [5, 5]], { maxNewTokens: 8, numBeams: 2 });
  assert.deepEqual(batch[0], generate(m, prompt, { maxNewTokens: 8, numBeams: 2 }));
});
