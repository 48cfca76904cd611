/**
 * Chat templates: Jinja templates (as in transformers' `apply_chat_template`) that turn a list of
 * messages into the prompt text a chat model was trained on, rendered with `@huggingface/jinja`.
 * A tokenizer.json's template lives beside it, in `chat_template.jinja` or in `tokenizer_config.json`
 * (`"chat_template"`, a string or a list of named templates), with `bos_token`/`eos_token` there too.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Template } from "@huggingface/jinja";
import { FormatError, ValueError } from "../errors.js";

/** One message of a conversation: a role ("system", "user", "assistant") and its text. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** Options of `applyChatTemplate`: the Jinja template, whether to open the assistant's turn, extra variables. */
export interface ChatTemplateOptions {
  /** End with the opening of an assistant turn, so generation continues as the assistant. */
  addGenerationPrompt?: boolean;
  /** A Jinja template to use instead of the tokenizer's own (or the default). */
  chatTemplate?: string;
  /** Extra variables for the template (e.g. `bos_token`, `eos_token`, `tools`). */
  variables?: Record<string, unknown>;
}

/**
 * loom's own models: each turn is `<|role|>\n{content}<|endoftext|>\n`; the generation prompt is
 * `<|assistant|>\n`, and the model ends its answer with `<|endoftext|>`.
 */
export const DEFAULT_CHAT_TEMPLATE = [
  "{%- for message in messages -%}",
  "{%- if message.role not in ['system', 'user', 'assistant'] -%}",
  "{{ raise_exception('chat template: unknown role ' + message.role + ' (expected system, user or assistant)') }}",
  "{%- endif -%}",
  "{{ '<|' + message.role + '|>\\n' + message.content + '<|endoftext|>\\n' }}",
  "{%- endfor -%}",
  "{%- if add_generation_prompt -%}{{ '<|assistant|>\\n' }}{%- endif -%}",
].join("");

/** The special tokens the default template uses; a tokenizer for loom's chat models should add them. */
export const DEFAULT_CHAT_SPECIAL_TOKENS = ["<|system|>", "<|user|>", "<|assistant|>", "<|endoftext|>"] as const;

const compiled = new Map<string, Template>();

function compile(source: string): Template {
  let t = compiled.get(source);
  if (!t) {
    try {
      t = new Template(source);
    } catch (e) {
      throw new ValueError(`chat template: cannot parse: ${(e as Error).message}`);
    }
    compiled.set(source, t);
  }
  return t;
}

/** Renders `messages` with `options.chatTemplate` (default: loom's template). */
export function applyChatTemplate(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): string {
  messages.forEach((m, i) => {
    if (typeof m.role !== "string" || typeof m.content !== "string") {
      throw new ValueError(`applyChatTemplate: message ${i} needs string "role" and "content"`);
    }
  });
  const template = compile(options.chatTemplate ?? DEFAULT_CHAT_TEMPLATE);
  return template.render({
    bos_token: "",
    eos_token: "<|endoftext|>",
    ...options.variables,
    messages: messages.map((m) => ({ ...m })),
    add_generation_prompt: options.addGenerationPrompt ?? false,
  });
}

/** A chat template found beside a tokenizer.json, with the special-token variables of its config. */
export interface ChatTemplateConfig {
  template: string;
  variables: Record<string, string>;
}

function tokenText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") return (v as { content: string }).content;
  return undefined;
}

/**
 * Reads `chat_template.jinja` or `tokenizer_config.json` in the directory of `tokenizerPath`.
 * Returns undefined when there is neither; a malformed config fails with a FormatError.
 */
export function loadChatTemplateBeside(tokenizerPath: string): ChatTemplateConfig | undefined {
  const dir = dirname(tokenizerPath);
  const configPath = join(dir, "tokenizer_config.json");
  const jinjaPath = join(dir, "chat_template.jinja");
  const variables: Record<string, string> = {};
  let template: string | undefined;
  if (existsSync(configPath)) {
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new FormatError(configPath, "(root)", `not valid JSON (${(e as Error).message})`);
    }
    if (config === null || typeof config !== "object" || Array.isArray(config)) throw new FormatError(configPath, "(root)", "expected an object");
    for (const key of ["bos_token", "eos_token", "unk_token", "pad_token"]) {
      const t = tokenText(config[key]);
      if (t !== undefined) variables[key] = t;
    }
    const ct = config["chat_template"];
    if (typeof ct === "string") template = ct;
    else if (Array.isArray(ct)) {
      const named = ct as { name?: unknown; template?: unknown }[];
      const pick = named.find((x) => x && x.name === "default") ?? named[0];
      if (!pick || typeof pick.template !== "string") throw new FormatError(configPath, "chat_template", "expected a string or a list of {name, template}");
      template = pick.template;
    } else if (ct !== undefined && ct !== null) {
      throw new FormatError(configPath, "chat_template", "expected a string or a list of {name, template}");
    }
  }
  if (existsSync(jinjaPath)) template = readFileSync(jinjaPath, "utf8");
  return template === undefined ? undefined : { template, variables };
}
