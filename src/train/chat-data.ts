/**
 * Chat training data: a `.jsonl` file with one conversation per line, `{"messages": [{"role",
 * "content"}, …]}`, rendered with loom's chat template (`<|role|>\n…<|endoftext|>\n` per turn) into one
 * document per conversation. The template's role markers are special tokens, so these documents are
 * encoded with special-token text recognised (unlike plain corpora).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { FormatError } from "../errors.js";
import type { Document } from "../data/corpus.js";
import { applyChatTemplate, DEFAULT_CHAT_TEMPLATE, type ChatMessage } from "../tokenizers/chat-template.js";
import { writeFileAtomic } from "../io/atomic.js";
import { join } from "node:path";

export function isChatData(path: string): boolean {
  return path.endsWith(".jsonl");
}

export function readChatDocuments(path: string): Document[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const docs: Document[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new FormatError(path, `line ${i + 1}`, `invalid JSON (${(e as Error).message})`);
    }
    const messages = (obj as { messages?: unknown } | null)?.messages;
    if (!Array.isArray(messages) || messages.some((m) => typeof m?.role !== "string" || typeof m?.content !== "string")) {
      throw new FormatError(path, `line ${i + 1}.messages`, 'expected [{"role": string, "content": string}, …]');
    }
    let text: string;
    try {
      text = applyChatTemplate(messages as ChatMessage[]);
    } catch (e) {
      // The template raises a plain Error for an unknown role.
      throw new FormatError(path, `line ${i + 1}.messages`, (e as Error).message);
    }
    docs.push({ name: `${basename(path)}#${i + 1}`, text });
  });
  if (docs.length === 0) throw new FormatError(path, "(file)", "no conversations");
  return docs;
}

/** Records the chat template beside tokenizer.json, as transformers' tokenizer_config.json does. */
export function saveChatTemplate(dir: string): void {
  writeFileAtomic(join(dir, "tokenizer_config.json"), JSON.stringify({ chat_template: DEFAULT_CHAT_TEMPLATE, eos_token: "<|endoftext|>" }, null, 2) + "\n");
}
