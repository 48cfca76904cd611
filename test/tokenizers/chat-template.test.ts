import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyChatTemplate, loadChatTemplateBeside } from "../../src/tokenizers/chat-template.js";
import { Tokenizer } from "../../src/tokenizers/tokenizer.js";
import { WordLevel } from "../../src/tokenizers/models/wordlevel/model.js";
import { FormatError, ValueError } from "../../src/errors.js";

const messages = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Hi!" },
  { role: "assistant", content: "Hello." },
];

test("default template: <|role|> turns ended by <|endoftext|>, optional generation prompt", () => {
  const expected = messages.map((m) => `<|${m.role}|>\n${m.content}<|endoftext|>\n`).join("");
  assert.equal(applyChatTemplate(messages), expected);
  assert.equal(applyChatTemplate(messages, { addGenerationPrompt: true }), expected + "<|assistant|>\n");
  assert.throws(() => applyChatTemplate([{ role: "tool", content: "x" }]), /unknown role tool/);
});

test("a given Jinja template renders with messages, add_generation_prompt and config tokens", () => {
  // ChatML, as Qwen and others write it.
  const chatml =
    "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
  const out = applyChatTemplate(messages.slice(1, 2), { chatTemplate: chatml, addGenerationPrompt: true });
  assert.equal(out, "<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n");
  const withBos = applyChatTemplate(messages.slice(1, 2), { chatTemplate: "{{ bos_token }}{{ messages[0].content }}", variables: { bos_token: "<s>" } });
  assert.equal(withBos, "<s>Hi!");
});

test("templates beside a tokenizer.json: tokenizer_config.json (string or named list) and chat_template.jinja", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-chat-"));
  const tokPath = join(dir, "tokenizer.json");
  const tok = new Tokenizer(new WordLevel(new Map([["<unk>", 0]])));
  tok.save(tokPath);
  assert.equal(loadChatTemplateBeside(tokPath), undefined);
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify({
    bos_token: { content: "<s>" },
    eos_token: "</s>",
    chat_template: [{ name: "other", template: "x" }, { name: "default", template: "{{ bos_token }}{% for m in messages %}[{{ m.content }}]{% endfor %}{{ eos_token }}" }],
  }));
  const loaded = Tokenizer.fromFile(tokPath);
  assert.equal(loaded.applyChatTemplate(messages.slice(1)), "<s>[Hi!][Hello.]</s>");
  writeFileSync(join(dir, "chat_template.jinja"), "{% for m in messages %}{{ m.role }};{% endfor %}");
  assert.equal(Tokenizer.fromFile(tokPath).applyChatTemplate(messages), "system;user;assistant;");
  writeFileSync(join(dir, "tokenizer_config.json"), "{ not json");
  assert.throws(() => loadChatTemplateBeside(tokPath), (e: unknown) => e instanceof FormatError && /tokenizer_config\.json/.test(e.message));
});

test("hostile templates stop at the limits with a ValueError, quickly and without the memory they ask for", () => {
  const chat = [{ role: "user", content: "hi" }];
  const bombs: [string, RegExp][] = [
    ["{% for i in range(100000000) %}x{% endfor %}", /range\(100000000\) would make 100000000 elements, over limits.maxRangeLength/],
    ["{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}", /evaluation steps|maxOutputLength/],
    ["{% set s = 'abcdefgh' %}{% for i in range(30) %}{% set s = s ~ s %}{% endfor %}{{ s }}", /over limits.maxOutputLength/],
    ["{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", /chat template: /],
  ];
  for (const [template, message] of bombs) {
    assert.throws(() => applyChatTemplate(chat, { chatTemplate: template }), (e: unknown) => e instanceof ValueError && message.test(e.message), template);
  }
  // Limits can be set per call; ordinary templates are far below the defaults.
  assert.throws(() => applyChatTemplate(chat, { chatTemplate: "{% for i in range(50) %}x{% endfor %}", limits: { maxRangeLength: 10 } }), ValueError);
  assert.equal(applyChatTemplate(chat, { chatTemplate: "{% for i in range(3) %}{{ i }}{% endfor %}{{ strftime_now('%%') }}" }), "012%");
});
