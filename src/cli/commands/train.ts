/** `loom train`: train a GPT on a corpus (the bundled State of the Union addresses by default). */
import { readdirSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { PRESETS } from "../../train/presets.js";
import { resolveSettings, resumeTraining, runTraining, type ModelKind, type RunOutcome, type RunSettings } from "../../train/run.js";
import { planResume } from "../../train/resume.js";
import { formatDuration } from "../../train/progress.js";
import { TrainingStopped } from "../../train/trainer.js";
import type { GPTConfig, GPTActivation, PositionEncoding } from "../../models/gpt/config.js";
import type { Precision, TrainOptions } from "../../train/trainer.js";
import { chooseBackend } from "../backend-choice.js";
import { collectBetweenSteps } from "../step-gc.js";
import { parseDuration, parseNonNegativeInt, parseNumber, parsePositiveInt, parseProbability } from "../options.js";

function parseNonNegativeNumber(value: string): number {
  const n = parseNumber(value);
  if (n < 0) throw new InvalidArgumentError(`expected a number ≥ 0 (0: off), got "${value}"`);
  return n;
}

function parsePositiveNumber(value: string): number {
  const n = parseNumber(value);
  if (n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

/** The settings a run trains with, in one line (the banner). */
function describeSettings(s: RunSettings): string {
  const t = s.train;
  const budget = [t.steps !== undefined ? `${t.steps} steps` : "", t.timeSeconds !== undefined ? formatDuration(t.timeSeconds) : ""].filter(Boolean).join(" or ");
  return `preset ${s.preset}, ${s.modelKind}, tokenizer ${s.tokenizer}, budget ${budget}, lr ${t.lr}, batch ${t.batchSize} × block ${t.blockSize}`;
}
import { printSamples } from "./samples.js";
import { startServer } from "./serve.js";

interface TrainFlags {
  preset: string;
  model: string;
  hiddenSize?: number;
  data?: string;
  tokenizer?: string;
  time?: number;
  steps?: number;
  out?: string;
  resume?: boolean;
  overwrite?: boolean;
  gcBetweenSteps?: boolean;
  seed?: number;
  nLayer?: number;
  nHead?: number;
  nEmbd?: number;
  blockSize?: number;
  batchSize?: number;
  lr?: number;
  minLr?: number;
  warmup?: number;
  weightDecay?: number;
  gradClip?: number;
  gradAccum?: number;
  dropout?: number;
  position?: PositionEncoding;
  activation?: GPTActivation;
  norm?: "layernorm" | "rmsnorm";
  normPlacement?: "pre" | "post";
  bias: boolean;
  evalInterval?: number;
  evalBlocks?: number;
  checkpointInterval?: number;
  precision?: Precision;
  saveDtype?: Precision;
  gradCheckpointing?: number | true;
  samples: number;
  maxTokens: number;
  backend?: string;
  serve?: number | true;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function registerTrainCommand(program: Command): void {
  program
    .command("train")
    .description("train a GPT on a text corpus (default: the bundled State of the Union addresses)")
    .option("--preset <name>", `settings to start from: ${Object.keys(PRESETS).join(", ")}`, "sotu")
    .option("--model <kind>", "gpt (default), or a recurrent language model: lstm | gru | rnn", "gpt")
    .option("--hidden-size <n>", "recurrent models: hidden size of each layer", parsePositiveInt)
    .option("--data <path>", 'corpus: "sotu" (bundled) or a .txt file or folder of .txt files')
    .option("--tokenizer <spec>", "gpt2 | cl100k_base | bpe:N | byte | path to tokenizer.json")
    .option("--time <duration>", "training-time budget, e.g. 5m, 90s; with --resume, time to add", parseDuration)
    .option("--steps <n>", "optimiser steps to run (instead of --time); with --resume, steps to add", parsePositiveInt)
    .option("--out <dir>", "run folder (default runs/<preset>)")
    .option("--resume", "continue the run in --out from its last complete checkpoint, with its own settings")
    .option("--overwrite", "replace the run already in --out (its files are removed)")
    .option("--seed <n>", "random seed", parseNonNegativeInt)
    .option("--n-layer <n>", "transformer blocks", parsePositiveInt)
    .option("--n-head <n>", "attention heads", parsePositiveInt)
    .option("--n-embd <n>", "model width", parsePositiveInt)
    .option("--block-size <n>", "context length in tokens", parsePositiveInt)
    .option("--batch-size <n>", "sequences per step", parsePositiveInt)
    .option("--lr <x>", "peak learning rate", parsePositiveNumber)
    .option("--min-lr <x>", "learning rate at the end of the cosine decay", parseNonNegativeNumber)
    .option("--warmup <n>", "linear warmup steps", parseNonNegativeInt)
    .option("--weight-decay <x>", "AdamW weight decay (matrices and embeddings only)", parseNonNegativeNumber)
    .option("--grad-clip <x>", "clip the global gradient norm (0: off)", parseNonNegativeNumber)
    .option("--grad-accum <n>", "micro-batches per optimiser step", parsePositiveInt)
    .option("--dropout <p>", "dropout on embeddings, attention and residuals", parseProbability)
    .option("--position <kind>", "position encoding: learned | sinusoidal | rope | alibi | none")
    .option("--activation <name>", "MLP activation: gelu_new | gelu | relu | swiglu")
    .option("--norm <kind>", "layernorm | rmsnorm")
    .option("--norm-placement <where>", "pre | post")
    .option("--no-bias", "no biases in linear layers and norms")
    .option("--eval-interval <n>", "evaluate every n steps (0: at the end only)", parseNonNegativeInt)
    .option("--eval-blocks <n>", "validation blocks per evaluation", parsePositiveInt)
    .option("--checkpoint-interval <n>", "save every n steps", parseNonNegativeInt)
    .option("--precision <p>", "fp32 (default) | bf16 | fp16: mixed precision with float32 master weights (fp16 scales the loss)")
    .option("--save-dtype <p>", "fp32 (default) | bf16 | fp16: dtype of the final top-level model.safetensors")
    .option("--gc-between-steps", "a full garbage collection after every step: frees the finished step's activations before the next forward (TINY's peak RSS ~180 MiB every time, against 185–218 without) at up to ~10% of the step time")
    .option("--grad-checkpointing [k]", "recompute GPT blocks in backward to save memory: every block, or every k-th", parseNonNegativeInt)
    .option("--samples <n>", "samples to print at the end", parseNonNegativeInt, 3)
    .option("--max-tokens <n>", "tokens per sample", parsePositiveInt, 100)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .option("--serve [port]", "show the run live in the web app (loom serve) while it trains; port default 5173", parseNonNegativeInt)
    .action(async (flags: TrainFlags, command: Command) => {
      const backend = chooseBackend(flags.backend);
      // Off by default: the collection is synchronous (~14 ms a step), which small models feel in their speed.
      const onStep = flags.gcBetweenSteps === true ? collectBetweenSteps : undefined;
      const explicit = (name: string) => command.getOptionValueSource(name) !== "default";
      const model: Partial<GPTConfig> = defined({
        n_layer: flags.nLayer,
        n_head: flags.nHead,
        n_embd: flags.nEmbd,
        position_encoding: flags.position,
        activation_function: flags.activation,
        norm_type: flags.norm,
        norm_placement: flags.normPlacement,
        ...(flags.bias === false ? { bias: false } : {}),
        ...(flags.dropout !== undefined ? { embd_pdrop: flags.dropout, attn_pdrop: flags.dropout, resid_pdrop: flags.dropout } : {}),
      });
      if (flags.blockSize !== undefined) model.n_positions = flags.blockSize;
      const train: Partial<TrainOptions> = defined({
        steps: flags.steps,
        timeSeconds: flags.time,
        blockSize: flags.blockSize,
        batchSize: flags.batchSize,
        lr: flags.lr,
        minLr: flags.minLr,
        warmupSteps: flags.warmup,
        weightDecay: flags.weightDecay,
        gradClip: flags.gradClip,
        gradAccumulation: flags.gradAccum,
        evalInterval: flags.evalInterval,
        evalBlocks: flags.evalBlocks,
        checkpointInterval: flags.checkpointInterval,
        precision: flags.precision,
        saveDtype: flags.saveDtype,
        gradCheckpointing: flags.gradCheckpointing === true ? 1 : flags.gradCheckpointing,
      });
      if (!["gpt", "lstm", "gru", "rnn"].includes(flags.model)) throw new InvalidArgumentError(`--model: expected gpt, lstm, gru or rnn, got "${flags.model}"`);
      const modelKind = flags.model as ModelKind;
      const recurrent = defined({ hidden_size: flags.hiddenSize });
      if (flags.resume && flags.overwrite) throw new InvalidArgumentError("--resume and --overwrite: give one (continue the run, or replace it)");
      let run: () => Promise<RunOutcome>;
      let settings: RunSettings;
      if (flags.resume) {
        const out = flags.out ?? resolveSettings(flags.preset, {}).out;
        const plan = planResume(out, defined({
          preset: explicit("preset") ? flags.preset : undefined,
          modelKind: explicit("model") ? modelKind : undefined,
          data: flags.data, tokenizer: flags.tokenizer, seed: flags.seed, model, recurrent, train,
        }));
        settings = plan.settings;
        console.log(`loom train: resuming ${settings.out} at step ${plan.step}: ${describeSettings(settings)}, backend ${backend}`);
        run = () => resumeTraining(plan, onStep ? { onStep } : {});
      } else {
        settings = resolveSettings(flags.preset, defined({ data: flags.data, tokenizer: flags.tokenizer, out: flags.out, seed: flags.seed, modelKind, model, recurrent, train }));
        console.log(`loom train: ${describeSettings(settings)}, backend ${backend}, run folder ${settings.out}`);
        const s = settings;
        run = () => runTraining(s, onStep ? { onStep } : {}, { overwrite: flags.overwrite === true });
      }
      const server = flags.serve === undefined ? null : await startServer({ runs: [settings.out] }, flags.serve === true ? 5173 : flags.serve, "127.0.0.1", console.log);
      try {
        const outcome = await run();
        const r = outcome.result;
        console.log(
          `done: ${r.steps} steps in ${r.elapsedSeconds.toFixed(0)}s, ${Math.round(r.tokensPerSecond)} tokens/s` +
            (r.validation
              ? ` | validation loss ${r.validation.loss.toFixed(4)}, perplexity ${r.validation.perplexity.toFixed(2)}, ${r.validation.bitsPerByte.toFixed(3)} bits/byte`
              : ""),
        );
        // What the folder holds, read back (a checkpoint folder ends in "/").
        const held = readdirSync(settings.out, { withFileTypes: true }).filter((e) => !e.name.startsWith(".")).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
        console.log(`saved: ${settings.out}/{${held.sort().join(", ")}}`);
        if (flags.samples > 0 && !r.interrupted) printSamples(outcome.model, outcome.tokenizer, flags.samples, flags.maxTokens, settings.seed, settings.out);
      } catch (e) {
        if (e instanceof TrainingStopped) {
          console.error(e.message);
          process.exitCode = 1;
          return;
        }
        throw e;
      } finally {
        if (server) {
          server.closeAllConnections();
          server.close();
        }
      }
    });
}
