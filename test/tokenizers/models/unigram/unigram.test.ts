/**
 * The Unigram model: Viterbi and n-best against brute-force enumeration of every segmentation
 * (property tests), sampling against the exact distribution, unknowns, byte fallback, JSON.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Unigram, UNK_PENALTY } from "../../../../src/tokenizers/models/unigram/model.js";
import { SeededRandom } from "../../../../src/tokenizers/models/unigram/random.js";
import { JsonPath } from "../../../../src/tokenizers/json.js";
import { FormatError, ValueError } from "../../../../src/errors.js";
import type { Token } from "../../../../src/tokenizers/models/model.js";

/** Every segmentation of `text` into pieces of `vocab` (one-character unknowns where no piece covers a character), with its score. */
function enumerate(text: string, vocab: Map<string, number>, unkScore: number): { pieces: string[]; score: number }[] {
  const chars = [...text];
  const out: { pieces: string[]; score: number }[] = [];
  const walk = (i: number, pieces: string[], score: number): void => {
    if (i === chars.length) {
      out.push({ pieces: [...pieces], score });
      return;
    }
    for (let j = i + 1; j <= chars.length; j++) {
      const piece = chars.slice(i, j).join("");
      const s = vocab.get(piece);
      if (s !== undefined) walk(j, [...pieces, piece], score + s);
      else if (j === i + 1) walk(j, [...pieces, piece], score + unkScore);
    }
  };
  walk(0, [], 0);
  return out;
}

const vocabArb = fc
  .uniqueArray(fc.stringMatching(/^[abc]{1,3}$/), { minLength: 1, maxLength: 12 })
  .chain((pieces) =>
    fc.tuple(
      fc.constant(pieces),
      fc.array(fc.integer({ min: -800, max: -1 }), { minLength: pieces.length, maxLength: pieces.length }),
    ),
  )
  .map(([pieces, scores]) => pieces.map((p, i): [string, number] => [p, scores[i]! / 100]));

function model(vocab: [string, number][]): { m: Unigram; scores: Map<string, number>; unkScore: number } {
  const full: [string, number][] = [["<unk>", 0], ...vocab];
  const m = new Unigram(full, { unkId: 0 });
  const min = Math.min(...full.map(([, s]) => s));
  return { m, scores: new Map(vocab), unkScore: min - UNK_PENALTY };
}

function scoreOf(tokens: Token[], scores: Map<string, number>, unkScore: number): number {
  return tokens.reduce((sum, t) => sum + (t.id === 0 ? unkScore * [...t.value].length : scores.get(t.value)!), 0);
}

describe("Unigram", () => {
  test("Viterbi finds a segmentation as good as the best of all (brute force)", () => {
    fc.assert(
      fc.property(vocabArb, fc.stringMatching(/^[abcd]{0,9}$/), (vocab, text) => {
        const { m, scores, unkScore } = model(vocab);
        const tokens = m.tokenize(text);
        assert.equal(tokens.map((t) => t.value).join(""), text);
        let pos = 0;
        for (const t of tokens) {
          assert.deepEqual(t.offsets, [pos, pos + t.value.length]);
          pos += t.value.length;
        }
        if (text === "") return;
        const best = Math.max(...enumerate(text, scores, unkScore).map((s) => s.score));
        assert.ok(Math.abs(scoreOf(tokens, scores, unkScore) - best) < 1e-9);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  test("n-best gives the k best scores of all segmentations, in order", () => {
    fc.assert(
      fc.property(vocabArb, fc.stringMatching(/^[abc]{1,8}$/), fc.integer({ min: 1, max: 8 }), (vocab, text, k) => {
        const { m, scores, unkScore } = model(vocab);
        // Compare unfused segmentations: keep the unknown pieces apart.
        const unfused = new Unigram([["<unk>", 0], ...vocab], { unkId: 0, fuseUnk: false });
        const all = enumerate(text, scores, unkScore).map((s) => s.score).sort((a, b) => b - a);
        const ours = unfused.nbest(text, k).map((tokens) => scoreOf(tokens, scores, unkScore));
        assert.equal(ours.length, Math.min(k, all.length));
        ours.forEach((s, i) => assert.ok(Math.abs(s - all[i]!) < 1e-9, `${i}: ${s} vs ${all[i]}`));
        for (let i = 1; i < ours.length; i++) assert.ok(ours[i - 1]! >= ours[i]! - 1e-12);
        assert.deepEqual(m.nbest(text, 1)[0]!.map((t) => t.id), m.tokenize(text).map((t) => t.id));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  test("sampling over the lattice follows exp(α·score), and n-best sampling stays in the n best", () => {
    const vocab: [string, number][] = [["<unk>", 0], ["a", -1], ["b", -1.5], ["ab", -2], ["ba", -2.2], ["aba", -3]];
    const m = new Unigram(vocab, { unkId: 0 });
    const alpha = 0.5;
    const segs = enumerate("aba", new Map(vocab.slice(1)), -13);
    const z = segs.reduce((s, x) => s + Math.exp(alpha * x.score), 0);
    const counts = new Map<string, number>();
    const random = new SeededRandom(1234);
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const key = m.sample("aba", alpha, -1, random).map((t) => t.value).join(" ");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const seg of segs) {
      const p = Math.exp(alpha * seg.score) / z;
      const observed = (counts.get(seg.pieces.join(" ")) ?? 0) / n;
      // 5 standard errors of a binomial proportion.
      assert.ok(Math.abs(observed - p) < 5 * Math.sqrt((p * (1 - p)) / n) + 1e-3, `${seg.pieces.join(" ")}: ${observed} vs ${p}`);
    }
    const top2 = new Set(m.nbest("aba", 2).map((t) => t.map((x) => x.value).join(" ")));
    for (let i = 0; i < 200; i++) assert.ok(top2.has(m.sample("aba", 1, 2, random).map((t) => t.value).join(" ")));
    // Seeded: the same seed gives the same samples.
    const draw = (seed: number): string[] => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 10 }, () => m.sample("abababa", 0.3, -1, r).map((t) => t.value).join(" "));
    };
    assert.deepEqual(draw(5), draw(5));
  });

  test("fuses runs of unknown characters into one unknown token", () => {
    const m = new Unigram([["<unk>", 0], ["a", -1]], { unkId: 0 });
    assert.deepEqual(m.tokenize("axyza"), [
      { id: 1, value: "a", offsets: [0, 1] },
      { id: 0, value: "xyz", offsets: [1, 4] },
      { id: 1, value: "a", offsets: [4, 5] },
    ]);
  });

  test("byte fallback spells unknown characters as <0xNN> pieces; offsets count UTF-16 units", () => {
    const bytes: [string, number][] = Array.from({ length: 256 }, (_, b) => [`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`, 0]);
    const m = new Unigram([["<unk>", 0], ...bytes, ["a", -1]], { unkId: 0, byteFallback: true });
    const tokens = m.tokenize("a😀a");
    assert.deepEqual(
      tokens.map((t) => t.value),
      ["a", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "a"],
    );
    assert.deepEqual(tokens[1]!.offsets, [1, 3]);
    assert.deepEqual(tokens[5]!.offsets, [3, 4]);
    // Without the byte pieces it falls back to <unk>.
    const partial = new Unigram([["<unk>", 0], ["<0xF0>", 0], ["a", -1]], { unkId: 0, byteFallback: true });
    assert.deepEqual(partial.tokenize("😀").map((t) => t.id), [0]);
  });

  test("an unknown character without unk_id is a ValueError", () => {
    assert.throws(() => new Unigram([["a", -1]]).tokenize("ab"), ValueError);
    assert.throws(() => new Unigram([["a", -1]], { unkId: 3 }), ValueError);
  });

  test("round-trips tokenizer.json, and names the field of a malformed one", () => {
    const json = { type: "Unigram", unk_id: 0, vocab: [["<unk>", 0], ["▁the", -2.5], ["s", -3]], byte_fallback: true };
    const at = new JsonPath("tok.json", "model");
    const m = Unigram.fromJSON(json, at);
    assert.deepEqual(m.toJSON(), json);
    assert.equal(m.tokenToId("▁the"), 1);
    assert.equal(m.idToToken(2), "s");
    assert.equal(m.getVocabSize(), 3);
    assert.deepEqual([...m.getVocab()], [["<unk>", 0], ["▁the", 1], ["s", 2]]);
    const bad = (j: Record<string, unknown>, field: RegExp): void => {
      assert.throws(() => Unigram.fromJSON(j as typeof json, at), (e: unknown) => e instanceof FormatError && field.test(e.field));
    };
    bad({ ...json, vocab: [["a", "x"]] }, /model\.vocab\[0\]\[1\]/);
    bad({ ...json, vocab: [["a"]] }, /model\.vocab\[0\]/);
    bad({ ...json, unk_id: 9 }, /model\.unk_id/);
    bad({ ...json, byte_fallback: 1 }, /model\.byte_fallback/);
  });
});
