/** Builds the `loom` command line. Each command lives in its own file under src/cli/commands/. */
import { Command, CommanderError } from "commander";
import { version } from "../version.js";
import { registerTokenizeCommand } from "./commands/tokenize.js";
import { registerTokenizerCommand } from "./commands/tokenizer-train.js";
import { registerTrainCommand } from "./commands/train.js";
import { registerGenerateCommand } from "./commands/generate.js";
import { registerEvalCommand } from "./commands/eval.js";
import { registerChatCommand } from "./commands/chat.js";
import { registerBertCommands } from "./commands/bert.js";
import { registerClassifyCommand } from "./commands/classify.js";
import { registerSeq2SeqCommand } from "./commands/seq2seq-train.js";
import { registerPronounceCommand } from "./commands/pronounce.js";
import { registerAttentionCommand } from "./commands/attention.js";
import { registerAnalyzeCommand } from "./commands/analyze.js";
import { registerServeCommand } from "./commands/serve.js";
import { INTERRUPTED_EXIT_CODE, printError } from "./errors.js";

/** The `loom` program. Commander's own messages (unknown option, missing argument) print as `loom: …`. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name("loom")
    .description("loom: a deep-learning and LLM stack in TypeScript")
    .version(version, "-v, --version", "print the loom version")
    .option("--debug", "print the stack trace of an error")
    .showSuggestionAfterError(true)
    // Set before the commands are added so that every command inherits them.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "loom: ")) });
  registerTokenizeCommand(program);
  registerTokenizerCommand(program);
  registerTrainCommand(program);
  registerGenerateCommand(program);
  registerEvalCommand(program);
  registerChatCommand(program);
  registerBertCommands(program);
  registerClassifyCommand(program);
  registerSeq2SeqCommand(program);
  registerPronounceCommand(program);
  registerAttentionCommand(program);
  registerAnalyzeCommand(program);
  registerServeCommand(program);
  return program;
}

/**
 * Runs the command line and returns the exit code: 0, 1 for any error (printed as one `loom: …`
 * line, the stack only with `--debug` or LOOM_DEBUG=1), 130 after Ctrl-C. A command that handles
 * Ctrl-C itself (training saves a checkpoint first) finishes its work; any other stops at once.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug") || process.env.LOOM_DEBUG === "1";
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    // Only this listener: nothing else will save or stop, so leave now (after ending the ^C line).
    if (process.listenerCount("SIGINT") === 1) {
      process.stderr.write("\n");
      process.exit(INTERRUPTED_EXIT_CODE);
    }
  };
  process.on("SIGINT", onSigint);
  try {
    await buildProgram().parseAsync(argv);
    return interrupted ? INTERRUPTED_EXIT_CODE : Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0. Commander has already printed parse errors;
      // an InvalidArgumentError thrown from an action has not (its code says which).
      if (error.code === "commander.invalidArgument" && !error.message.startsWith("error: ")) printError(error, debug);
      return error.exitCode;
    }
    printError(error, debug);
    return interrupted ? INTERRUPTED_EXIT_CODE : 1;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}
