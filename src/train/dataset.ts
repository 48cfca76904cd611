/**
 * The token streams of a run: each split's documents encoded once and joined, each document followed
 * by `<|endoftext|>` (as GPT-2's training data), then cached in the run folder as raw int32 files so a
 * resumed run or `loom eval` reads them back instead of encoding again. The UTF-8 byte count of each
 * split is kept for bits per byte.
 *
 * In memory the ids of a vocabulary of at most 65,536 tokens are a Uint16Array: the bundled corpus is
 * ~10M byte-level tokens, 20 MB so instead of 40 MB held for the whole run (the on-disk cache stays
 * int32, so run folders read the same either way).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import type { Document } from "../data/corpus.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { Tokenizer } from "../tokenizers/tokenizer.js";
import { endOfTextId } from "./tokenizer-setup.js";
import { encodeDocumentIds } from "./chat-data.js";

/** Token ids in memory: 16 bits each where every id fits, else 32. */
export type TokenIds = Uint16Array | Int32Array;

/** A split's tokens, documents joined with `<|endoftext|>`, and the UTF-8 bytes they encode (for bits per byte). */
export interface TokenStream {
  tokens: TokenIds;
  /** UTF-8 bytes of the text these tokens encode. */
  bytes: number;
}

/** Called while documents are encoded with the characters done and the total. */
export interface EncodeProgress {
  (done: number, total: number): void;
}

/**
 * Encodes documents into one stream. Special-token text written in a document is plain text; a chat
 * conversation (readChatDocuments) gets its template's role markers as special tokens, its contents
 * as text (encodeChat).
 */
export function encodeDocuments(tok: Tokenizer, docs: readonly Document[], onProgress?: EncodeProgress): TokenStream {
  const eot = endOfTextId(tok);
  // Ids go straight into a typed array that doubles as it fills: a list of every document's number[]
  // held to the end would cost ~8 bytes a token (80 MB for the bundled corpus byte by byte) at once.
  const wide = tok.getVocabSize() > 0x10000;
  let tokens: TokenIds = wide ? new Int32Array(1 << 16) : new Uint16Array(1 << 16);
  let total = 0;
  let bytes = 0;
  const totalChars = docs.reduce((n, d) => n + d.text.length, 0);
  let doneChars = 0;
  for (const doc of docs) {
    // Documents are data: "<|endoftext|>" written in one is text, not a separator.
    const ids = encodeDocumentIds(tok, doc);
    if (eot !== undefined) ids.push(eot);
    if (tokens instanceof Uint16Array && ids.some((id) => id > 0xffff)) tokens = Int32Array.from(tokens.subarray(0, total)); // an id past the vocabulary's size
    if (total + ids.length > tokens.length) {
      const grown: TokenIds = tokens instanceof Int32Array ? new Int32Array(Math.max(2 * tokens.length, total + ids.length)) : new Uint16Array(Math.max(2 * tokens.length, total + ids.length));
      grown.set(tokens.subarray(0, total));
      tokens = grown;
    }
    tokens.set(ids, total);
    total += ids.length;
    bytes += Buffer.byteLength(doc.text, "utf8");
    doneChars += doc.text.length;
    onProgress?.(doneChars, totalChars);
  }
  // A copy of the exact length, so the doubling's slack is not kept for the whole run.
  return { tokens: tokens.slice(0, total), bytes };
}

/** Writes `<name>.tokens` (int32 little-endian) and records the byte count in `<name>.tokens.json`. */
export function saveTokenStream(dir: string, name: string, stream: TokenStream): void {
  const ids = stream.tokens instanceof Int32Array ? stream.tokens : Int32Array.from(stream.tokens);
  writeFileAtomic(join(dir, `${name}.tokens`), new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength));
  writeFileAtomic(join(dir, `${name}.tokens.json`), JSON.stringify({ tokens: stream.tokens.length, bytes: stream.bytes }) + "\n");
}

/** Reads a cached stream, or returns null when absent. */
export function loadTokenStream(dir: string, name: string): TokenStream | null {
  const bin = join(dir, `${name}.tokens`);
  const meta = join(dir, `${name}.tokens.json`);
  if (!existsSync(bin) || !existsSync(meta)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(meta, "utf8"));
  } catch (e) {
    throw new FormatError(meta, "(root)", `not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null) throw new FormatError(meta, "(root)", `expected {"tokens", "bytes"}, got ${JSON.stringify(parsed)}`);
  const info = parsed as { tokens?: unknown; bytes?: unknown };
  const raw = readFileSync(bin);
  if (typeof info.tokens !== "number" || raw.length !== info.tokens * 4) {
    throw new FormatError(bin, "tokens", `expected ${String(info.tokens)} int32 tokens, file has ${raw.length} bytes`);
  }
  if (typeof info.bytes !== "number") throw new FormatError(meta, "bytes", "expected a number");
  // A view on the bytes read where they sit 4-aligned (as a file's own buffer does), else a copy.
  const ids = raw.byteOffset % 4 === 0 ? new Int32Array(raw.buffer, raw.byteOffset, info.tokens) : new Int32Array(info.tokens);
  if (ids.buffer !== raw.buffer) new Uint8Array(ids.buffer).set(raw);
  let narrow = true;
  for (let i = 0; i < ids.length && narrow; i++) narrow = ids[i]! >= 0 && ids[i]! <= 0xffff;
  return { tokens: narrow ? Uint16Array.from(ids) : ids, bytes: info.bytes };
}
