import { test } from "node:test";
import assert from "node:assert/strict";
import { WordLevel } from "../../../../src/tokenizers/models/wordlevel/model.js";

test("WordLevel: whole pieces or unk_token", () => {
  const wl = new WordLevel(new Map([["<unk>", 0], ["hi", 1]]));
  assert.deepEqual(wl.tokenize("hi").map((t) => t.id), [1]);
  assert.deepEqual(wl.tokenize("ho").map((t) => t.value), ["<unk>"]);
  assert.throws(() => new WordLevel(new Map([["hi", 1]]), "<missing>").tokenize("x"), /unk_token/);
});
