import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { WordPieceTrainer } from "../../../../src/tokenizers/models/wordpiece/trainer.js";

describe("WordPieceTrainer", () => {
  test("BPE with ## gives the WordPiece vocabulary, ids kept", () => {
    // Words abc:2 bc:1 — by hand in trainer-merges.test.ts: a b c ##b ##c ab abc bc; [UNK] first here.
    const trainer = new WordPieceTrainer({ specialTokens: ["[UNK]"] });
    trainer.feed(["abc", "bc", "abc"]);
    const model = trainer.train();
    assert.equal(model.type, "WordPiece");
    assert.deepEqual(
      [...model.getVocab()].sort((x, y) => x[1] - y[1]).map(([t]) => t),
      ["[UNK]", "a", "b", "c", "##b", "##c", "ab", "abc", "bc"],
    );
    // Longest match first: "abc", then "##bc" is missing, so "##b", "##c".
    assert.deepEqual(model.tokenize("abcbc").map((t) => t.value), ["abc", "##b", "##c"]);
    assert.deepEqual(model.tokenize("x").map((t) => t.value), ["[UNK]"]);
  });

  test("forwards progress to the inner BPE trainer", () => {
    const trainer = new WordPieceTrainer();
    let calls = 0;
    trainer.onProgress = () => calls++;
    trainer.feed(["abab"]);
    trainer.train();
    assert.ok(calls > 0);
  });
});
