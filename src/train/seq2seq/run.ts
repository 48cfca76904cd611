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
import { PairTrainingTask, type TrainingTask } from "./training-task.js";
import {
  TEXT_TO_TEXT_RATES, TextToTextTask, buildTextToTextTokenizer, defaultTextToTextOptions, textToTextCorpus, type TextToTextOptions,
} from "./text-to-text.js";
import { PairVocabulary } from "./vocabulary.js";

/** The settings of a seq2seq task run. */
export interface Seq2SeqRunSettings {
  /** A pair task, or "t2t": one T5 on the g2p + p2g + span-corruption mixture (text-to-text.ts). */
  task: Seq2SeqTaskName | "t2t";
  /** t2t: the corpus span corruption reads ("sotu", the default, or a text file or folder). */
  corpus?: string;
  /** t2t: tokenizer and mixture settings (defaultTextToTextOptions otherwise). */
  textToText?: Partial<Omit<TextToTextOptions, "seed">>;
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
  const prepared = settings.task === "t2t" ? prepareTextToText(settings, log) : preparePairs(settings, log);
  const { model, trainingTask, counts } = prepared;
  const optimizer = makeSeq2SeqOptimizer(model, settings.train);
  const runOptions = settings as unknown as Record<string, unknown>;
  publishRunFolder(out, (dir) => {
    lockRunFolder(dir);
    prepared.writeVocabulary(dir);
    writeFileAtomic(join(dir, "task.json"), JSON.stringify({ task: settings.task, model: settings.modelKind, sizes: settings.sizes, seed: settings.seed, train: settings.train }, null, 2) + "\n");
    saveCheckpoint(dir, 0, seq2seqCheckpointFiles(model, optimizer, {
      step: 0, totalSteps: settings.train.steps ?? 0, warmupEndSeconds: null, elapsedSeconds: 0, rng: defaultGenerator.getState(), options: runOptions,
    }));
  }, options.overwrite === true, log);
  const result = await trainSeq2Seq({
    model, task: trainingTask, optimizer, outDir: out, options: settings.train, runOptions, startedAt, log,
    ...(hooks.progress ? { progress: hooks.progress } : {}), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
  });
  if (result.test !== null) {
    const t = result.test;
    replaceFile(join(out, "results.json"), JSON.stringify({
      task: settings.task, model: settings.modelKind, parameters: model.numParameters(), steps: result.steps, epochs: +result.epochs.toFixed(3),
      training_seconds: +result.trainingSeconds.toFixed(1), wall_seconds: +result.wallSeconds.toFixed(1),
      test_examples: counts.test,
      test_greedy: { ...t.greedy.metrics, seconds: +t.greedy.seconds.toFixed(1) },
      test_beam: { beams: t.numBeams, ...t.beam.metrics, seconds: +t.beam.seconds.toFixed(1) },
    }, null, 2) + "\n");
  }
  return { settings, model, result, counts };
}

/** A run's model, task and vocabulary file, made before the run folder exists. */
interface PreparedRun {
  model: TaskModel;
  trainingTask: TrainingTask;
  counts: Seq2SeqRunOutcome["counts"];
  /** Writes the vocabulary (vocab.json, or tokenizer.json for text-to-text) into the new run folder. */
  writeVocabulary(dir: string): void;
}

function preparePairs(settings: Seq2SeqRunSettings, log: (line: string) => void): PreparedRun {
  const task = loadSeq2SeqTask(settings.task, settings.dataPath);
  const pairs = trainingPairs(task.train);
  const vocab = PairVocabulary.fromPairs(pairs);
  const train: EncodedPair[] = pairs.map((p) => ({ source: vocab.encodeSource(p.source), target: vocab.encodeTarget(p.target) }));
  if (task.validation.length === 0 || task.test.length === 0) throw new ValueError(`seq2seq ${settings.task}: the validation or test split is empty`);
  log(`data: ${settings.task}, ${task.train.length} train examples (${train.length} pairs), ${task.validation.length} validation, ${task.test.length} test; vocabulary ${vocab.source.length} source + ${vocab.target.length} target tokens`);
  manualSeed(settings.seed);
  const model = buildTaskModel(settings.modelKind, vocab, settings.sizes);
  log(`model: ${describeTaskModel(settings.modelKind, model)}`);
  return {
    model,
    trainingTask: new PairTrainingTask(vocab, train, { validation: task.validation, test: task.test }, settings.train.batchSize, settings.train.seed),
    counts: { trainPairs: train.length, validation: task.validation.length, test: task.test.length },
    writeVocabulary: (dir) => writeFileAtomic(join(dir, "vocab.json"), JSON.stringify(vocab.toJSON(), null, 2) + "\n"),
  };
}

function prepareTextToText(settings: Seq2SeqRunSettings, log: (line: string) => void): PreparedRun {
  if (settings.modelKind === "rnn") throw new ValueError("seq2seq t2t: the text-to-text mixture trains --model t5 or transformer (one vocabulary for both sides)");
  const t2t = { ...defaultTextToTextOptions, ...settings.textToText, seed: settings.train.seed };
  const g2p = loadSeq2SeqTask("g2p", settings.dataPath);
  const p2g = loadSeq2SeqTask("p2g", settings.dataPath);
  const corpus = textToTextCorpus(t2t, settings.corpus);
  const t0 = performance.now();
  const tokenizer = buildTextToTextTokenizer(g2p, corpus, t2t.vocabSize);
  log(`tokenizer: T5 Unigram, ${tokenizer.getVocabSize()} tokens with sentinels (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
  const task = new TextToTextTask(tokenizer, g2p, p2g, corpus, settings.train.batchSize, t2t);
  log(`data: g2p + p2g (${g2p.train.length} words, ${task.mixture.tasks[0]?.size ?? 0} pairs each way) and span corruption (${task.mixture.tasks[2]?.size ?? 0} chunks of ${t2t.chunkLength} tokens), rates ${TEXT_TO_TEXT_RATES.g2p}:${TEXT_TO_TEXT_RATES.p2g}:${TEXT_TO_TEXT_RATES.fill}; test ${g2p.test.length} words, ${p2g.test.length} pronunciations`);
  manualSeed(settings.seed);
  const model = buildTaskModel(settings.modelKind, { size: tokenizer.getVocabSize(), padId: 0, eosId: 1, bosId: 0 }, settings.sizes);
  log(`model: ${describeTaskModel(settings.modelKind, model)}`);
  return {
    model,
    trainingTask: task,
    counts: { trainPairs: task.mixture.tasks.reduce((n, t) => n + t.size, 0), validation: g2p.validation.length + p2g.validation.length, test: task.testSize },
    writeVocabulary: (dir) => writeFileAtomic(join(dir, "tokenizer.json"), tokenizer.toString(true)),
  };
}
