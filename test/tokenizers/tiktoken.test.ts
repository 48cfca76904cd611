/**
 * loom's tiktoken encodings against OpenAI's own implementation (the `tiktoken` npm package: the Rust
 * crate compiled to WASM), on arbitrary Unicode and on adversarial mixes of the characters the split
 * regexes treat specially. The whole-corpus comparison is in tiktoken-corpus.test.ts.
 */
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { get_encoding, type Tiktoken } from "tiktoken";
import { Tokenizer } from "../../src/tokenizers/tokenizer.js";
import { fromTiktoken, parseTiktokenRanks, tokenizerFromTiktokenRanks } from "../../src/tokenizers/tiktoken.js";
import { GPT2_PATTERN } from "../../src/tokenizers/regex.js";

const PARTS = [
  " ", "  ", "   ", "\n", "\n\n", "\r\n", "\r", "\t", " \n ", "'s", "'S", "'t", "'ll", "'LL", "'Re", "'ve", "'M", "'d",
  "'", "\"", "123", "4567", "0", "a", "Hello", "WORLD", "iPhone", "!", "?!", "...", "--", "/", "//", ":", "é", "e\u0301",
  "ß", "İ", "ﬁ", "中文", "日本語", "한국어", "😀", "👍🏽", "\u00a0", "\u0085", "\u3000", "\ufeff", "\u2028", "\u200b", "x", "١٢٣",
  "Ⅻ", "½", "\u0000", "\u007f",
];
const mixed = fc.array(fc.constantFrom(...PARTS), { maxLength: 40 }).map((a) => a.join(""));
const unicode = fc.string({ unit: "binary", maxLength: 60 });
const anyText = fc.oneof(mixed, unicode, fc.string({ unit: "grapheme", maxLength: 40 }));

/** Replaces lone surrogates by U+FFFD: what TextEncoder (and so tiktoken's JS binding) encodes. */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

const encodings: [string, "gpt2" | "cl100k_base"][] = [["gpt2", "gpt2"], ["cl100k_base", "cl100k_base"]];

for (const [label, name] of encodings) {
  describe(`tiktoken ${label}`, () => {
    const loom = Tokenizer.fromTiktoken(name);
    const ref: Tiktoken = get_encoding(name);
    after(() => ref.free());
    const expected = (s: string): number[] => Array.from(ref.encode(s));

    test("ids equal tiktoken's on arbitrary Unicode and on mixes of spaces, newlines, digits, contractions, punctuation", () => {
      fc.assert(
        fc.property(anyText, (s) => {
          assert.deepEqual(loom.encodeIds(s), expected(s));
          assert.deepEqual(loom.encode(s).ids, expected(s));
        }),
        { seed: 1234, numRuns: 600 },
      );
    });

    test("the general pipeline (NormalizedString path) gives the fast path's encoding", () => {
      const general = Tokenizer.fromTiktoken(name);
      general.useFastPath = false;
      fc.assert(
        fc.property(anyText, (s) => {
          const a = loom.encode(s);
          const b = general.encode(s);
          assert.deepEqual(b.ids, a.ids);
          assert.deepEqual(b.tokens, a.tokens);
          assert.deepEqual(b.offsets, a.offsets);
          assert.deepEqual(b.wordIds, a.wordIds);
        }),
        { seed: 99, numRuns: 200 },
      );
    });

    test("decode(encode(s)) === s; lone surrogates come back as U+FFFD, as through tiktoken's UTF-8", () => {
      const withSurrogates = fc.array(fc.oneof(fc.constantFrom(...PARTS), fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c))), {
        maxLength: 20,
      }).map((a) => a.join(""));
      fc.assert(
        fc.property(fc.oneof(anyText, withSurrogates), (s) => {
          const ids = loom.encodeIds(s);
          assert.equal(loom.decode(ids), wellFormed(s));
          assert.deepEqual(ids, expected(s));
        }),
        { seed: 5, numRuns: 400 },
      );
    });

    test("offsets slice the original text to each token's source", () => {
      const utf8 = new TextEncoder();
      fc.assert(
        fc.property(anyText, (s) => {
          const e = loom.encode(s);
          let covered = 0;
          e.offsets.forEach(([start, end], i) => {
            assert.ok(0 <= start && start <= end && end <= s.length);
            // A token's bytes lie inside the UTF-8 of its source (tokens may split a character).
            const tokenBytes = loom.decode([e.ids[i]!]);
            const source = s.slice(start, end);
            if (!tokenBytes.includes("\ufffd")) assert.ok(wellFormed(source).includes(tokenBytes), `${JSON.stringify(tokenBytes)} in ${JSON.stringify(source)}`);
            if (i > 0) assert.ok(start >= e.offsets[i - 1]![0] && end >= e.offsets[i - 1]![1], "offsets never go backwards");
            assert.ok(start <= covered, "no gap between tokens");
            covered = Math.max(covered, end);
          });
          assert.equal(covered, s.length);
          // The tokens' bytes are exactly the text's UTF-8.
          assert.equal(e.tokens.join("").length, utf8.encode(wellFormed(s)).length);
        }),
        { seed: 77, numRuns: 300 },
      );
    });

    test("special tokens: recognised in text by default, plain text when asked", () => {
      const eot = "<|endoftext|>";
      const id = loom.tokenToId(eot)!;
      assert.equal(id, ref.encode(eot, "all")[0]);
      assert.deepEqual(loom.encodeIds(`a${eot}b`), Array.from(ref.encode(`a${eot}b`, "all")));
      loom.setEncodeSpecialTokens(true);
      assert.deepEqual(loom.encodeIds(`a${eot}b`), Array.from(ref.encode(`a${eot}b`, [], [])));
      loom.setEncodeSpecialTokens(false);
      assert.equal(loom.decode(loom.encodeIds(`x${eot}`), { skipSpecialTokens: true }), "x");
    });
  });
}

test("p50k_base and o200k_base load and agree with tiktoken on a mixed sample", () => {
  for (const name of ["p50k_base", "o200k_base"] as const) {
    const loom = fromTiktoken(name);
    const ref = get_encoding(name);
    fc.assert(
      fc.property(anyText, (s) => assert.deepEqual(loom.encodeIds(s), Array.from(ref.encode(s)))),
      { seed: 3, numRuns: 60 },
    );
    ref.free();
  }
});

test("a tiktoken rank file (base64token rank lines) loads into a byte-level BPE", () => {
  const tokens = ["a", "b", "c", "ab", "abc", " ", " a"];
  const text = tokens.map((t, i) => `${Buffer.from(t).toString("base64")} ${i}`).join("\n");
  const ranks = parseTiktokenRanks(text);
  const tok = tokenizerFromTiktokenRanks(ranks, GPT2_PATTERN);
  // "abc" is one token (whole-piece lookup); " abcab" splits as " a" + "b"… by lowest merged rank.
  assert.deepEqual(tok.encodeIds("abc"), [4]);
  assert.deepEqual(tok.encodeIds("cab"), [2, 3]);
  assert.throws(() => parseTiktokenRanks("QQ== x"), /line 1/);
});

describe("long pieces: no cap on the symbols of one word, ids as tiktoken's", () => {
  const wasm = get_encoding("gpt2");
  after(() => wasm.free());
  const loom = Tokenizer.fromTiktoken("gpt2");

  test("pieces of tens of thousands of bytes equal tiktoken's ids (the merge queue, not the scan)", () => {
    const rng = fc.sample(fc.array(fc.constantFrom("a", "b", "ab", "aab", "é"), { minLength: 8000, maxLength: 12000 }), { seed: 88, numRuns: 3 });
    for (const parts of rng) {
      const text = parts.join("");
      assert.deepEqual(loom.encodeIds(text), Array.from(wasm.encode(text)));
    }
  });

  test("a run of 4.5 million 'a' (over the old 4,194,304-symbol refusal) encodes to tiktoken's ids", () => {
    // tiktoken's own merge is quadratic in the piece length, so its answer is taken on a 40,000-byte
    // run; a run of one byte merges the same way at every length divisible by 4.
    const small = Array.from(wasm.encode("a".repeat(40_000)));
    assert.ok(small.every((id) => id === small[0]) && small.length === 10_000);
    const n = 4_500_000;
    const ids = loom.encodeIds("a".repeat(n));
    assert.equal(ids.length, n / 4);
    assert.ok(ids.every((id) => id === small[0]));
  });
});
