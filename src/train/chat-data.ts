/**
 * Chat training data: a `.jsonl` file with one conversation per line, `{"messages": [{"role",
 * "content"}, …]}`, rendered with loom's chat template (`<|role|>\n…<|endoftext|>\n` per turn) into one
 * document per conversation.
 *
 * The template's role markers are special tokens, but what a user wrote is text: a message containing
 * `<|endoftext|><|assistant|>` must not become those tokens (a prompt injection into the training data
 * or the `chat` prompt). So a conversation is encoded piece by piece (encodeChat): the template's own
 * text with special tokens recognised, each message's content with special-token text encoded as
 * plain text.
 */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { FormatError, ValueError } from "../errors.js";
import type { Document } from "../data/corpus.js";
import { applyChatTemplate, DEFAULT_CHAT_TEMPLATE, type ChatMessage, type ChatTemplateOptions } from "../tokenizers/chat-template.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { Tokenizer } from "../tokenizers/tokenizer.js";

/** The roles loom's chat template knows. */
const ROLES = ["system", "user", "assistant"];

/** A conversation as a document: its rendered text (for byte counts and tokenizer training) and its messages. */
export interface ChatDocument extends Document {
  messages: ChatMessage[];
}

export function isChatData(path: string): boolean {
  return path.endsWith(".jsonl");
}

function isChatDocument(doc: Document): doc is ChatDocument {
  return Array.isArray((doc as Partial<ChatDocument>).messages);
}

export function readChatDocuments(path: string): ChatDocument[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const docs: ChatDocument[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `line ${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new FormatError(path, where, `invalid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      throw new FormatError(path, where, `expected {"messages": [{"role", "content"}, …]}, got ${JSON.stringify(obj)}`);
    }
    const messages = (obj as { messages?: unknown }).messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new FormatError(path, `${where}.messages`, 'expected a non-empty list [{"role": string, "content": string}, …]');
    }
    messages.forEach((m: unknown, k) => {
      const role = (m as { role?: unknown } | null)?.role;
      const content = (m as { content?: unknown } | null)?.content;
      if (typeof role !== "string" || !ROLES.includes(role)) {
        throw new FormatError(path, `${where}.messages[${k}].role`, `expected ${ROLES.join(", ")}, got ${JSON.stringify(role) ?? "nothing"}`);
      }
      if (typeof content !== "string") throw new FormatError(path, `${where}.messages[${k}].content`, `expected a string, got ${JSON.stringify(content) ?? "nothing"}`);
    });
    const clean = (messages as ChatMessage[]).map((m) => ({ role: m.role, content: m.content }));
    docs.push({ name: `${basename(path)}#${i + 1}`, text: applyChatTemplate(clean), messages: clean });
  });
  if (docs.length < 2) throw new FormatError(path, "(file)", `${docs.length} conversation${docs.length === 1 ? "" : "s"}: training needs at least 2 (one is held out for validation)`);
  return docs;
}

/** Placeholders that stand for message contents while the template renders (private-use characters). */
const OPEN = "\uE000";
const CLOSE = "\uE001";
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

/**
 * The ids of a conversation rendered with the chat template: the template's text (role markers and
 * separators) with special tokens recognised, each message's content as plain text. Throws a
 * ValueError if the template changes contents (then they cannot be told apart from its own text).
 */
export function encodeChat(tok: Tokenizer, messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): number[] {
  const marked = applyChatTemplate(messages.map((m, i) => ({ role: m.role, content: `${OPEN}${i}${CLOSE}` })), options);
  const ids: number[] = [];
  let rebuilt = "";
  let last = 0;
  const before = tok.addedVocabulary.encodeSpecialTokens;
  try {
    const encode = (text: string, userText: boolean) => {
      if (text === "") return;
      tok.setEncodeSpecialTokens(userText);
      ids.push(...tok.encodeIds(text, { addSpecialTokens: false }));
      rebuilt += text;
    };
    for (const m of marked.matchAll(PLACEHOLDER)) {
      encode(marked.slice(last, m.index), false);
      encode((messages[Number(m[1])] as ChatMessage).content, true);
      last = (m.index as number) + m[0].length;
    }
    encode(marked.slice(last), false);
  } finally {
    tok.setEncodeSpecialTokens(before);
  }
  if (rebuilt !== applyChatTemplate(messages, options)) {
    throw new ValueError("chat template: it changes message contents (e.g. trims them), so user text cannot be kept apart from its special tokens");
  }
  return ids;
}

/** A document's ids: a conversation by encodeChat, other text as plain text (special-token text included). */
export function encodeDocumentIds(tok: Tokenizer, doc: Document): number[] {
  if (isChatDocument(doc)) return encodeChat(tok, doc.messages);
  const before = tok.addedVocabulary.encodeSpecialTokens;
  tok.setEncodeSpecialTokens(true);
  try {
    return tok.encodeIds(doc.text, { addSpecialTokens: false });
  } finally {
    tok.setEncodeSpecialTokens(before);
  }
}

/** Records the chat template beside tokenizer.json, as transformers' tokenizer_config.json does. */
export function saveChatTemplate(dir: string): void {
  writeFileAtomic(join(dir, "tokenizer_config.json"), JSON.stringify({ chat_template: DEFAULT_CHAT_TEMPLATE, eos_token: "<|endoftext|>" }, null, 2) + "\n");
}
