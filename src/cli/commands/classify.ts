/**
 * `loom classify --run DIR [TEXT …] [--file PATH …] [--lines] [--json]`: the class of each text under a
 * fine-tuned classifier (a `loom bert finetune` run folder, or a transformers BERT classifier folder),
 * printed as `label<TAB>probability<TAB>text preview`, or as JSON lines with every class's probability.
 * Texts come from the arguments, the files (one text each), or else standard input (one text, or one
 * per line with --lines).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { loadClassifier } from "../../train/classification/classifier.js";
import { argmaxRows, predictProbabilities } from "../../train/classification/evaluate.js";
import { encodeClassificationInputs } from "../../train/classification/inputs.js";
import { chooseBackend } from "../backend-choice.js";
import { UsageError } from "../errors.js";
import { parsePositiveInt } from "../options.js";

/** Checks that `dir` is a classifier folder before anything is parsed, so a typo gets a plain message. */
function checkClassifierFolder(dir: string): void {
  const hint = "fine-tune one with `loom bert finetune --out DIR`, then give --run that folder";
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such run folder`, hint);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file; --run takes a run folder`, "the folder that holds config.json, model.safetensors and tokenizer.json");
  for (const file of ["config.json", "model.safetensors", "tokenizer.json"]) {
    if (!existsSync(join(dir, file))) throw new UsageError(`${dir} is not a classifier folder: ${file} is missing`, hint);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** One line of a text for the output: whitespace runs as one space, cut to `width` characters. */
export function preview(text: string, width = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > width ? flat.slice(0, width - 1) + "…" : flat;
}

interface ClassifyFlags {
  run: string;
  file?: string[];
  lines?: boolean;
  json?: boolean;
  batchSize: number;
  backend?: string;
}

export function registerClassifyCommand(program: Command): void {
  program
    .command("classify")
    .description("classify texts with a fine-tuned classifier (loom bert finetune's run folder)")
    .argument("[text...]", "texts to classify (default: --file, else standard input)")
    .requiredOption("--run <dir>", "the classifier's run folder (config.json, model.safetensors, tokenizer.json)")
    .option("-f, --file <path...>", "classify the contents of each file (one text per file)")
    .option("--lines", "standard input holds one text per line (default: all of it is one text)")
    .option("--json", 'print one JSON object per text: { "label", "probability", "probabilities" }')
    .option("--batch-size <n>", "texts per forward pass", parsePositiveInt, 32)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action(async (args: string[], flags: ClassifyFlags) => {
      if (args.length > 0 && flags.file !== undefined) throw new UsageError("classify: give texts or --file, not both");
      checkClassifierFolder(flags.run);
      chooseBackend(flags.backend);
      let texts: string[];
      if (args.length > 0) texts = args;
      else if (flags.file !== undefined) texts = flags.file.map((f) => readFileSync(f, "utf8"));
      else {
        const input = await readStdin();
        texts = flags.lines ? input.split(/\r?\n/).filter((l) => l.trim() !== "") : [input];
      }
      if (texts.length === 0) throw new UsageError("classify: no text to classify", "give texts as arguments, --file PATH, or text on standard input");
      const { model, labels, tokenizer, inputs } = loadClassifier(flags.run);
      const probabilities = predictProbabilities(model, encodeClassificationInputs(tokenizer, texts, inputs), flags.batchSize);
      const predicted = argmaxRows(probabilities);
      texts.forEach((text, i) => {
        const p = probabilities[i] as number[];
        const k = predicted[i] as number;
        const label = labels[k] as string;
        if (flags.json) {
          process.stdout.write(JSON.stringify({ label, probability: p[k], probabilities: Object.fromEntries(labels.map((l, j) => [l, p[j]])) }) + "\n");
        } else {
          process.stdout.write(`${label}\t${(p[k] as number).toFixed(4)}\t${preview(text)}\n`);
        }
      });
    });
}
