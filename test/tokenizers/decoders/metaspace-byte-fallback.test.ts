/** The Metaspace and ByteFallback decoders. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MetaspaceDecoder } from "../../../src/tokenizers/decoders/metaspace.js";
import { ByteFallback } from "../../../src/tokenizers/decoders/byte-fallback.js";
import { JsonPath } from "../../../src/tokenizers/json.js";

describe("Metaspace decoder", () => {
  test("turns ▁ into spaces and drops the prepended one", () => {
    assert.deepEqual(new MetaspaceDecoder().decodeChain(["▁Hey", "▁friend", "!", "▁"]), ["Hey", " friend", "!", " "]);
    assert.deepEqual(new MetaspaceDecoder({ prependScheme: "never" }).decodeChain(["▁Hey", "▁you"]), [" Hey", " you"]);
  });

  test("round-trips tokenizer.json", () => {
    const json = { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true };
    assert.deepEqual(MetaspaceDecoder.fromJSON(json, new JsonPath("t.json", "decoder")).toJSON(), json);
  });
});

describe("ByteFallback decoder", () => {
  test("joins runs of byte pieces into UTF-8 text", () => {
    const bytes = [...Buffer.from("é😀", "utf8")].map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    assert.deepEqual(new ByteFallback().decodeChain(["a", ...bytes, "b"]), ["a", "é😀", "b"]);
  });

  test("an invalid run gives one U+FFFD per byte; lookalikes pass through", () => {
    assert.deepEqual(new ByteFallback().decodeChain(["<0xE9>", "<0x80>", "x", "<0xC3>"]), ["\uFFFD", "\uFFFD", "x", "\uFFFD"]);
    assert.deepEqual(new ByteFallback().decodeChain(["<0x4>", "<0xZZ>", "<0x414>"]), ["<0x4>", "<0xZZ>", "<0x414>"]);
  });

  test("writes its tokenizer.json form", () => {
    assert.deepEqual(new ByteFallback().toJSON(), { type: "ByteFallback" });
  });
});
