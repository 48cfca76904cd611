/** `loom pronounce --run DIR word…`: the phonemes a grapheme-to-phoneme run folder predicts, by beam search. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Command } from "commander";
import { MAX_BEAMS } from "../../generate/options.js";
import { fromPretrained } from "../../models/pretrained.js";
import { predictTargets, taskModelKind, type TaskModel } from "../../train/seq2seq/models.js";
import { PairVocabulary } from "../../train/seq2seq/vocabulary.js";
import { pronounceText } from "../../train/seq2seq/text-to-text.js";
import { Tokenizer } from "../../tokenizers/tokenizer.js";
import { checkFiniteWeights } from "../../train/weights-check.js";
import { chooseBackend } from "../backend-choice.js";
import { UsageError } from "../errors.js";
import { parsePositiveInt } from "../options.js";

interface PronounceFlags {
  run: string;
  beams: number;
  backend?: string;
}

/**
 * Checks that `dir` is a g2p or text-to-text run folder before anything is parsed; returns which
 * (task.json's task; a folder without one is read as g2p).
 */
function checkSeq2SeqRunFolder(dir: string): "g2p" | "t2t" {
  const hint = "a grapheme-to-phoneme run folder is what `loom seq2seq train --task g2p|t2t --out DIR` writes";
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such run folder`, hint);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file; --run takes a run folder`, hint);
  let task: unknown = "g2p";
  const taskFile = join(dir, "task.json");
  if (existsSync(taskFile)) {
    try {
      task = (JSON.parse(readFileSync(taskFile, "utf8")) as { task?: unknown }).task ?? "g2p";
    } catch (e) {
      throw new UsageError(`${taskFile}: not valid JSON (${(e as Error).message})`, hint);
    }
  }
  if (task !== "g2p" && task !== "t2t") throw new UsageError(`${dir} holds a ${JSON.stringify(task)} model, not grapheme-to-phoneme`, hint);
  for (const file of ["config.json", "model.safetensors", task === "t2t" ? "tokenizer.json" : "vocab.json"]) {
    if (!existsSync(join(dir, file))) throw new UsageError(`${dir} is not a seq2seq run folder: ${file} is missing`, hint);
  }
  return task;
}

/** Registers `loom pronounce`. */
export function registerPronounceCommand(program: Command): void {
  program
    .command("pronounce")
    .description("print the phonemes (ARPAbet, no stress) a grapheme-to-phoneme run predicts for each word")
    .requiredOption("--run <dir>", "run folder of `loom seq2seq train --task g2p` (or t2t)")
    .option("--beams <n>", "beam search with n beams (1: greedy)", parsePositiveInt, 5)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .argument("<words...>", "words to pronounce (letters and apostrophes)")
    .action((words: string[], flags: PronounceFlags) => {
      if (flags.beams > MAX_BEAMS) throw new UsageError(`--beams: at most ${MAX_BEAMS}, got ${flags.beams}`);
      chooseBackend(flags.backend);
      const task = checkSeq2SeqRunFolder(flags.run);
      const { model } = fromPretrained(flags.run, { validate: checkFiniteWeights });
      if (taskModelKind(model) === null) throw new UsageError(`${join(flags.run, "config.json")}: model_type ${JSON.stringify(model.modelType)} is not a seq2seq task model (t5, transformer or loom-seq2seq)`);
      const letters = words.map((w) => [...w.toUpperCase()]);
      if (task === "t2t") {
        for (const [i, tokens] of letters.entries()) if (!/^[A-Z']+$/.test(tokens.join(""))) throw new UsageError(`"${words[i]}": words are letters and apostrophes`);
        const tokenizer = Tokenizer.fromFile(join(flags.run, "tokenizer.json"));
        pronounceText(model as TaskModel, tokenizer, letters, flags.beams).forEach((phonemes, i) => console.log(`${(letters[i] as string[]).join("")}  ${phonemes.join(" ")}`));
        return;
      }
      const vocab = PairVocabulary.load(flags.run);
      letters.forEach((tokens, i) => {
        const unknown = vocab.unknownSourceTokens(tokens);
        if (tokens.length === 0 || unknown.length > 0) {
          throw new UsageError(`"${words[i]}": ${tokens.length === 0 ? "empty" : `the model knows no ${[...new Set(unknown)].map((c) => JSON.stringify(c)).join(", ")}`}`, `words are spelled with the letters it was trained on: ${vocab.source.join(" ")}`);
        }
      });
      const predictions = predictTargets(model as TaskModel, letters.map((t) => vocab.encodeSource(t)), { numBeams: flags.beams });
      predictions.forEach((ids, i) => console.log(`${(letters[i] as string[]).join("")}  ${vocab.decodeTarget(ids).join(" ")}`));
    });
}
