/** `loom bert finetune`: fine-tune a BERT sequence classifier (the SpamAssassin task, or your labelled data). */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import type { BertConfig, ClassifierPooling } from "../../models/bert/config.js";
import type { FineTuneOptions } from "../../train/classification/finetune.js";
import { defaultFineTuneSettings, resumeFineTuneRun, startFineTuneRun, type FineTuneOutcome, type FineTuneSettings } from "../../train/classification/run.js";
import { formatDuration } from "../../train/progress.js";
import { chooseBackend } from "../backend-choice.js";
import { UsageError } from "../errors.js";
import { parseNonNegativeInt, parseNumber, parsePositiveInt, parseProbability } from "../options.js";

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

function parsePooling(value: string): ClassifierPooling {
  if (value !== "cls" && value !== "mean") throw new InvalidArgumentError(`expected cls or mean, got "${value}"`);
  return value;
}

function parseFraction(value: string): number {
  const n = parseNumber(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number in (0, 1), got "${value}"`);
  return n;
}

interface FinetuneFlags {
  task?: string;
  data?: string;
  test?: string;
  init?: string;
  distilbert?: boolean;
  tokenizer?: string;
  cased?: boolean;
  layers?: number;
  hiddenSize?: number;
  heads?: number;
  intermediateSize?: number;
  dropout?: number;
  pooling?: ClassifierPooling;
  maxLength?: number;
  headTokens?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  warmup?: number;
  weightDecay?: number;
  gradClip?: number;
  evalInterval?: number;
  checkpointInterval?: number;
  validationFraction?: number;
  out?: string;
  resume?: boolean;
  overwrite?: boolean;
  seed?: number;
  backend?: string;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The run's settings from the defaults and the flags given. */
function settingsFromFlags(flags: FinetuneFlags): FineTuneSettings {
  if (flags.task !== undefined && flags.task !== "spam") throw new UsageError(`--task: unknown task "${flags.task}" (available: spam)`, "or give your own labelled data with --data FILE (.jsonl or .csv)");
  if (flags.task !== undefined && flags.data !== undefined) throw new UsageError("--task and --data: give one (a built-in task, or your own labelled data)");
  if (flags.test !== undefined && flags.data === undefined) throw new UsageError("--test needs --data (the spam task has its own test split)");
  if (flags.distilbert && flags.init === undefined) throw new UsageError("--distilbert needs --init DIR: the BERT teacher the student is initialised from");
  if (flags.init !== undefined && flags.tokenizer !== undefined) throw new UsageError("--init and --tokenizer: give one (a pretrained folder brings its tokenizer)");
  const byInit = ["layers", "hiddenSize", "heads", "intermediateSize"] as const;
  const sized = byInit.filter((k) => flags[k] !== undefined);
  if (flags.init !== undefined && sized.length > 0) throw new UsageError(`--init and --${sized[0]!.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}: the pretrained folder fixes the model's size`);
  const task = flags.data !== undefined ? null : "spam";
  const model: Partial<BertConfig> = {
    ...defaultFineTuneSettings.model,
    ...defined({ num_hidden_layers: flags.layers, hidden_size: flags.hiddenSize, num_attention_heads: flags.heads, intermediate_size: flags.intermediateSize }),
    ...(flags.dropout !== undefined ? { hidden_dropout_prob: flags.dropout, attention_probs_dropout_prob: flags.dropout } : {}),
  };
  if (flags.hiddenSize !== undefined && flags.intermediateSize === undefined) model.intermediate_size = 4 * flags.hiddenSize;
  const train: FineTuneOptions = {
    ...defaultFineTuneSettings.train,
    ...defined({
      epochs: flags.epochs, batchSize: flags.batchSize, lr: flags.lr, warmupFraction: flags.warmup, weightDecay: flags.weightDecay, gradClip: flags.gradClip,
      evalInterval: flags.evalInterval, checkpointInterval: flags.checkpointInterval, seed: flags.seed,
    }),
  };
  return {
    ...defaultFineTuneSettings,
    task,
    data: flags.data ?? null,
    test: flags.test ?? null,
    init: flags.init ?? null,
    distilbert: flags.distilbert === true,
    tokenizer: flags.tokenizer ?? defaultFineTuneSettings.tokenizer,
    lowercase: flags.cased !== true,
    model,
    pooling: flags.pooling ?? defaultFineTuneSettings.pooling,
    maxLength: flags.maxLength ?? defaultFineTuneSettings.maxLength,
    headTokens: flags.headTokens ?? null,
    validationFraction: flags.validationFraction ?? defaultFineTuneSettings.validationFraction,
    out: flags.out ?? join("runs", task === "spam" ? "spam" : "classifier"),
    seed: flags.seed ?? defaultFineTuneSettings.seed,
    train,
  };
}

/** The flags --resume refuses (the run keeps its own settings; only --epochs may extend it). */
const RESUME_FIXED = ["task", "data", "test", "init", "distilbert", "tokenizer", "cased", "layers", "hiddenSize", "heads", "intermediateSize", "dropout", "pooling", "maxLength", "headTokens", "batchSize", "lr", "warmup", "weightDecay", "gradClip", "validationFraction", "seed", "overwrite"] as const;

function printOutcome(outcome: FineTuneOutcome, started: number): void {
  const r = outcome.result;
  const s = outcome.seconds;
  console.log(
    `done: ${r.steps}/${r.totalSteps} steps, ${Math.round(r.tokensPerSecond)} tokens/s | data ${s.data.toFixed(1)}s, tokenizer ${s.tokenizer.toFixed(1)}s, ` +
      `encoding ${s.encoding.toFixed(1)}s, fine-tuning ${formatDuration(s.fineTuning)}, test ${s.test.toFixed(1)}s, total ${formatDuration((performance.now() - started) / 1000)}`,
  );
  const out = outcome.settings.out;
  const held = readdirSync(out, { withFileTypes: true }).filter((e) => !e.name.startsWith(".")).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
  console.log(`saved: ${out}/{${held.sort().join(", ")}}`);
  if (!r.interrupted) console.log(`classify with: loom classify --run ${out} "some text"`);
}

/** Adds `finetune` to the `bert` command group. */
export function registerBertFinetuneCommand(bert: Command): void {
  bert
    .command("finetune")
    .description("fine-tune a BERT classifier: the SpamAssassin spam task (default) or your labelled .jsonl/.csv data")
    .option("--task <name>", "built-in task: spam (SpamAssassin bodies, fixed test split)")
    .option("--data <file>", "labelled data: .jsonl ({\"text\", \"label\"} per line) or .csv (text and label columns)")
    .option("--test <file>", "with --data: labelled test data scored once at the end")
    .option("--init <dir>", "start from a pretrained folder (loom bert pretrain's run folder): its tokenizer and encoder")
    .option("--distilbert", "with --init: fine-tune a DistilBERT student initialised from that BERT (every other layer) instead")
    .option("--tokenizer <spec>", "without --init: wordpiece:N (trained on the training texts; default wordpiece:8000) or a tokenizer.json")
    .option("--cased", "keep case (default: lowercase, an uncased tokenizer)")
    .option("--layers <n>", "new model: encoder layers (default 2)", parsePositiveInt)
    .option("--hidden-size <n>", "new model: width (default 128)", parsePositiveInt)
    .option("--heads <n>", "new model: attention heads (default 2)", parsePositiveInt)
    .option("--intermediate-size <n>", "new model: feed-forward width (default 4 × width)", parsePositiveInt)
    .option("--dropout <p>", "new model: dropout on embeddings, attention and residuals (default 0.1)", parseProbability)
    .option("--pooling <how>", "what the classifier reads: cls (the pooled [CLS], as transformers) or mean (the pooler over the mean of the real tokens); default cls, or the --init folder's", parsePooling)
    .option("--max-length <n>", "tokens per text, [CLS] and [SEP] included (default 128)", parsePositiveInt)
    .option("--head-tokens <n>", "of a long text, tokens kept from its start (the rest from its end; default half)", parseNonNegativeInt)
    .option("--epochs <n>", "passes over the training examples (default 3); with --resume, the new total", parsePositiveInt)
    .option("--batch-size <n>", "examples per step (default 32)", parsePositiveInt)
    .option("--lr <x>", "peak learning rate (default 1e-3)", parsePositiveNumber)
    .option("--warmup <fraction>", "share of the steps spent warming up (default 0.1)", parseProbability)
    .option("--weight-decay <x>", "AdamW weight decay on matrices and embeddings (default 0.01)", parseNonNegativeNumber)
    .option("--grad-clip <x>", "clip the global gradient norm (0: off; default 1)", parseNonNegativeNumber)
    .option("--eval-interval <n>", "also evaluate on validation every n steps (0: after each epoch only)", parseNonNegativeInt)
    .option("--checkpoint-interval <n>", "also save every n steps (0: after each epoch only)", parseNonNegativeInt)
    .option("--validation-fraction <x>", "share of the training examples held out per class for validation (default 0.1)", parseFraction)
    .option("--out <dir>", "run folder (default runs/spam, or runs/classifier with --data)")
    .option("--resume", "continue the run in --out from its last checkpoint, with its own settings")
    .option("--overwrite", "replace the run already in --out")
    .option("--seed <n>", "random seed of initialisation, dropout and data order (default 1337)", parseNonNegativeInt)
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action(async (flags: FinetuneFlags) => {
      const started = performance.now();
      let run: () => Promise<FineTuneOutcome>;
      if (flags.resume) {
        const fixed = RESUME_FIXED.filter((k) => flags[k] !== undefined);
        if (fixed.length > 0) throw new UsageError(`--resume continues the run with its own settings; leave out --${fixed[0]!.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}`, "only --epochs (a new total) may change");
        if (flags.out === undefined) throw new UsageError("--resume needs --out DIR, the run folder to continue");
        const out = flags.out;
        const backend = chooseBackend(flags.backend);
        console.log(`loom bert finetune: resuming ${out}, backend ${backend}`);
        run = () => resumeFineTuneRun(out, defined({ epochs: flags.epochs }));
      } else {
        const settings = settingsFromFlags(flags);
        const backend = chooseBackend(flags.backend);
        const source = settings.task === "spam" ? "task spam (SpamAssassin)" : `data ${settings.data}`;
        console.log(`loom bert finetune: ${source}, ${settings.init !== null ? `${settings.distilbert ? "DistilBERT from " : ""}init ${settings.init}` : "a new BERT"}, backend ${backend}, run folder ${settings.out}`);
        run = () => startFineTuneRun(settings, {}, { overwrite: flags.overwrite === true });
      }
      // A stopped run (FineTuneStopped: the loss went non-finite) is a LoomError: one `loom:` line naming the checkpoint kept.
      printOutcome(await run(), started);
    });
}
