// The CLI behaviours of issue 16 on one small run: eval agrees with train's own validation figure and
// says how many tokens it scored; samples start with the data's own opening words; chat warns for a
// run that was not chat-trained and answers /help, /reset, /exit itself; bpe:N below its target says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openingPrompts } from "../../src/cli/commands/samples.js";
import { parseChatInput } from "../../src/cli/commands/chat.js";
import { buildTokenizer } from "../../src/train/tokenizer-setup.js";
import { encodeDocuments } from "../../src/train/dataset.js";
import { readChatDocuments } from "../../src/train/chat-data.js";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "loom-usability-"));
const data = join(dir, "poem.txt");
const lines = Array.from({ length: 400 }, (_, i) => `Weaver ${i % 13} threads the shuttle through warp number ${i % 7}.`);
writeFileSync(data, lines.join("\n") + "\n");
const out = join(dir, "run");
const small = ["--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4", "--eval-blocks", "12"];

function loom(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", main, ...args], { encoding: "utf8", ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("train → eval → chat on one run", () => {
  const trained = loom(["train", "--data", data, "--out", out, "--tokenizer", "bpe:400", "--steps", "8", "--samples", "1", "--max-tokens", "5", ...small]);
  assert.equal(trained.status, 0, trained.stderr + trained.stdout);
  // bpe:400 on this small text stops early, and says so.
  assert.match(trained.stdout, /tokenizer: note: asked for 400 tokens, got \d+/);
  // The sample's prompt is the opening of the validation text, not a fixed phrase.
  const sample = trained.stdout.split("--- sample 1 ---\n")[1] ?? "";
  assert.match(sample, /^Weaver \d+ threads the/);

  const state = JSON.parse(readFileSync(join(out, "checkpoint-8", "trainer_state.json"), "utf8")) as { validation: { loss: number } };
  const evaluated = loom(["eval", "--run", out, "--json"]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const r = JSON.parse(evaluated.stdout) as { loss: number; blocks: number; block_size: number; tokens_scored: number; tokens: number };
  assert.equal(r.blocks, 12);
  assert.equal(r.block_size, 16);
  assert.equal(r.tokens_scored, 12 * 16);
  assert.ok(r.tokens > r.tokens_scored);
  assert.ok(Math.abs(r.loss - state.validation.loss) < 1e-5, `eval ${r.loss} vs train ${state.validation.loss}`);
  const text = loom(["eval", "--run", out]);
  assert.match(text.stdout, new RegExp(`scored 192 of ${r.tokens} tokens \\(12 blocks of 16`));

  const chat = loom(["chat", "--run", out, "--max-tokens", "3"], "/help\n/reset\n/frobnicate\n/exit\n");
  assert.equal(chat.status, 0, chat.stderr);
  assert.match(chat.stderr, /warning: .* was not trained on chat transcripts/);
  assert.match(chat.stdout, /\/help +show this list/);
  assert.match(chat.stdout, /\(conversation reset\)/);
  assert.match(chat.stdout, /unknown command \/frobnicate/);
  assert.doesNotMatch(chat.stdout, /model> /, "no line was sent to the model");
});

test("parseChatInput: commands stay local, anything else is a message", () => {
  assert.deepEqual(parseChatInput("  /help "), { kind: "help" });
  assert.deepEqual(parseChatInput("/reset"), { kind: "reset" });
  assert.deepEqual(parseChatInput("/exit"), { kind: "exit" });
  assert.deepEqual(parseChatInput("/quit"), { kind: "exit" });
  assert.deepEqual(parseChatInput("/what now"), { kind: "unknown", command: "/what" });
  assert.deepEqual(parseChatInput("   "), { kind: "empty" });
  assert.deepEqual(parseChatInput("hello /help"), { kind: "message", text: "hello /help" });
});

test("openingPrompts: the first words of each document's first line, then of later lines", () => {
  const tok = buildTokenizer("byte", () => []);
  const docs = [
    { name: "a", text: "First document opens here\nand goes on" },
    { name: "b", text: "\n\nSecond one starts after blank lines" },
  ];
  const stream = encodeDocuments(tok, docs);
  assert.deepEqual(openingPrompts(tok, stream.tokens, 2), ["First document opens here", "Second one starts after"]);
  assert.deepEqual(openingPrompts(tok, stream.tokens, 3), ["First document opens here", "Second one starts after", "and goes on"]);
  // A chat transcript keeps its role marker with the words after it.
  const chatFile = join(dir, "chat.jsonl");
  const conversation = (q: string) => JSON.stringify({ messages: [{ role: "user", content: q }, { role: "assistant", content: "With a shuttle." }] });
  writeFileSync(chatFile, [conversation("how do looms work?"), conversation("and why?")].join("\n") + "\n");
  const chat = encodeDocuments(tok, readChatDocuments(chatFile));
  assert.deepEqual(openingPrompts(tok, chat.tokens, 1), ["<|user|>\nhow do looms work?"]);
});
