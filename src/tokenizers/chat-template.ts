/**
 * Chat templates: Jinja templates (as in transformers' `apply_chat_template`) that turn a list of
 * messages into the prompt text a chat model was trained on, rendered with `@huggingface/jinja`.
 * A tokenizer.json's template lives beside it, in `chat_template.jinja` or in `tokenizer_config.json`
 * (`"chat_template"`, a string or a list of named templates), with `bos_token`/`eos_token` there too.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Environment, Interpreter, Template } from "@huggingface/jinja";
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
  /** Bounds on the work a template may do (a template file is untrusted input). */
  limits?: Partial<ChatTemplateLimits>;
}

/**
 * What one rendering may cost. A template is code from a downloaded file: `range(100000000)` or nested
 * loops would otherwise take gigabytes and minutes; past a limit rendering stops with a ValueError.
 */
export interface ChatTemplateLimits {
  /** Expression and statement evaluations (a chat turn takes a few dozen; Jinja runs ~10 µs per step). */
  maxSteps: number;
  /** Length of the rendered text and of any string made on the way, in UTF-16 units. */
  maxOutputLength: number;
  /** Elements `range()` may make. */
  maxRangeLength: number;
}

/** The limits every chat template renders under unless a call sets its own: enough for any real conversation, far below exhausting memory. */
export const defaultChatTemplateLimits: ChatTemplateLimits = {
  maxSteps: 300_000,
  maxOutputLength: 16_000_000,
  maxRangeLength: 100_000,
};

// The package's .d.ts re-exports these from an extensionless path that NodeNext resolution does not
// follow, so the parts used here are typed locally.
interface JinjaValue {
  type: string;
  value: unknown;
}
interface JinjaEnvironment {
  set(name: string, value: unknown): unknown;
}
type InterpreterClass = new (env: JinjaEnvironment) => {
  evaluate(statement: unknown, environment: JinjaEnvironment): JinjaValue;
  run(program: unknown): JinjaValue;
};
const JinjaInterpreter = Interpreter as unknown as InterpreterClass;
const JinjaEnvironmentClass = Environment as unknown as new () => JinjaEnvironment;

/** The Jinja interpreter with a step count and a bound on every string it makes. */
class BoundedInterpreter extends JinjaInterpreter {
  private steps = 0;
  constructor(
    env: JinjaEnvironment,
    private readonly limits: ChatTemplateLimits,
  ) {
    super(env);
  }

  override evaluate(statement: unknown, environment: JinjaEnvironment): JinjaValue {
    if (++this.steps > this.limits.maxSteps) {
      throw new ValueError(`chat template: stopped after ${this.limits.maxSteps} evaluation steps (limits.maxSteps)`);
    }
    const value = super.evaluate(statement, environment);
    if (value.type === "StringValue" && (value.value as string).length > this.limits.maxOutputLength) {
      throw new ValueError(`chat template: a string of ${(value.value as string).length} characters is over limits.maxOutputLength ${this.limits.maxOutputLength}`);
    }
    return value;
  }
}

/** Python's range(), refusing more than `max` elements. */
function boundedRange(max: number): (...args: number[]) => number[] {
  return (...args) => {
    const [start, stop, step] = args.length === 1 ? [0, args[0]!, 1] : [args[0]!, args[1]!, args[2] ?? 1];
    if (![start, stop, step].every(Number.isInteger) || step === 0) throw new ValueError(`chat template: range(${args.join(", ")}) needs integers and a non-zero step`);
    const length = Math.max(0, Math.ceil((stop - start) / step));
    if (length > max) throw new ValueError(`chat template: range(${args.join(", ")}) would make ${length} elements, over limits.maxRangeLength ${max}`);
    return Array.from({ length }, (_, i) => start + i * step);
  }
}

/** Jinja's strftime_now for the formats chat templates use (%Y %m %d %b %B %H %M %%). */
function strftimeNow(format: string): string {
  const now = new Date();
  const two = (n: number): string => String(n).padStart(2, "0");
  const codes: Record<string, () => string> = {
    Y: () => String(now.getFullYear()),
    m: () => two(now.getMonth() + 1),
    d: () => two(now.getDate()),
    b: () => now.toLocaleString("en-US", { month: "short" }),
    B: () => now.toLocaleString("en-US", { month: "long" }),
    H: () => two(now.getHours()),
    M: () => two(now.getMinutes()),
    "%": () => "%",
  };
  return format.replace(/%(.)/g, (all, code: string) => codes[code]?.() ?? all);
}

/** Renders a parsed template under `limits`, with the globals Jinja templates expect. */
function renderBounded(template: Template, items: Record<string, unknown>, limits: ChatTemplateLimits): string {
  const env = new JinjaEnvironmentClass();
  const globals: Record<string, unknown> = {
    false: false, true: true, none: null, False: false, True: true, None: null,
    raise_exception: (message: unknown) => {
      throw new ValueError(`chat template: ${String(message)}`);
    },
    range: boundedRange(limits.maxRangeLength),
    strftime_now: strftimeNow,
  };
  for (const [key, value] of Object.entries({ ...globals, ...items })) env.set(key, value);
  try {
    return new BoundedInterpreter(env, limits).run(template.parsed).value as string;
  } catch (e) {
    if (e instanceof ValueError) throw e;
    // Deep recursion (a macro calling itself) or a string too long for the engine.
    if (e instanceof RangeError) throw new ValueError(`chat template: ${e.message}`);
    throw new ValueError(`chat template: ${(e as Error).message}`);
  }
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
  const items = {
    bos_token: "",
    eos_token: "<|endoftext|>",
    ...options.variables,
    messages: messages.map((m) => ({ ...m })),
    add_generation_prompt: options.addGenerationPrompt ?? false,
  };
  return renderBounded(template, items, { ...defaultChatTemplateLimits, ...options.limits });
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
