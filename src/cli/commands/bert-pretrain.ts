/**
 * `loom bert pretrain`: pretrain a BERT on text files (default: the bundled State of the Union
 * addresses) with masked-LM and next-sentence or sentence-order prediction, into a Hugging Face model
 * folder that the BERT heads load for fine-tuning.
 */
import { readdirSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import type { BertConfig } from "../../models/bert/config.js";
import { formatDuration } from "../../train/progress.js";
import { TrainingStopped, type TrainOptions } from "../../train/trainer.js";
import { describeEvaluation } from "../../train/objectives/pretrain-loop.js";
import { BERT_SIZES, PRETRAIN_OBJECTIVES, resolvePretrainSettings, type BertPretrainOverrides, type BertPretrainSettings, type PretrainObjective } from "../../train/objectives/pretrain-settings.js";
import { resumeBertPretraining, runBertPretraining, type PretrainOutcome } from "../../train/objectives/pretrain.js";
import { chooseBackend } from "../backend-choice.js";
import { parseDuration, parseNonNegativeInt, parseNumber, parsePositiveInt, parseProbability } from "../options.js";

interface PretrainFlags {
  data?: string;
  tokenizer?: string;
  vocabSize?: number;
  out?: string;
  resume?: boolean;
  overwrite?: boolean;
  seed?: number;
  objective?: string;
  masking?: string;
  wholeWord?: boolean;
  maxNgram?: number;
  mlmProbability?: number;
  maxPredictions?: number;
  maxSeqLength?: number;
  shortSeqProb?: number;
  size?: string;
  layers?: number;
  hidden?: number;
  heads?: number;
  intermediate?: number;
  dropout?: number;
  steps?: number;
  time?: number;
  batchSize?: number;
  lr?: number;
  minLr?: number;
  warmup?: number;
  weightDecay?: number;
  gradClip?: number;
  gradAccum?: number;
  evalInterval?: number;
  evalSequences?: number;
  checkpointInterval?: number;
  backend?: string;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function parseNonNegativeNumber(value: string): number {
  const n = parseNumber(value);
  if (n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  return n;
}

function parsePositiveNumber(value: string): number {
  const n = parseNumber(value);
  if (n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

function choice<T extends string>(values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!values.includes(value as T)) throw new InvalidArgumentError(`expected ${values.join(" | ")}, got "${value}"`);
    return value as T;
  };
}

/** The run in one line (the banner). */
function describeSettings(s: BertPretrainSettings): string {
  const t = s.train;
  const budget = [t.steps !== undefined ? `${t.steps} steps` : "", t.timeSeconds !== undefined ? formatDuration(t.timeSeconds) : ""].filter(Boolean).join(" or ");
  const masking = `${s.masking} masking${s.wholeWord ? " (whole words)" : ""}${s.maxNgram > 1 ? ` (n-grams ≤ ${s.maxNgram})` : ""}`;
  return `${s.objective}, ${masking}, size ${s.size}, sequences of ${s.maxSeqLength}, batch ${t.batchSize}, lr ${t.lr}, budget ${budget}`;
}

/** The flags as overrides of the defaults (only those given). */
function overridesOf(flags: PretrainFlags): BertPretrainOverrides {
  const model: Partial<BertConfig> = defined({
    num_hidden_layers: flags.layers,
    hidden_size: flags.hidden,
    num_attention_heads: flags.heads,
    intermediate_size: flags.intermediate,
    ...(flags.dropout !== undefined ? { hidden_dropout_prob: flags.dropout, attention_probs_dropout_prob: flags.dropout } : {}),
  });
  const train: Partial<TrainOptions> = defined({
    steps: flags.steps, timeSeconds: flags.time, batchSize: flags.batchSize, lr: flags.lr, minLr: flags.minLr, warmupSteps: flags.warmup,
    weightDecay: flags.weightDecay, gradClip: flags.gradClip, gradAccumulation: flags.gradAccum, evalInterval: flags.evalInterval,
    evalBlocks: flags.evalSequences, checkpointInterval: flags.checkpointInterval,
  });
  return {
    ...defined({
      data: flags.data, tokenizer: flags.tokenizer, vocabSize: flags.vocabSize, out: flags.out, seed: flags.seed,
      objective: flags.objective as PretrainObjective | undefined, masking: flags.masking as "hf" | "google" | undefined,
      wholeWord: flags.wholeWord, maxNgram: flags.maxNgram, mlmProbability: flags.mlmProbability, maxPredictions: flags.maxPredictions,
      maxSeqLength: flags.maxSeqLength, shortSeqProb: flags.shortSeqProb, size: flags.size,
    }),
    model,
    train,
  };
}

/** Adds `pretrain` to the `bert` command group. */
export function registerBertPretrainCommand(bert: Command): void {
  bert
    .command("pretrain")
    .description("pretrain a BERT (masked LM + next-sentence or sentence-order prediction) on text (default: the bundled State of the Union addresses)")
    .option("--data <path>", 'corpus: "sotu" (bundled) or a .txt file or folder of .txt files')
    .option("--tokenizer <path>", "a tokenizer.json with [PAD] and [MASK] (default: train BERT's WordPiece on the training split)")
    .option("--vocab-size <n>", "vocabulary of the trained WordPiece tokenizer (default 8192)", parsePositiveInt)
    .option("--out <dir>", "run folder (default runs/bert)")
    .option("--resume", "continue the run in --out from its last complete checkpoint (--steps/--time add to its budget)")
    .option("--overwrite", "replace the run already in --out (its files are removed once the new run is in place)")
    .option("--seed <n>", "random seed", parseNonNegativeInt)
    .option("--objective <name>", `${PRETRAIN_OBJECTIVES.join(" | ")} (default mlm+nsp)`, choice(PRETRAIN_OBJECTIVES))
    .option("--masking <style>", "hf (each token with p = 0.15) | google (exactly round(0.15·n) per sequence) (default hf)", choice(["hf", "google"] as const))
    .option("--whole-word", "mask a word's ## pieces with it")
    .option("--max-ngram <n>", "ALBERT's n-gram masking, n ≤ this with p(n) ∝ 1/n (--masking google; default 1: off)", parsePositiveInt)
    .option("--mlm-probability <p>", "fraction of tokens predicted (default 0.15)", parseProbability)
    .option("--max-predictions <n>", "google masking: most predictions per sequence (default 20)", parsePositiveInt)
    .option("--max-seq-length <n>", "tokens per sequence, [CLS]/[SEP] included (default 128)", parsePositiveInt)
    .option("--short-seq-prob <p>", "probability of a shorter sequence (default 0.1)", parseProbability)
    .option("--size <name>", `model size: ${Object.keys(BERT_SIZES).join(" | ")} (default tiny: 2 layers × 128)`, choice(Object.keys(BERT_SIZES)))
    .option("--layers <n>", "encoder layers (over --size)", parsePositiveInt)
    .option("--hidden <n>", "hidden size (over --size)", parsePositiveInt)
    .option("--heads <n>", "attention heads (over --size)", parsePositiveInt)
    .option("--intermediate <n>", "feed-forward size (over --size)", parsePositiveInt)
    .option("--dropout <p>", "hidden and attention dropout (default 0.1)", parseProbability)
    .option("--steps <n>", "optimiser steps (instead of --time); with --resume, steps to add", parsePositiveInt)
    .option("--time <duration>", "training-time budget, e.g. 5m (default); with --resume, time to add", parseDuration)
    .option("--batch-size <n>", "sequences per step (default 32)", parsePositiveInt)
    .option("--lr <x>", "peak learning rate (default 1e-3)", parsePositiveNumber)
    .option("--min-lr <x>", "learning rate at the end of the cosine decay (default 1e-4)", parseNonNegativeNumber)
    .option("--warmup <n>", "linear warmup steps (default 100)", parseNonNegativeInt)
    .option("--weight-decay <x>", "AdamW weight decay (default 0.01)", parseNonNegativeNumber)
    .option("--grad-clip <x>", "clip the global gradient norm (0: off; default 1)", parseNonNegativeNumber)
    .option("--grad-accum <n>", "micro-batches per optimiser step", parsePositiveInt)
    .option("--eval-interval <n>", "evaluate every n steps (0: at the end only)", parseNonNegativeInt)
    .option("--eval-sequences <n>", "validation sequences per evaluation (default 256)", parsePositiveInt)
    .option("--checkpoint-interval <n>", "save every n steps (default 200)", parseNonNegativeInt)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action(async (flags: PretrainFlags) => {
      const backend = chooseBackend(flags.backend);
      if (flags.resume && flags.overwrite) throw new InvalidArgumentError("--resume and --overwrite: give one (continue the run, or replace it)");
      let run: () => Promise<PretrainOutcome>;
      let out: string;
      if (flags.resume) {
        const fixed = Object.keys(defined({ ...flags, resume: undefined, out: undefined, steps: undefined, time: undefined, backend: undefined }));
        if (fixed.length > 0) {
          throw new InvalidArgumentError(`--resume continues the run with its own settings; only --steps, --time and --backend may be given (got --${fixed.map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join(", --")})`);
        }
        out = flags.out ?? resolvePretrainSettings().out;
        console.log(`loom bert pretrain: resuming ${out}, backend ${backend}`);
        const changes = defined({ steps: flags.steps, timeSeconds: flags.time });
        run = () => resumeBertPretraining(out, changes);
      } else {
        const settings = resolvePretrainSettings(overridesOf(flags));
        out = settings.out;
        console.log(`loom bert pretrain: ${describeSettings(settings)}, backend ${backend}, run folder ${out}`);
        run = () => runBertPretraining(settings, {}, { overwrite: flags.overwrite === true });
      }
      try {
        const { result: r } = await run();
        console.log(`done: ${r.steps} steps in ${r.elapsedSeconds.toFixed(0)}s, ${Math.round(r.tokensPerSecond)} tokens/s`);
        if (r.validation) console.log(`validation: ${describeEvaluation(r.validation)}`);
        const held = readdirSync(out, { withFileTypes: true }).filter((e) => !e.name.startsWith(".")).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
        console.log(`saved: ${out}/{${held.sort().join(", ")}}`);
      } catch (e) {
        if (e instanceof TrainingStopped) {
          console.error(e.message);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
    });
}
