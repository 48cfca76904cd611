/** Metaspace pre-tokenizer: "▁" for spaces, the prepend schemes, splitting, offsets, JSON. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Metaspace } from "../../../src/tokenizers/pre_tokenizers/metaspace.js";
import { PreTokenizedString } from "../../../src/tokenizers/pre-tokenized-string.js";
import { NormalizedString } from "../../../src/tokenizers/normalized-string.js";
import { JsonPath } from "../../../src/tokenizers/json.js";
import { FormatError } from "../../../src/errors.js";

function run(m: Metaspace, text: string | NormalizedString): [string, [number, number]][] {
  const pts = new PreTokenizedString(text);
  m.preTokenize(pts);
  return pts.getSplits("original").map(([s, offsets]) => [s, offsets]);
}

describe("Metaspace pre-tokenizer", () => {
  test("replaces spaces, prepends ▁ and splits before each ▁, with offsets in the original", () => {
    assert.deepEqual(run(new Metaspace(), "Hey friend"), [
      ["▁Hey", [0, 3]],
      ["▁friend", [3, 10]],
    ]);
  });

  test("does not prepend a second ▁, and keeps runs of spaces as lone ▁ pieces", () => {
    assert.deepEqual(run(new Metaspace(), " a  b").map(([s]) => s), ["▁a", "▁", "▁b"]);
    assert.deepEqual(run(new Metaspace(), "▁x").map(([s]) => s), ["▁x"]);
  });

  test('prepend_scheme "never" and "first"', () => {
    assert.deepEqual(run(new Metaspace({ prependScheme: "never" }), "Hey friend").map(([s]) => s), ["Hey", "▁friend"]);
    // "first" prepends only to the piece that starts the original text.
    const pts = new PreTokenizedString("ab cd");
    pts.split((_, s) => [s.slice(0, 2), s.slice(2, 5)]);
    new Metaspace({ prependScheme: "first" }).preTokenize(pts);
    assert.deepEqual(pts.getSplits("original").map(([s]) => s), ["▁ab", "▁cd"]);
    const pts2 = new PreTokenizedString("ab cd");
    pts2.split((_, s) => [s.slice(0, 3), s.slice(3, 5)]);
    new Metaspace({ prependScheme: "first" }).preTokenize(pts2);
    assert.deepEqual(pts2.getSplits("original").map(([s]) => s), ["▁ab", "▁", "cd"]);
  });

  test("split: false keeps one piece", () => {
    assert.deepEqual(run(new Metaspace({ split: false }), "Hey friend").map(([s]) => s), ["▁Hey▁friend"]);
  });

  test("round-trips tokenizer.json and reads the older add_prefix_space", () => {
    const at = new JsonPath("t.json", "pre_tokenizer");
    const json = { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false };
    assert.deepEqual(Metaspace.fromJSON(json, at).toJSON(), json);
    assert.equal(Metaspace.fromJSON({ type: "Metaspace", replacement: "▁", add_prefix_space: false }, at).prependScheme, "never");
    assert.throws(() => Metaspace.fromJSON({ type: "Metaspace", replacement: "▁", prepend_scheme: "sometimes" }, at), FormatError);
    assert.throws(() => Metaspace.fromJSON({ type: "Metaspace", replacement: "ab" }, at), FormatError);
  });
});
