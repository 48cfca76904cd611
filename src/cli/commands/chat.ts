/**
 * `loom chat`: talk to a model trained on chat transcripts (`loom train --data conversations.jsonl`).
 * Each turn renders the conversation with the run's chat template (tokenizer_config.json, or loom's
 * default) and streams the assistant's reply until `<|endoftext|>` or the start of another turn.
 * Lines starting with `/` are commands handled here (`/help`, `/reset`, `/exit`), never sent to the model.
 */
import { createInterface } from "node:readline";
import { join } from "node:path";
import type { Command } from "commander";
import { streamText } from "../../generate/index.js";
import { applyChatTemplate, loadChatTemplateBeside, type ChatMessage } from "../../tokenizers/chat-template.js";
import { encodeChat } from "../../train/chat-data.js";
import { chooseBackend } from "../backend-choice.js";
import { INTERRUPTED_EXIT_CODE } from "../errors.js";
import { parseNonNegativeInt, parseNumber, parsePositiveInt } from "../options.js";
import { openRunFolder } from "../run-folder.js";

interface ChatFlags {
  run: string;
  system?: string;
  maxTokens: number;
  temperature: number;
  topK: number;
  seed: number;
  backend?: string;
}

/** The commands a chat line may be instead of a message. */
export const CHAT_HELP = [
  "/help   show this list",
  "/reset  forget the conversation so far (the --system message stays)",
  "/exit   quit (also Ctrl-D)",
].join("\n");

/** What a typed line asks for: a chat command, a message for the model, or nothing (a blank line). */
export type ChatInput = { kind: "help" | "reset" | "exit" | "empty" } | { kind: "unknown"; command: string } | { kind: "message"; text: string };

/** Classifies one line typed at the `you>` prompt. */
export function parseChatInput(line: string): ChatInput {
  const text = line.trim();
  if (text === "") return { kind: "empty" };
  if (!text.startsWith("/")) return { kind: "message", text };
  const command = text.split(/\s+/)[0] as string;
  if (command === "/help" || command === "/?") return { kind: "help" };
  if (command === "/reset") return { kind: "reset" };
  if (command === "/exit" || command === "/quit") return { kind: "exit" };
  return { kind: "unknown", command };
}

export function registerChatCommand(program: Command): void {
  program
    .command("chat")
    .description("chat with a model trained with the chat template (/help lists the commands; /exit or Ctrl-D quits)")
    .requiredOption("--run <dir>", "run folder of a chat-trained model")
    .option("--system <text>", "a system message that opens the conversation")
    .option("--max-tokens <n>", "longest reply in tokens", parsePositiveInt, 200)
    .option("--temperature <t>", "sampling temperature; 0 = greedy", parseNumber, 0.7)
    .option("--top-k <k>", "sample among the k most likely tokens", parseNonNegativeInt, 40)
    .option("--seed <n>", "random seed", parseNonNegativeInt, 0)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action(async (flags: ChatFlags) => {
      chooseBackend(flags.backend);
      const { model, tokenizer } = openRunFolder(flags.run);
      const template = loadChatTemplateBeside(join(flags.run, "tokenizer.json"));
      if (template?.template === undefined) {
        console.error(
          `loom: warning: ${flags.run} was not trained on chat transcripts (no chat template in tokenizer_config.json); ` +
            "its replies continue the template text as plain text would. Train one with `loom train --data conversations.jsonl`.",
        );
      }
      const start: ChatMessage[] = flags.system ? [{ role: "system", content: flags.system }] : [];
      let messages = [...start];
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: Boolean(process.stdin.isTTY) });
      // Ctrl-C at the prompt: leave as a shell expects (readline would otherwise only pause).
      rl.on("SIGINT", () => {
        rl.close();
        process.stdout.write("\n");
        process.exitCode = INTERRUPTED_EXIT_CODE;
      });
      rl.setPrompt("you> ");
      let turn = 0;
      try {
        rl.prompt();
        for await (const line of rl) {
          const input = parseChatInput(line);
          if (input.kind === "exit") break;
          if (input.kind === "help") console.log(CHAT_HELP);
          else if (input.kind === "unknown") console.log(`unknown command ${input.command}; /help lists the commands`);
          else if (input.kind === "reset") {
            messages = [...start];
            console.log("(conversation reset)");
          } else if (input.kind === "message") {
            messages.push({ role: "user", content: input.text });
            const templateOptions = {
              addGenerationPrompt: true,
              ...(template?.template ? { chatTemplate: template.template } : {}),
              ...(template?.variables ? { variables: template.variables } : {}),
            };
            const prompt = applyChatTemplate(messages, templateOptions);
            // What the user typed is text: "<|assistant|>" in it is not the role token (encodeChat).
            const promptIds = encodeChat(tokenizer, messages, templateOptions);
            const promptTokenizer = {
              encodeIds: () => [...promptIds],
              decode: (ids: readonly number[], options?: { skipSpecialTokens?: boolean }) => tokenizer.decode(ids, options),
              tokenToId: (token: string) => tokenizer.tokenToId(token),
            };
            process.stdout.write("model> ");
            let reply = "";
            for await (const piece of streamText(model, promptTokenizer, prompt, {
              maxNewTokens: flags.maxTokens,
              temperature: flags.temperature,
              topK: flags.topK,
              seed: flags.seed + turn++,
              addSpecialTokens: false,
              stopSequences: ["<|user|>", "<|system|>", "<|assistant|>"],
            })) {
              reply += piece;
              process.stdout.write(piece);
            }
            process.stdout.write("\n");
            messages.push({ role: "assistant", content: reply.trim() });
          }
          rl.prompt();
        }
      } finally {
        rl.close();
      }
    });
}
