import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compareCodePoints, learnWordLevel } from "../../../../src/tokenizers/models/wordlevel/trainer-vocab.js";

describe("learnWordLevel (HF WordLevelTrainer semantics)", () => {
  const counts = new Map([["the", 25], ["roses", 22], ["are", 24], ["red", 12], ["voilets", 10], ["blue", 16]]);

  test("HF's test_train: most frequent first, cut at vocab_size; min_frequency filters", () => {
    // Expected vocabularies from HF tokenizers' `wordlevel/trainer.rs` test `test_train`.
    assert.deepEqual(learnWordLevel(counts, { vocabSize: 5, minFrequency: 0, specialTokens: [] }), [
      "the", "are", "roses", "blue", "red",
    ]);
    assert.deepEqual(learnWordLevel(counts, { vocabSize: 5, minFrequency: 15, specialTokens: [] }), [
      "the", "are", "roses", "blue",
    ]);
  });

  test("special tokens first and counted in vocab_size; equal counts in code-point order", () => {
    // "b" and "a" tie at 2 -> "a" first; "😀" (U+1F600) sorts after "ｚ" (U+FF5A) by code point, though
    // its first UTF-16 unit (0xD83D) is smaller.
    const c = new Map([["b", 2], ["a", 2], ["😀", 1], ["ｚ", 1], ["[UNK]", 9]]);
    assert.deepEqual(learnWordLevel(c, { vocabSize: 4, minFrequency: 0, specialTokens: ["[UNK]", "[PAD]"] }), [
      "[UNK]", "[PAD]", "a", "b",
    ]);
    assert.deepEqual(learnWordLevel(c, { vocabSize: 10, minFrequency: 0, specialTokens: [] }), [
      "[UNK]", "a", "b", "ｚ", "😀",
    ]);
  });

  test("compareCodePoints orders as code points", () => {
    assert.ok(compareCodePoints("😀", "ｚ") > 0);
    assert.ok(compareCodePoints("ab", "abc") < 0);
    assert.ok(compareCodePoints("b", "a") > 0);
    assert.equal(compareCodePoints("x", "x"), 0);
  });
});
