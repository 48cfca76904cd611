import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "../../../../src/tokenizers/tokenizer.js";
import { BertNormalizer } from "../../../../src/tokenizers/normalizers/bert.js";

// Made by scripts/fixtures/wordpiece-hf.py with Hugging Face's Rust tokenizers.
const DIR = join(process.cwd(), "test/fixtures/tokenizers/wordpiece-hf");
const expected = JSON.parse(readFileSync(join(DIR, "expected.json"), "utf8")) as { cases: [string, number[]][] };

for (const fast of [true, false]) {
  test(`WordPiece BERT-uncased pipeline gives HF's ids on flags, keycaps and mixed emoji (${fast ? "fast" : "general"} path)`, () => {
    const tokenizer = Tokenizer.fromFile(join(DIR, "tokenizer.json"));
    tokenizer.useFastPath = fast;
    let mismatches = 0;
    const first: string[] = [];
    for (const [text, ids] of expected.cases) {
      const got = tokenizer.encode(text, undefined, { addSpecialTokens: false }).ids;
      if (JSON.stringify(got) !== JSON.stringify(ids)) {
        if (mismatches++ < 5) first.push(`${JSON.stringify(text)}: HF ${JSON.stringify(ids)}, loom ${JSON.stringify(got)}`);
      }
      assert.deepEqual(tokenizer.encodeIds(text, { addSpecialTokens: false }), got, `encodeIds ${JSON.stringify(text)}`);
    }
    assert.equal(mismatches, 0, `${mismatches} of ${expected.cases.length} differ:\n${first.join("\n")}`);
  });
}

test("BertNormalizer strips only nonspacing marks (Mn): the keycap U+20E3 (Me) and spacing marks (Mc) stay", () => {
  const n = new BertNormalizer({ lowercase: true });
  assert.equal(n.normalizeString("1\ufe0f\u20e3 e\u0301 a\u0903b \u0488x"), "1\u20e3 e a\u0903b \u0488x");
});
