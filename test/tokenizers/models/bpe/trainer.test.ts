import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { BpeTrainer, byteLevelAlphabet } from "../../../../src/tokenizers/models/bpe/trainer.js";
import { ValueError } from "../../../../src/errors.js";

describe("BpeTrainer", () => {
  test("feed counts pieces; train returns a BPE model that applies the learned merges", () => {
    const trainer = new BpeTrainer({ specialTokens: ["<unk>"] });
    // Words ab:2 abc:1 cd:3 (merges by hand in trainer-merges.test.ts: "a b", "c d", "ab c").
    trainer.feed(["ab", "cd"]);
    trainer.feed(["ab", "abc", "cd", "cd"]);
    const model = trainer.train();
    assert.equal(model.type, "BPE");
    assert.deepEqual(model.merges, [["a", "b"], ["c", "d"], ["ab", "c"]]);
    assert.equal(model.tokenToId("<unk>"), 0);
    // "abcd": (a,b) rank 0 -> [ab,c,d]; (c,d) rank 1 beats (ab,c) rank 2 -> [ab, cd].
    assert.deepEqual(model.tokenize("abcd").map((t) => t.value), ["ab", "cd"]);
    assert.deepEqual(model.tokenize("abc").map((t) => t.value), ["abc"]);
  });

  test("continuing prefix and end-of-word suffix carry into the model", () => {
    const trainer = new BpeTrainer({ continuingSubwordPrefix: "##", endOfWordSuffix: "</w>" });
    trainer.feed(["ab", "ab"]);
    const model = trainer.train();
    assert.equal(model.continuingSubwordPrefix, "##");
    assert.equal(model.endOfWordSuffix, "</w>");
    // a, ##b</w> -> "ab</w>" (the right side's prefix is dropped, its suffix kept).
    assert.deepEqual(model.tokenize("ab").map((t) => t.value), ["ab</w>"]);
  });

  test("byteLevelAlphabet is GPT-2's 256 byte characters", () => {
    const alphabet = byteLevelAlphabet();
    assert.equal(new Set(alphabet).size, 256);
    // Space (0x20) is the 33rd non-printable byte -> U+0120 "Ġ"; "!" (0x21) stands for itself.
    assert.equal(alphabet[0x20], "Ġ");
    assert.equal(alphabet[0x21], "!");
    assert.equal(alphabet[0x0a], "Ċ");
    const trainer = new BpeTrainer({ initialAlphabet: alphabet, vocabSize: 256 });
    trainer.feed(["ab"]);
    assert.equal(trainer.train().getVocabSize(), 256);
  });

  test("rejects bad options", () => {
    assert.throws(() => new BpeTrainer({ vocabSize: -1 }), ValueError);
    assert.throws(() => new BpeTrainer({ minFrequency: 0.5 }), ValueError);
  });

  test("reports progress through onProgress", () => {
    const trainer = new BpeTrainer();
    trainer.feed(["abcabc"]);
    const stages: string[] = [];
    trainer.onProgress = (p) => stages.push(p.stage);
    trainer.train();
    assert.ok(stages.includes("merge"));
  });
});
