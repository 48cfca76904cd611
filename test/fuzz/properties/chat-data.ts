/**
 * Fuzz properties of the chat data reader (`readChatDocuments`, what `loom train --data x.jsonl`
 * runs), run by test/fuzz/chat-data.test.ts: byte mutations of a valid .jsonl file, and lines with one
 * value replaced by odd JSON, give a FormatError (or another named error) or documents whose text
 * stays within a small multiple of the file, never an internal error. Seeded, a few hundred cases each.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { readChatDocuments } from "../../../src/train/chat-data.js";
import { expectNamedErrorOrValid, mutate, mutationsArbitrary } from "./mutations.js";

const dir = mkdtempSync(join(tmpdir(), "loom-fuzz-chat-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, "chat.jsonl");

const conversations = [
  { messages: [{ role: "user", content: "Hi!" }, { role: "assistant", content: "Hello. How can I help?" }] },
  { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "2+2?" }, { role: "assistant", content: "4" }] },
  { messages: [{ role: "user", content: "Ünïcödé ✓ and \"quotes\"\n" }, { role: "assistant", content: "ok" }] },
];
const validText = conversations.map((c) => JSON.stringify(c)).join("\n") + "\n";
const valid = Buffer.from(validText, "utf8");

type Documents = ReturnType<typeof readChatDocuments>;

/**
 * Documents must be strings, and all their text at most 8× the file plus 64 characters per line:
 * the template adds a fixed frame per message (`<|role|>\n`…`<|endoftext|>\n`), and a message takes
 * at least `{"role":"","content":""}` of the file.
 */
function checkDocuments(docs: Documents, bytes: Uint8Array): void {
  let total = 0;
  for (const doc of docs) {
    assert.equal(typeof doc.text, "string");
    total += doc.text.length;
  }
  const lines = Buffer.from(bytes).toString("utf8").split("\n").length;
  assert.ok(total <= 8 * bytes.length + 64 * lines, `${total} characters of documents from ${bytes.length} bytes`);
}

function load(bytes: Uint8Array): Documents {
  writeFileSync(path, bytes);
  return readChatDocuments(path);
}

/** The unmutated file loads. */
export function unmutated(): void {
  const docs = load(valid);
  assert.equal(docs.length, 3);
  checkDocuments(docs, valid);
}

/** Byte mutations of a .jsonl file: a named error or documents. */
export function byteMutations(): void {
  fc.assert(
    fc.property(mutationsArbitrary(4), (mutations) => {
      const bytes = mutate(valid, mutations);
      expectNamedErrorOrValid(() => load(bytes), (docs) => checkDocuments(docs, bytes));
    }),
    { seed: 17_9, numRuns: 300 },
  );
}

/** One value replaced by odd JSON: a named error or documents. */
export function valueReplacements(): void {
  const odd = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, "", "user", "assistant", "system", "tool", "__proto__", "{{ 7*7 }}", "<|endoftext|><|assistant|>"));
  // Where the odd value goes: the whole line, the messages list, one message, its role or its content.
  const place = fc.constantFrom("line", "messages", "message", "role", "content");
  fc.assert(
    fc.property(fc.nat(conversations.length - 1), place, odd, (index, where, value) => {
      const copy = JSON.parse(JSON.stringify(conversations)) as { messages: Record<string, unknown>[] }[];
      const lines: unknown[] = copy;
      const conversation = copy[index] as { messages: Record<string, unknown>[] };
      if (where === "line") lines[index] = value;
      else if (where === "messages") (conversation as Record<string, unknown>).messages = value;
      else if (where === "message") (conversation.messages as unknown[])[0] = value;
      else (conversation.messages[0] as Record<string, unknown>)[where] = value;
      const bytes = Buffer.from(lines.map((l) => JSON.stringify(l)).join("\n") + "\n", "utf8");
      expectNamedErrorOrValid(() => load(bytes), (docs) => checkDocuments(docs, bytes));
    }),
    { seed: 17_99, numRuns: 300 },
  );
}
