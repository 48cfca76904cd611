import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeDocuments, loadTokenStream, saveTokenStream } from "../../src/train/dataset.js";
import { buildTokenizer, endOfTextId } from "../../src/train/tokenizer-setup.js";

const docs = [
  { name: "a.txt", text: "Fellow citizens, the state of the union is strong. ".repeat(1500) },
  { name: "b.txt", text: "Ünïcödé and <|endoftext|> written as text, 🙂 too." },
  { name: "c.txt", text: "" },
  { name: "d.txt", text: "The last one." },
];

/** The stream as the plain concatenation it must equal: each document's ids, then <|endoftext|>. */
function expectedIds(tok: ReturnType<typeof buildTokenizer>): number[] {
  const eot = endOfTextId(tok)!;
  tok.setEncodeSpecialTokens(true);
  const out = docs.flatMap((d) => [...tok.encodeIds(d.text, { addSpecialTokens: false }), eot]);
  tok.setEncodeSpecialTokens(false);
  return out;
}

test("encodeDocuments: 16-bit ids for a vocabulary that fits, the same ids as encoding each document, across the buffer's growth", () => {
  const tok = buildTokenizer("byte", () => []);
  const want = expectedIds(tok);
  assert.ok(want.length > 1 << 16, "the first document alone outgrows the initial buffer");
  const stream = encodeDocuments(tok, docs);
  assert.ok(stream.tokens instanceof Uint16Array);
  assert.equal(stream.tokens.buffer.byteLength, want.length * 2, "no doubling slack kept");
  assert.deepEqual([...stream.tokens], want);
  assert.equal(stream.bytes, docs.reduce((n, d) => n + Buffer.byteLength(d.text, "utf8"), 0));
});

test("saveTokenStream writes int32 whatever the width in memory, and loadTokenStream reads 16 bits back where every id fits", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-tokens-"));
  const tok = buildTokenizer("byte", () => []);
  const stream = encodeDocuments(tok, docs);
  saveTokenStream(dir, "train", stream);
  assert.equal(statSync(join(dir, "train.tokens")).size, stream.tokens.length * 4);
  const raw = readFileSync(join(dir, "train.tokens"));
  assert.deepEqual([...new Int32Array(raw.buffer, raw.byteOffset, stream.tokens.length)], [...stream.tokens]);
  const back = loadTokenStream(dir, "train")!;
  assert.ok(back.tokens instanceof Uint16Array);
  assert.deepEqual([...back.tokens], [...stream.tokens]);
  assert.equal(back.bytes, stream.bytes);
});

test("loadTokenStream keeps 32 bits when an id does not fit in 16", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-tokens-"));
  const ids = Int32Array.from([5, 70_000, 65_535, 0]);
  writeFileSync(join(dir, "v.tokens"), new Uint8Array(ids.buffer));
  writeFileSync(join(dir, "v.tokens.json"), JSON.stringify({ tokens: ids.length, bytes: 9 }));
  const back = loadTokenStream(dir, "v")!;
  assert.ok(back.tokens instanceof Int32Array);
  assert.deepEqual([...back.tokens], [...ids]);
  // And a stream held as Int32Array saves the same bytes.
  saveTokenStream(dir, "w", back);
  assert.deepEqual(readFileSync(join(dir, "w.tokens")), readFileSync(join(dir, "v.tokens")));
});

test("Tokenizer.clearCache: encoding after it gives the same ids", () => {
  const tok = buildTokenizer("bpe:300", () => docs.map((d) => d.text));
  const text = docs.map((d) => d.text).join("\n");
  const before = tok.encodeIds(text);
  tok.clearCache();
  assert.deepEqual(tok.encodeIds(text), before);
});
