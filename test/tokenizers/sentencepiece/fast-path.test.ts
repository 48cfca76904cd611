/**
 * The SentencePiece fast path gives exactly what the general pipeline gives — ids, tokens, offsets
 * and word ids — for every committed model, on the fixture texts and on random strings made of the
 * characters where the two could part: charsmap rewrites (full-width forms, ligatures, compatibility
 * characters, controls), runs of spaces, tabs, "▁", astral characters, lone surrogates and added tokens.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Tokenizer } from "../../../src/tokenizers/tokenizer.js";
import { expected, modelBytes } from "./helpers.js";

const ALPHABET = [
  "a", "b", "the", "The", "1", "2", "0", ".", ",", " ", " ", "  ", "\t", "\n", "\u2581", "\u3000", "\u00a0", "\u2003",
  "ＦＵ", "ｌ", "１", "ﬁ", "①", "㈱", "™", "½", "é", "e\u0301", "\u0301", "Å", "ß", "研究", "생", "ｶﾞ", "ﾞ",
  "😀", "👍🏽", "\u200b", "\u200d", "\ufeff", "\u0000", "\u0007", "\ud800", "\udc00", "𝐀", "<s>", "</s>", "<unk>", "<0x41>",
];

function load(name: string): Tokenizer {
  const dir = mkdtempSync(join(tmpdir(), "loom-spm-fast-"));
  const path = join(dir, `${name}.model`);
  writeFileSync(path, modelBytes(name));
  try {
    return Tokenizer.fromSentencePiece(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const name of Object.keys(expected.models)) {
  test(`SentencePiece fast path = general pipeline: ${name}.model`, () => {
    const fast = load(name);
    const general = load(name);
    general.useFastPath = false;
    const check = (text: string): void => {
      const a = fast.encode(text);
      const b = general.encode(text);
      assert.deepEqual(
        { ids: a.ids, tokens: a.tokens, offsets: a.offsets, wordIds: a.wordIds },
        { ids: b.ids, tokens: b.tokens, offsets: b.offsets, wordIds: b.wordIds },
        JSON.stringify(text),
      );
      assert.deepEqual(fast.encodeIds(text), b.ids, JSON.stringify(text));
    };
    for (const text of expected.test_set) check(text);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 30 }), (parts) => check(parts.join(""))),
      { seed: 1411, numRuns: 1500 },
    );
  });
}
