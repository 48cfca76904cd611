/**
 * The WordPiece (BERT) fast path gives exactly what the general pipeline gives — ids, tokens, offsets
 * and word ids — for every BertNormalizer setting, on random strings of the characters where the two
 * could part: upper case, accents (composed and combining), CJK, punctuation, controls, odd
 * whitespace, spacing and enclosing marks, astral characters, lone surrogates and special tokens.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { Tokenizer } from "../../../../src/tokenizers/tokenizer.js";

const FIXTURE = join(process.cwd(), "test/fixtures/tokenizers/wordpiece-hf/tokenizer.json");
const ALPHABET = [
  "a", "b", "e", "the", "The", "THE", "x", "1", "0", ".", ",", "!", "#", "'", "$", " ", "  ", "\t", "\n", "\r", "\u00a0", "\u3000",
  "\u2003", "\u0085", "é", "É", "e\u0301", "\u0301", "\u0308", "ß", "İ", "Σ", "ﬁ", "½", "中", "文", "\uf900", "生命", "ｶ", "\u037e",
  "\u00ad", "\u200b", "\u200d", "\ufeff", "\u0000", "\u0007", "\ufffd", "\ud800", "\udc00", "😀", "👍🏽", "🇫🇷", "1\ufe0f\u20e3", "\u0903",
  "\ud834\udd65", "\u0488", "[CLS]", "[SEP]", "[MASK]", "naïve", "Café",
];

const SETTINGS = [
  { lowercase: true, strip_accents: null, clean_text: true, handle_chinese_chars: true },
  { lowercase: false, strip_accents: null, clean_text: true, handle_chinese_chars: true },
  { lowercase: false, strip_accents: true, clean_text: false, handle_chinese_chars: false },
  { lowercase: true, strip_accents: false, clean_text: true, handle_chinese_chars: false },
];

for (const settings of SETTINGS) {
  test(`WordPiece fast path = general pipeline (${JSON.stringify(settings)})`, () => {
    const json = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
    json["normalizer"] = { type: "BertNormalizer", ...settings };
    json["post_processor"] = {
      type: "BertProcessing", sep: ["[SEP]", 3], cls: ["[CLS]", 2],
    };
    const fast = Tokenizer.fromJSON(json);
    const general = Tokenizer.fromJSON(json);
    general.useFastPath = false;
    const check = (text: string): void => {
      const a = fast.encode(text);
      const b = general.encode(text);
      assert.deepEqual(
        { ids: a.ids, tokens: a.tokens, offsets: a.offsets, wordIds: a.wordIds },
        { ids: b.ids, tokens: b.tokens, offsets: b.offsets, wordIds: b.wordIds },
        JSON.stringify(text),
      );
      assert.deepEqual(fast.encodeIds(text, { addSpecialTokens: false }), general.encode(text, undefined, { addSpecialTokens: false }).ids);
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 24 }), (parts) => check(parts.join(""))),
      { seed: 1114, numRuns: 1500 },
    );
  });
}
