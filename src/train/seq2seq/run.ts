/**
 * One seq2seq task run end to end, as `loom seq2seq train` does it: load the task's splits, build the
 * vocabulary from the training pairs, encode, build the model — all before the run folder exists —
 * then publish the run folder whole (vocab.json, task.json, checkpoint 0), train with checkpoints and
 * validation error rates, score the test set (greedy and beam search) and write results.json.
 *
 * ```
 * runs/g2p/  config.json  model.safetensors  vocab.json  task.json  results.json  metrics.jsonl  loss.svg  checkpoint-N/
 * ```
 */
import { join } from "node:path";
import { ValueError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { defaultGenerator, manualSeed } from "../../tensor/rng.js";
import type { Seq2Seq } from "../../models/seq2seq/model.js";
import type { T5ForConditionalGeneration } from "../../models/t5/model.js";
import type { Transformer } from "../../models/transformer/model.js";
import { isEmptyFolder, lockRunFolder, replaceFile, saveCheckpoint } from "../run-folder.js";
import { publishRunFolder } from "../run-publish.js";
import type { ProgressDisplay } from "../progress.js";
import type { EncodedPair } from "./batches.js";
import { buildTaskModel, type Seq2SeqModelKind, type TaskModel, type TaskModelSizes } from "./models.js";
import { loadSeq2SeqTask, trainingPairs, type Seq2SeqTaskName } from "./task.js";
import {
  makeSeq2SeqOptimizer, seq2seqCheckpointFiles, trainSeq2Seq, validateSeq2SeqTrainOptions,
  type Seq2SeqTrainOptions, type Seq2SeqTrainResult,
} from "./trainer.js";
import { PairTrainingTask } from "./training-task.js";
import { PairVocabulary } from "./vocabulary.js";

/** The settings of a seq2seq task run. */
export interface Seq2SeqRunSettings {
  task: Seq2SeqTaskName;
  /** A CMUdict dict.txt instead of the bundled one. */
  dataPath?: string;
  modelKind: Seq2SeqModelKind;
  sizes: TaskModelSizes;
  /** The run folder. */
  out: string;
  /** Seeds the model's initialisation (and, through options.seed, the batch order). */
  seed: number;
  train: Seq2SeqTrainOptions;
}

/** What a run produced. */
export interface Seq2SeqRunOutcome {
  settings: Seq2SeqRunSettings;
  model: TaskModel;
  vocab: PairVocabulary;
  result: Seq2SeqTrainResult;
  /** Training pairs, and validation and test examples. */
  counts: { trainPairs: number; validation: number; test: number };
}

/** Hooks into a run: log lines, the progress display, a per-step callback that can stop it. */
export interface Seq2SeqRunHooks {
  log?: (line: string) => void;
  progress?: ProgressDisplay;
  onStep?: (step: number, loss: number) => boolean | void;
}

/** Options of a new run: replace a run already in the folder; when the time budget started. */
export interface Seq2SeqNewRunOptions {
  overwrite?: boolean;
  /** performance.now() at the start of the command (the time budget counts from here; default: now). */
  startedAt?: number;
}

/** The parameter count and shape of a model, in one line. */
export function describeTaskModel(kind: Seq2SeqModelKind, model: TaskModel): string {
  const millions = `${(model.numParameters() / 1e6).toFixed(2)}M parameters`;
  if (kind === "t5") {
    const c = (model as T5ForConditionalGeneration).config;
    return `T5 ${c.num_layers}+${c.num_decoder_layers ?? c.num_layers} layers, d_model ${c.d_model}, ${c.num_heads} heads, d_ff ${c.d_ff} (${c.feed_forward_proj}), ${millions}`;
  }
  if (kind === "transformer") {
    const c = (model as Transformer).config;
    return `Transformer ${c.num_encoder_layers}+${c.num_decoder_layers} layers, d_model ${c.d_model}, ${c.nhead} heads, d_ff ${c.dim_feedforward}, label smoothing ${c.label_smoothing}, ${millions}`;
  }
  const c = (model as Seq2Seq).config;
  return `RNN Seq2Seq ${c.cell.toUpperCase()} ${c.encoderLayers} layer(s), hidden ${c.hiddenSize}, embedding ${c.embedDim}, ${c.attention} attention, ${millions}`;
}

/**
 * Starts a new run in `settings.out`: everything that can fail on the data or settings fails before
 * the folder exists, which then appears whole; never mixes with a run already there (unless overwrite,
 * which replaces it as a unit).
 */
export async function runSeq2SeqTask(settings: Seq2SeqRunSettings, hooks: Seq2SeqRunHooks = {}, options: Seq2SeqNewRunOptions = {}): Promise<Seq2SeqRunOutcome> {
  const startedAt = options.startedAt ?? performance.now();
  const log = hooks.log ?? ((s: string) => console.log(s));
  const out = settings.out;
  validateSeq2SeqTrainOptions(settings.train);
  if (!isEmptyFolder(out)) {
    if (!options.overwrite) throw new ValueError(`${out} already holds a run: replace it with --overwrite, or choose another --out`);
    lockRunFolder(out); // not while another process trains in it
  }
  const task = loadSeq2SeqTask(settings.task, settings.dataPath);
  const pairs = trainingPairs(task.train);
  const vocab = PairVocabulary.fromPairs(pairs);
  const train: EncodedPair[] = pairs.map((p) => ({ source: vocab.encodeSource(p.source), target: vocab.encodeTarget(p.target) }));
  if (task.validation.length === 0 || task.test.length === 0) throw new ValueError(`seq2seq ${settings.task}: the validation or test split is empty`);
  log(`data: ${settings.task}, ${task.train.length} train examples (${train.length} pairs), ${task.validation.length} validation, ${task.test.length} test; vocabulary ${vocab.source.length} source + ${vocab.target.length} target tokens`);
  manualSeed(settings.seed);
  const model = buildTaskModel(settings.modelKind, vocab, settings.sizes);
  log(`model: ${describeTaskModel(settings.modelKind, model)}`);
  const optimizer = makeSeq2SeqOptimizer(model, settings.train);
  const runOptions = settings as unknown as Record<string, unknown>;
  publishRunFolder(out, (dir) => {
    lockRunFolder(dir);
    writeFileAtomic(join(dir, "vocab.json"), JSON.stringify(vocab.toJSON(), null, 2) + "\n");
    writeFileAtomic(join(dir, "task.json"), JSON.stringify({ task: settings.task, model: settings.modelKind, sizes: settings.sizes, seed: settings.seed, train: settings.train }, null, 2) + "\n");
    saveCheckpoint(dir, 0, seq2seqCheckpointFiles(model, optimizer, {
      step: 0, totalSteps: settings.train.steps ?? 0, warmupEndSeconds: null, elapsedSeconds: 0, rng: defaultGenerator.getState(), options: runOptions,
    }));
  }, options.overwrite === true, log);
  const trainingTask = new PairTrainingTask(vocab, train, { validation: task.validation, test: task.test }, settings.train.batchSize, settings.train.seed);
  const result = await trainSeq2Seq({
    model, task: trainingTask, optimizer, outDir: out, options: settings.train, runOptions, startedAt, log,
    ...(hooks.progress ? { progress: hooks.progress } : {}), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
  });
  if (result.test !== null) {
    const t = result.test;
    replaceFile(join(out, "results.json"), JSON.stringify({
      task: settings.task, model: settings.modelKind, parameters: model.numParameters(), steps: result.steps, epochs: +result.epochs.toFixed(3),
      training_seconds: +result.trainingSeconds.toFixed(1), wall_seconds: +result.wallSeconds.toFixed(1),
      test_examples: task.test.length,
      test_greedy: { ...t.greedy.metrics, seconds: +t.greedy.seconds.toFixed(1) },
      test_beam: { beams: t.numBeams, ...t.beam.metrics, seconds: +t.beam.seconds.toFixed(1) },
    }, null, 2) + "\n");
  }
  return { settings, model, vocab, result, counts: { trainPairs: train.length, validation: task.validation.length, test: task.test.length } };
}
