import { test } from "node:test";
import assert from "node:assert/strict";
import { WordPiece } from "../../../../src/tokenizers/models/wordpiece/model.js";

test("WordPiece: greedy longest match first, ## continuations, [UNK] for the whole word otherwise", () => {
  const wp = new WordPiece(new Map(["[UNK]", "un", "##aff", "##able", "una", "##ff", "😀", "##😀"].map((t, i) => [t, i])), { maxInputCharsPerWord: 5 });
  // Longest first: "una" beats "un", then "##ff", then "##able".
  assert.deepEqual(wp.tokenize("unaffable").map((t) => t.value), ["[UNK]"], "longer than 5 characters");
  const wide = new WordPiece(wp.getVocab());
  assert.deepEqual(wide.tokenize("unaffable").map((t) => [t.value, t.offsets]), [["una", [0, 3]], ["##ff", [3, 5]], ["##able", [5, 9]]]);
  assert.deepEqual(wide.tokenize("😀😀").map((t) => [t.value, t.offsets]), [["😀", [0, 2]], ["##😀", [2, 4]]]);
  assert.deepEqual(wide.tokenize("unx").map((t) => [t.value, t.offsets]), [["[UNK]", [0, 3]]]);
});
