/**
 * The token streams of a run: each split's documents encoded once and joined, each document followed
 * by `<|endoftext|>` (as GPT-2's training data), then cached in the run folder as raw int32 files so a
 * resumed run or `loom eval` reads them back instead of encoding again. The UTF-8 byte count of each
 * split is kept for bits per byte.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import type { Document } from "../data/corpus.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { Tokenizer } from "../tokenizers/tokenizer.js";
import { endOfTextId } from "./tokenizer-setup.js";
import { encodeDocumentIds } from "./chat-data.js";

/** A split's tokens, documents joined with `<|endoftext|>`, and the UTF-8 bytes they encode (for bits per byte). */
export interface TokenStream {
  tokens: Int32Array;
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
  const parts: number[][] = [];
  let total = 0;
  let bytes = 0;
  const totalChars = docs.reduce((n, d) => n + d.text.length, 0);
  let doneChars = 0;
  for (const doc of docs) {
    // Documents are data: "<|endoftext|>" written in one is text, not a separator.
    const ids = encodeDocumentIds(tok, doc);
    if (eot !== undefined) ids.push(eot);
    parts.push(ids);
    total += ids.length;
    bytes += Buffer.byteLength(doc.text, "utf8");
    doneChars += doc.text.length;
    onProgress?.(doneChars, totalChars);
  }
  const tokens = new Int32Array(total);
  let o = 0;
  for (const p of parts) {
    tokens.set(p, o);
    o += p.length;
  }
  return { tokens, bytes };
}

/** Writes `<name>.tokens` (int32 little-endian) and records the byte count in `<name>.tokens.json`. */
export function saveTokenStream(dir: string, name: string, stream: TokenStream): void {
  writeFileAtomic(join(dir, `${name}.tokens`), new Uint8Array(stream.tokens.buffer, stream.tokens.byteOffset, stream.tokens.byteLength));
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
  const tokens = new Int32Array(info.tokens);
  new Uint8Array(tokens.buffer).set(raw);
  return { tokens, bytes: info.bytes };
}
