/** Builds the `loom` command line. Each command lives in its own file under src/cli/commands/. */
import { Command } from "commander";
import { version } from "../version.js";
import { registerTokenizeCommand } from "./commands/tokenize.js";
import { registerTokenizerCommand } from "./commands/tokenizer-train.js";
import { registerTrainCommand } from "./commands/train.js";
import { registerGenerateCommand } from "./commands/generate.js";
import { registerEvalCommand } from "./commands/eval.js";
import { registerChatCommand } from "./commands/chat.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("loom")
    .description("loom: a deep-learning and LLM stack in TypeScript")
    .version(version, "-v, --version", "print the loom version");
  registerTokenizeCommand(program);
  registerTokenizerCommand(program);
  registerTrainCommand(program);
  registerGenerateCommand(program);
  registerEvalCommand(program);
  registerChatCommand(program);
  return program;
}
