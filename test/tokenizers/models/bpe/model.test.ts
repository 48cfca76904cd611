import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { BPE } from "../../../../src/tokenizers/models/bpe/model.js";
import { mergeWord, mergeValue, pairKey, tableLookup, type MergeTable } from "../../../../src/tokenizers/models/bpe/merge.js";
import { Tokenizer } from "../../../../src/tokenizers/tokenizer.js";

/** The textbook loop: merge the lowest-ranked adjacent pair, leftmost on ties, until none applies. */
function naiveMerge(ids: number[], ranks: Map<string, [number, number]>): number[] {
  const out = ids.slice();
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < out.length; i++) {
      const r = ranks.get(`${out[i]},${out[i + 1]}`);
      if (r && r[0] < bestRank) {
        bestRank = r[0];
        best = i;
      }
    }
    if (best < 0) return out;
    out.splice(best, 2, ranks.get(`${out[best]},${out[best + 1]}`)![1]);
  }
}

describe("merge loop", () => {
  test("the heap path (long words) and the scan path give the textbook result", () => {
    const arb = fc.record({
      merges: fc.uniqueArray(fc.tuple(fc.nat(5), fc.nat(5)), { minLength: 1, maxLength: 12, selector: ([a, b]) => `${a},${b}` }),
      word: fc.array(fc.nat(5), { minLength: 0, maxLength: 160 }),
    });
    fc.assert(
      fc.property(arb, ({ merges, word }) => {
        const ranks = new Map<string, [number, number]>();
        const table: MergeTable = new Map();
        // Merge i makes symbol 6 + i; merged symbols never merge again in this small model.
        merges.forEach(([a, b], i) => {
          ranks.set(`${a},${b}`, [i, 6 + i]);
          table.set(pairKey(a, b), mergeValue(i, 6 + i));
        });
        const got = mergeWord(word.slice(), word.map(() => 1), tableLookup(table));
        assert.deepEqual(got.ids, naiveMerge(word, ranks));
        assert.equal(got.lens.reduce((x, y) => x + y, 0), word.length);
      }),
      { seed: 8, numRuns: 300 },
    );
  });
});

const vocab = new Map(["a", "b", "c", "d", "ab", "abc", "cd", "abcd", "<unk>", "<0x61>", "<0xC3>", "<0xA9>", "é"].map((t, i) => [t, i]));
const merges: [string, string][] = [["a", "b"], ["ab", "c"], ["c", "d"], ["abc", "d"]];

describe("BPE model", () => {
  test("merges read in both tokenizer.json forms; both write back as read", () => {
    const vocabJson = Object.fromEntries(vocab);
    for (const form of [merges.map(([a, b]) => `${a} ${b}`), merges.map(([a, b]) => [a, b])]) {
      const json = { model: { type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: vocabJson, merges: form } };
      const t = Tokenizer.fromJSON(json);
      assert.deepEqual(t.model.tokenize("abcd").map((x) => x.value), ["abcd"]);
      assert.deepEqual((t.toJSON()["model"] as Record<string, unknown>)["merges"], form);
    }
  });

  test("unk, fuse_unk and byte_fallback agree with HF's JS port", () => {
    const cases = [{ fuse_unk: false, byte_fallback: false }, { fuse_unk: true, byte_fallback: false }, { fuse_unk: false, byte_fallback: true }];
    for (const flags of cases) {
      const json = {
        model: { type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: null, ...flags, ignore_merges: false, vocab: Object.fromEntries(vocab), merges: merges.map(([a, b]) => [a, b]) },
        added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null,
      };
      const hf = new HfTokenizer(json, {});
      const loom = Tokenizer.fromJSON(json);
      for (const s of ["abcd", "xyab", "axxé", "éab", "zz"]) assert.deepEqual(loom.encode(s).tokens, hf.encode(s).tokens, `${JSON.stringify(flags)} ${s}`);
    }
  });

  test("continuing_subword_prefix and end_of_word_suffix (offsets stay in the word)", () => {
    const v = new Map(["h", "##e", "##l", "##o</w>", "##l##o</w>", "he", "##ll", "##lo</w>", "hel", "hello</w>"].map((t, i) => [t, i]));
    const bpe = new BPE(v, [["h", "##e"], ["##l", "##o</w>"], ["he", "##l"], ["hel", "##lo</w>"]], { continuingSubwordPrefix: "##", endOfWordSuffix: "</w>" });
    // h ##e ##l ##l ##o</w> → he ##l ##lo</w> → hel ##lo</w> → hello</w>
    assert.deepEqual(bpe.tokenize("hello").map((t) => [t.value, t.offsets]), [["hello</w>", [0, 5]]]);
    // h ##e ##l ##o</w> → he ##lo</w> (rank 1 beats he+##l), and "he ##lo</w>" is no merge.
    assert.deepEqual(bpe.tokenize("helo").map((t) => [t.value, t.offsets]), [["he", [0, 2]], ["##lo</w>", [2, 4]]]);
  });

  test("dropout is seeded: same seed, same pieces; dropout 1 keeps characters; cache off changes nothing", () => {
    const a = new BPE(vocab, merges, { dropout: 0.5, seed: 3 });
    const b = new BPE(vocab, merges, { dropout: 0.5, seed: 3 });
    const runs = (m: BPE) => Array.from({ length: 20 }, () => m.tokenize("abcdabcdab").map((t) => t.value).join(" "));
    assert.deepEqual(runs(a), runs(b));
    assert.ok(new Set(runs(a)).size > 1, "dropout varies the segmentation");
    assert.deepEqual(new BPE(vocab, merges, { dropout: 1 }).tokenize("abcd").map((t) => t.value), ["a", "b", "c", "d"]);
    const cached = new BPE(vocab, merges);
    const uncached = new BPE(vocab, merges, { cacheCapacity: 0 });
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom("a", "b", "c", "d", "é", "x"), maxLength: 80 }), (s) => {
      assert.deepEqual(cached.tokenize(s), uncached.tokenize(s));
      assert.deepEqual(cached.tokenize(s), cached.tokenize(s));
    }), { seed: 4, numRuns: 200 });
  });

  test("ignore_merges takes a whole word that is in the vocabulary", () => {
    const v = new Map(["a", "b", "c", "ab", "bc", "abc"].map((t, i) => [t, i]));
    const m: [string, string][] = [["b", "c"], ["a", "b"]];
    assert.deepEqual(new BPE(v, m).tokenize("abc").map((t) => t.value), ["a", "bc"]);
    assert.deepEqual(new BPE(v, m, { ignoreMerges: true }).tokenize("abc").map((t) => t.value), ["abc"]);
  });

  test("astral characters are one symbol with offsets in UTF-16 units", () => {
    const v = new Map(["😀", "a", "😀a"].map((t, i) => [t, i]));
    const t = new BPE(v, [["😀", "a"]]).tokenize("a😀a😀");
    assert.deepEqual(t.map((x) => [x.value, x.offsets]), [["a", [0, 1]], ["😀a", [1, 4]], ["😀", [4, 6]]]);
  });
});
