import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { WordLevelTrainer } from "../../../../src/tokenizers/models/wordlevel/trainer.js";

describe("WordLevelTrainer", () => {
  test("special tokens first, then words by count; min_frequency and vocab_size apply", () => {
    const trainer = new WordLevelTrainer({ specialTokens: ["[UNK]"], minFrequency: 2, vocabSize: 3, unkToken: "[UNK]" });
    trainer.feed(["the", "cat", "the", "dog"]);
    trainer.feed(["dog", "the", "bird", "cat"]);
    // Counts the 3, cat 2, dog 2, bird 1: min 2 drops bird; cat before dog (string order); size 3 cuts dog.
    const model = trainer.train();
    assert.deepEqual([...model.getVocab()], [["[UNK]", 0], ["the", 1], ["cat", 2]]);
    assert.deepEqual(model.tokenize("dog").map((t) => t.value), ["[UNK]"]);
  });
});
