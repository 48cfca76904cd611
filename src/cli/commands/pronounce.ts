/** `loom pronounce --run DIR word…`: the phonemes a grapheme-to-phoneme run folder predicts, by beam search. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Command } from "commander";
import { MAX_BEAMS } from "../../generate/options.js";
import { fromPretrained } from "../../models/pretrained.js";
import { predictTargets, taskModelKind, type TaskModel } from "../../train/seq2seq/models.js";
import { PairVocabulary } from "../../train/seq2seq/vocabulary.js";
import { checkFiniteWeights } from "../../train/weights-check.js";
import { chooseBackend } from "../backend-choice.js";
import { UsageError } from "../errors.js";
import { parsePositiveInt } from "../options.js";

interface PronounceFlags {
  run: string;
  beams: number;
  backend?: string;
}

/** Checks that `dir` is a seq2seq run folder before anything is parsed. */
function checkSeq2SeqRunFolder(dir: string): void {
  const hint = "a grapheme-to-phoneme run folder is what `loom seq2seq train --task g2p --out DIR` writes";
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such run folder`, hint);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file; --run takes a run folder`, hint);
  for (const file of ["config.json", "model.safetensors", "vocab.json"]) {
    if (!existsSync(join(dir, file))) throw new UsageError(`${dir} is not a seq2seq run folder: ${file} is missing`, hint);
  }
  const taskFile = join(dir, "task.json");
  if (existsSync(taskFile)) {
    let task: unknown;
    try {
      task = (JSON.parse(readFileSync(taskFile, "utf8")) as { task?: unknown }).task;
    } catch {
      task = undefined;
    }
    if (task !== undefined && task !== "g2p") throw new UsageError(`${dir} holds a ${JSON.stringify(task)} model, not grapheme-to-phoneme`, hint);
  }
}

/** Registers `loom pronounce`. */
export function registerPronounceCommand(program: Command): void {
  program
    .command("pronounce")
    .description("print the phonemes (ARPAbet, no stress) a grapheme-to-phoneme run predicts for each word")
    .requiredOption("--run <dir>", "run folder of `loom seq2seq train --task g2p`")
    .option("--beams <n>", "beam search with n beams (1: greedy)", parsePositiveInt, 5)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .argument("<words...>", "words to pronounce (letters and apostrophes)")
    .action((words: string[], flags: PronounceFlags) => {
      if (flags.beams > MAX_BEAMS) throw new UsageError(`--beams: at most ${MAX_BEAMS}, got ${flags.beams}`);
      chooseBackend(flags.backend);
      checkSeq2SeqRunFolder(flags.run);
      const vocab = PairVocabulary.load(flags.run);
      const { model } = fromPretrained(flags.run, { validate: checkFiniteWeights });
      if (taskModelKind(model) === null) throw new UsageError(`${join(flags.run, "config.json")}: model_type ${JSON.stringify(model.modelType)} is not a seq2seq task model (t5, transformer or loom-seq2seq)`);
      const letters = words.map((w) => [...w.toUpperCase()]);
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
