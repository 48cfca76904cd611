/** `loom generate`: sample text from a run folder's model, streamed to the terminal. */
import { type Command, InvalidArgumentError } from "commander";
import { MAX_BEAMS, streamText } from "../../generate/index.js";
import { chooseBackend } from "../backend-choice.js";
import { openRunFolder } from "../run-folder.js";
import { parseNonNegativeInt, parseNumber, parsePositiveInt } from "../options.js";

interface GenerateFlags {
  run: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  beams?: number;
  seed: number;
  stop?: string[];
  backend?: string;
}

/** --beams: a positive integer up to MAX_BEAMS (each beam is a batch row with its own cache). */
function parseBeams(value: string): number {
  const n = parsePositiveInt(value);
  if (n > MAX_BEAMS) throw new InvalidArgumentError(`at most ${MAX_BEAMS} beams, got ${n}.`);
  return n;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command("generate")
    .description("generate text with a trained model (streams to the terminal)")
    .requiredOption("--run <dir>", "run folder (model.safetensors, config.json, tokenizer.json)")
    .option("--prompt <text>", "text to continue (empty: start a new document)", "")
    .option("--max-tokens <n>", "tokens to generate at most", parsePositiveInt, 200)
    .option("--temperature <t>", "sampling temperature; 0 = greedy", parseNumber, 0.8)
    .option("--top-k <k>", "sample among the k most likely tokens", parseNonNegativeInt)
    .option("--top-p <p>", "nucleus sampling: smallest set with probability ≥ p", parseNumber)
    .option("--repetition-penalty <x>", "penalise tokens already in the context (> 1)", parseNumber)
    .option("--beams <n>", `beam search with n beams (deterministic; at most ${MAX_BEAMS})`, parseBeams)
    .option("--stop <text...>", "stop sequences")
    .option("--seed <n>", "random seed for sampling", parseNonNegativeInt, 0)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action(async (flags: GenerateFlags) => {
      chooseBackend(flags.backend);
      const { model, tokenizer } = openRunFolder(flags.run);
      process.stdout.write(flags.prompt);
      const stream = streamText(model, tokenizer, flags.prompt, {
        maxNewTokens: flags.maxTokens,
        temperature: flags.temperature,
        seed: flags.seed,
        ...(flags.topK !== undefined ? { topK: flags.topK } : {}),
        ...(flags.topP !== undefined ? { topP: flags.topP } : {}),
        ...(flags.repetitionPenalty !== undefined ? { repetitionPenalty: flags.repetitionPenalty } : {}),
        ...(flags.beams !== undefined ? { numBeams: flags.beams } : {}),
        ...(flags.stop ? { stopSequences: flags.stop } : {}),
      });
      for await (const piece of stream) process.stdout.write(piece);
      process.stdout.write("\n");
    });
}
