/**
 * `loom chat`: talk to a model trained on chat transcripts (`loom train --data conversations.jsonl`).
 * Each turn renders the conversation with the run's chat template (tokenizer_config.json, or loom's
 * default) and streams the assistant's reply until `<|endoftext|>` or the start of another turn.
 */
import { createInterface } from "node:readline";
import { join } from "node:path";
import type { Command } from "commander";
import { streamText } from "../../generate/index.js";
import { applyChatTemplate, loadChatTemplateBeside, type ChatMessage } from "../../tokenizers/chat-template.js";
import { loadLanguageModel, loadTokenizer } from "../../train/checkpoint.js";
import { encodeChat } from "../../train/chat-data.js";
import { chooseBackend } from "../backend-choice.js";
import { parseNonNegativeInt, parseNumber, parsePositiveInt } from "../options.js";

interface ChatFlags {
  run: string;
  system?: string;
  maxTokens: number;
  temperature: number;
  topK: number;
  seed: number;
  backend?: string;
}

export function registerChatCommand(program: Command): void {
  program
    .command("chat")
    .description("chat with a model trained with the chat template (type /reset to start over, /exit or Ctrl-D to quit)")
    .requiredOption("--run <dir>", "run folder of a chat-trained model")
    .option("--system <text>", "a system message that opens the conversation")
    .option("--max-tokens <n>", "longest reply in tokens", parsePositiveInt, 200)
    .option("--temperature <t>", "sampling temperature; 0 = greedy", parseNumber, 0.7)
    .option("--top-k <k>", "sample among the k most likely tokens", parseNonNegativeInt, 40)
    .option("--seed <n>", "random seed", parseNonNegativeInt, 0)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action(async (flags: ChatFlags) => {
      chooseBackend(flags.backend);
      const { model } = loadLanguageModel(flags.run);
      const tokenizer = loadTokenizer(flags.run);
      const template = loadChatTemplateBeside(join(flags.run, "tokenizer.json"));
      const start: ChatMessage[] = flags.system ? [{ role: "system", content: flags.system }] : [];
      let messages = [...start];
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: Boolean(process.stdin.isTTY) });
      rl.setPrompt("you> ");
      let turn = 0;
      try {
        rl.prompt();
        for await (const line of rl) {
          const text = line.trim();
          if (text === "/exit") break;
          if (text === "/reset") {
            messages = [...start];
          } else if (text !== "") {
            messages.push({ role: "user", content: text });
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
