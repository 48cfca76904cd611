import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileRegex, translateRegexSource, CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN } from "../../src/tokenizers/regex.js";
import { Tokenizer } from "../../src/tokenizers/tokenizer.js";
import { FormatError, ValueError } from "../../src/errors.js";

test("Rust/Oniguruma syntax becomes JS: \\s, (?i:…), possessive quantifiers, \\d, \\A/\\z, escaped quotes", () => {
  assert.equal(translateRegexSource("\\s+(?!\\S)"), "\\p{White_Space}+(?!\\P{White_Space})");
  assert.equal(translateRegexSource("(?i:'s|'t)"), "(?:'[sS]|'[tT])");
  assert.equal(translateRegexSource("'(?i:[sdmt]|ll)"), "'(?:[sSdDmMtT]|[lL][lL])");
  assert.equal(translateRegexSource("\\p{L}++|\\p{N}{1,3}+|x?+y*+"), "\\p{L}+|\\p{N}{1,3}|x?y*");
  assert.equal(translateRegexSource("a+?b"), "a+?b", "a lazy quantifier stays lazy");
  assert.equal(translateRegexSource("\\A\\d\\z"), "^\\p{Nd}$");
  assert.equal(translateRegexSource("\\'\\pL"), "'\\p{L}");
  assert.deepEqual("a-b".match(compileRegex("\\-|[\\-x]")), ["-"]);
  assert.deepEqual("a]}b".match(compileRegex("]}")), ["]}"]);
});

test("matching follows Rust: \\s is White_Space (U+0085 yes, U+FEFF no), (?i:) contractions", () => {
  const ws = compileRegex("\\s+");
  assert.deepEqual("a\u0085b\ufeffc".match(ws), ["\u0085"]);
  const contractions = compileRegex("(?i:'s|'ll)");
  assert.deepEqual("it'S we'LL x's".match(contractions), ["'S", "'LL", "'s"]);
});

test("the translated cl100k pattern covers any text with consecutive, non-empty pieces", () => {
  const re = compileRegex(CL100K_PATTERN);
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 50 }), (s) => {
      const pieces = [...s.matchAll(re)];
      let pos = 0;
      for (const m of pieces) {
        assert.equal(m.index, pos);
        assert.ok(m[0].length > 0);
        pos += m[0].length;
      }
      assert.equal(pos, s.length);
    }),
    { seed: 2, numRuns: 300 },
  );
});

test("exponential-backtracking patterns are refused by name; the tokenizer patterns in use pass", () => {
  for (const source of ["(a+)+$", "(a*)*b", "(a|aa)+$", "(\\w+\\s?)*$", "((ab)*c)+", "(?:x+y?){2,}$"]) {
    assert.throws(() => compileRegex(source), (e: unknown) => e instanceof ValueError && /exponential time/.test(e.message), source);
  }
  for (const source of [GPT2_PATTERN, CL100K_PATTERN, O200K_PATTERN, "(a+)?b", "(ab)+", "[(a+)+]", "\\(a+\\)+", " ?\\p{L}+|\\s+(?!\\S)"]) {
    assert.doesNotThrow(() => compileRegex(source), source);
  }
  // In a tokenizer.json: a FormatError naming the file and field, at load, instead of a hang at encode.
  const json = {
    model: { type: "WordLevel", vocab: { "[UNK]": 0 }, unk_token: "[UNK]" },
    pre_tokenizer: { type: "Split", pattern: { Regex: "(a+)+$" }, behavior: "Isolated", invert: false },
  };
  assert.throws(() => Tokenizer.fromJSON(json, "evil.json"), (e: unknown) => e instanceof FormatError && e.message.includes("evil.json") && e.message.includes("pre_tokenizer.pattern"));
});
