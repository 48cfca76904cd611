/**
 * The Precompiled normalizer against libsentencepiece's own normalizer (spm_normalize over the same
 * nmt_nfkc charsmap, recorded by scripts/fixtures/sentencepiece.py), and its alignments.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Precompiled } from "../../../src/tokenizers/normalizers/precompiled.js";
import { parseModelProto } from "../../../src/tokenizers/sentencepiece/model-proto.js";
import { NormalizedString } from "../../../src/tokenizers/normalized-string.js";
import { JsonPath } from "../../../src/tokenizers/json.js";
import { FormatError } from "../../../src/errors.js";
import { expected, modelBytes } from "../sentencepiece/helpers.js";

const charsmap = parseModelProto(modelBytes("unigram"), "unigram.model").normalizerSpec.precompiledCharsmap;
const precompiled = new Precompiled(charsmap);
const fixture = (expected as unknown as { charsmap: { text: string; normalized: string }[] }).charsmap;

describe("Precompiled", () => {
  test(`normalizes ${fixture.length} lines exactly as libsentencepiece (nmt_nfkc)`, () => {
    assert.ok(fixture.length > 50);
    for (const { text, normalized } of fixture) assert.equal(precompiled.normalizeString(text), normalized, JSON.stringify(text));
  });

  test("is not NFKC: some lines differ from String.prototype.normalize", () => {
    const differing = fixture.filter(({ text, normalized }) => text.normalize("NFKC") !== normalized);
    assert.ok(differing.length > 0);
  });

  test("keeps alignments: a ligature's letters map to the ligature, removed characters vanish", () => {
    const s = new NormalizedString("\ufb01x\u200by\u00ad");
    precompiled.normalize(s);
    // ﬁ → fi; U+200B zero-width space → " "; U+00AD soft hyphen is dropped.
    assert.equal(s.get(), precompiled.normalizeString("\ufb01x\u200by\u00ad"));
    const out = s.get();
    const f = out.indexOf("f");
    assert.deepEqual(s.normalizedToOriginal(f, f + 2), [0, 1]);
    const y = out.indexOf("y");
    assert.deepEqual(s.normalizedToOriginal(y, y + 1), [3, 4]);
  });

  test("round-trips through tokenizer.json", () => {
    const json = precompiled.toJSON();
    assert.equal(json.type, "Precompiled");
    const back = Precompiled.fromJSON(json as { type: string; precompiled_charsmap: string }, new JsonPath("t.json", "normalizer"));
    assert.deepEqual(back.toJSON(), json);
    assert.equal(back.normalizeString("\uff21\u2460"), precompiled.normalizeString("\uff21\u2460"));
  });

  test("an empty charsmap changes nothing", () => {
    assert.equal(new Precompiled(new Uint8Array(0)).normalizeString("\uff21 \ufb01"), "\uff21 \ufb01");
  });

  test("a truncated charsmap is a FormatError naming the field", () => {
    const at = new JsonPath("broken.json", "normalizer.precompiled_charsmap");
    assert.throws(() => new Precompiled(charsmap.subarray(0, 1000), at), (e: unknown) => {
      assert.ok(e instanceof FormatError);
      assert.match(e.message, /broken\.json: normalizer\.precompiled_charsmap/);
      return true;
    });
  });
});
