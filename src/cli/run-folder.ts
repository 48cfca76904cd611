/** Opening a run folder for `loom generate`, `eval` and `chat`, with errors that say what to do. */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadLanguageModel, loadTokenizer, type LanguageModel } from "../train/checkpoint.js";
import type { Tokenizer } from "../tokenizers/tokenizer.js";
import { UsageError } from "./errors.js";

/** Checks that `dir` looks like a run folder before anything is parsed, so a typo gets a plain message. */
export function checkRunFolder(dir: string): void {
  if (!existsSync(dir)) {
    throw new UsageError(`${dir}: no such run folder`, `train one with \`loom train --out ${dir}\`, or give --run the folder of an existing run`);
  }
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file; --run takes a run folder`, "the folder that holds config.json, model.safetensors and tokenizer.json");
  for (const file of ["config.json", "model.safetensors", "tokenizer.json"]) {
    if (!existsSync(join(dir, file))) {
      throw new UsageError(`${dir} is not a loom run folder: ${file} is missing`, "a run folder is what `loom train --out DIR` writes (config.json, model.safetensors, tokenizer.json)");
    }
  }
}

/** The model and tokenizer of a run folder. */
export function openRunFolder(dir: string): { model: LanguageModel; tokenizer: Tokenizer } {
  checkRunFolder(dir);
  const { model } = loadLanguageModel(dir);
  return { model, tokenizer: loadTokenizer(dir) };
}
