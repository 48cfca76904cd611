/**
 * A BERT pretraining run end to end, as `loom bert pretrain` does it: read the corpus and split it by
 * document, train BERT's WordPiece tokenizer on the training split (or load one), cut the documents
 * into sentences, make the instances (NSP/SOP pairs or packed single sequences) — all before the run
 * folder exists — then publish the folder whole (tokenizer.json, the instance caches, checkpoint 0),
 * train, evaluate MLM loss/accuracy and NSP/SOP accuracy on the validation split, and leave a Hugging
 * Face model folder (config.json, model.safetensors, tokenizer.json) that `fromPretrained` and the BERT
 * heads load for fine-tuning. `resumeBertPretraining` continues such a run from its latest checkpoint.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { splitDocuments } from "../../data/corpus.js";
import { FormatError, ValueError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { BertForMaskedLM, BertForPreTraining } from "../../models/bert/heads.js";
import { AdamW } from "../../optim/adamw.js";
import { fromPretrained } from "../../models/pretrained.js";
import { defaultGenerator, Generator, manualSeed } from "../../tensor/rng.js";
import { Tokenizer } from "../../tokenizers/tokenizer.js";
import { loadTrainingState, readTrainerState } from "../checkpoint.js";
import { createProgress, type ProgressDisplay } from "../progress.js";
import { isEmptyFolder, latestCheckpoint, lockRunFolder, repairRunFolder, saveCheckpoint, unlockRunFolder } from "../run-folder.js";
import { publishRunFolder, removePublishLeftovers } from "../run-publish.js";
import { readTrainingDocuments } from "../training-data.js";
import { makeOptimizer, type TrainOptions } from "../trainer.js";
import { checkFiniteWeights } from "../weights-check.js";
import type { BatchMaskingOptions } from "./batch.js";
import { loadInstances, saveInstances } from "./instance-file.js";
import { addedTokenCount, sequenceLayout } from "./layout.js";
import { createPairInstances, createSingleInstances, type PretrainingInstance } from "./pairs.js";
import { pretrainCheckpointFiles, pretrainLoop, type PretrainingData, type PretrainResult } from "./pretrain-loop.js";
import type { PretrainingModel } from "./pretrain-loss.js";
import { pretrainModelConfig, resolvePretrainSettings, validatePretrainSettings, type BertPretrainSettings } from "./pretrain-settings.js";
import { segmentDocuments } from "./segments.js";
import { maskingVocabulary } from "./vocabulary.js";
import { trainWordPieceTokenizer } from "./wordpiece-setup.js";

/** Where a run's messages and progress go, and a per-step callback that can stop it. */
export interface PretrainHooks {
  log?: (line: string) => void;
  progress?: ProgressDisplay;
  onStep?: (step: number, loss: number) => boolean | void;
}

/** What a run produced: its settings, model, tokenizer, result and data sizes. */
export interface PretrainOutcome {
  settings: BertPretrainSettings;
  model: PretrainingModel;
  tokenizer: Tokenizer;
  result: PretrainResult;
  trainInstances: number;
  validationInstances: number;
}

function maskingOptions(s: BertPretrainSettings): BatchMaskingOptions {
  return { masking: s.masking, mlmProbability: s.mlmProbability, maskedLmProb: s.mlmProbability, maxPredictions: s.maxPredictions, wholeWord: s.wholeWord, maxNgram: s.maxNgram };
}

function padTokenIdOf(tokenizer: Tokenizer): number {
  const pad = tokenizer.tokenToId("[PAD]");
  if (pad === undefined) throw new ValueError('bert pretrain: the tokenizer has no "[PAD]" token (batches are padded with it)');
  return pad;
}

/** The tables and layout the batches need, from the tokenizer. */
function dataFor(s: BertPretrainSettings, tokenizer: Tokenizer, train: PretrainingInstance[], validation: PretrainingInstance[]): PretrainingData {
  return {
    train, validation, layout: sequenceLayout(tokenizer), vocab: maskingVocabulary(tokenizer), padTokenId: padTokenIdOf(tokenizer),
    masking: maskingOptions(s), validationSeed: s.seed + 1,
  };
}

/** Instances of one split: pairs for NSP/SOP, packed single sequences for MLM alone. */
function makeInstances(s: BertPretrainSettings, tokenizer: Tokenizer, texts: string[], rng: Generator): PretrainingInstance[] {
  const layout = sequenceLayout(tokenizer);
  if (s.objective === "mlm") {
    const maxNumTokens = s.maxSeqLength - addedTokenCount(layout, false);
    return createSingleInstances(segmentDocuments(tokenizer, texts, maxNumTokens), { maxNumTokens, shortSeqProb: s.shortSeqProb }, rng);
  }
  // Sentences longer than half a sequence are cut, so that a pack holds two segments or more.
  const maxNumTokens = s.maxSeqLength - addedTokenCount(layout, true);
  const docs = segmentDocuments(tokenizer, texts, Math.max(1, Math.floor(maxNumTokens / 2)));
  return createPairInstances(docs, s.objective === "mlm+sop" ? "sop" : "nsp", { maxNumTokens, shortSeqProb: s.shortSeqProb }, rng);
}

/** AdamW with the LM trainer's groups: decay on ≥2-D weights, none on biases and LayerNorms (as BERT's optimiser). */
export function pretrainOptimizer(model: PretrainingModel, options: TrainOptions): AdamW {
  return makeOptimizer(model, options);
}

function buildModel(s: BertPretrainSettings, tokenizer: Tokenizer): PretrainingModel {
  const config = pretrainModelConfig(s, tokenizer.getVocabSize(), padTokenIdOf(tokenizer));
  return s.objective === "mlm" ? new BertForMaskedLM(config) : new BertForPreTraining(config);
}

function describeModel(model: PretrainingModel): string {
  const c = model.config;
  return `${model.architecture}: ${c.num_hidden_layers} layers × ${c.hidden_size} wide, ${c.num_attention_heads} heads, vocabulary ${c.vocab_size}, ${(model.numParameters() / 1e6).toFixed(2)}M parameters`;
}

/** Options of a new run. */
export interface NewPretrainOptions {
  /** Replace a run already in the folder (moved aside, removed once the new one is in place). */
  overwrite?: boolean;
}

/**
 * Starts a new pretraining run in `settings.out` (see the file comment). Everything that can fail on
 * the data or settings fails before the folder exists; a folder holding a run is never written over
 * unless `overwrite`.
 */
export async function runBertPretraining(settings: BertPretrainSettings, hooks: PretrainHooks = {}, options: NewPretrainOptions = {}): Promise<PretrainOutcome> {
  const log = hooks.log ?? ((line: string) => console.log(line));
  validatePretrainSettings(settings);
  const out = settings.out;
  if (!isEmptyFolder(out)) {
    if (!options.overwrite) throw new ValueError(`${out} already holds a run: continue it with --resume, replace it with --overwrite, or choose another --out`);
    lockRunFolder(out); // not while another process trains in it
  }
  const docs = readTrainingDocuments(settings.data, false, log);
  const split = splitDocuments(docs);
  if (split.validation.length === 0) throw new ValueError(`${settings.data}: the corpus is too small to hold out a validation split`);
  log(`corpus: ${docs.length} documents (${split.train.length} train, ${split.validation.length} validation) from ${settings.data}`);
  const t0 = performance.now();
  const tokenizer = settings.tokenizer === null
    ? trainWordPieceTokenizer(split.train.map((d) => d.text), { vocabSize: settings.vocabSize })
    : Tokenizer.fromFile(settings.tokenizer);
  log(`tokenizer: ${settings.tokenizer ?? `WordPiece trained on the training split`}, ${tokenizer.getVocabSize()} tokens (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
  const vocab = maskingVocabulary(tokenizer); // fails early without [MASK]
  padTokenIdOf(tokenizer);
  const rng = new Generator(settings.seed);
  const t1 = performance.now();
  const train = makeInstances(settings, tokenizer, split.train.map((d) => d.text), rng);
  const validation = makeInstances(settings, tokenizer, split.validation.map((d) => d.text), rng);
  const randomShare = train.filter((x) => x.label === 1).length / Math.max(1, train.length);
  log(`instances: ${train.length} train, ${validation.length} validation sequences of ≤ ${settings.maxSeqLength} tokens (${settings.objective}, ${settings.masking} masking${settings.wholeWord ? ", whole words" : ""}${settings.objective === "mlm" ? "" : `, ${(100 * randomShare).toFixed(1)}% labelled 1`}) (${((performance.now() - t1) / 1000).toFixed(1)}s)`);
  if (train.length === 0 || validation.length === 0) throw new ValueError(`${settings.data}: too little text to make training and validation sequences`);
  manualSeed(settings.seed);
  const model = buildModel(settings, tokenizer);
  if (model.config.vocab_size !== vocab.vocabSize) throw new ValueError(`bert pretrain: the tokenizer's ids reach ${vocab.vocabSize}, its vocabulary size is ${model.config.vocab_size}`);
  log(`model: ${describeModel(model)}`);
  const optimizer = pretrainOptimizer(model, settings.train);
  const runOptions = settings as unknown as Record<string, unknown>;
  const state = publishRunFolder(out, (dir) => {
    lockRunFolder(dir);
    writeFileAtomic(join(dir, "tokenizer.json"), tokenizer.toString(true));
    saveInstances(dir, "train", train);
    saveInstances(dir, "validation", validation);
    const { files, state } = pretrainCheckpointFiles(model, optimizer, {
      step: 0, totalSteps: settings.train.steps ?? 0, warmupEndSeconds: settings.train.warmupSteps === 0 ? 0 : null,
      elapsedSeconds: 0, rng: defaultGenerator.getState(), options: runOptions,
    });
    saveCheckpoint(dir, 0, files);
    return state;
  }, options.overwrite === true, log);
  try {
    const result = await pretrainLoop({
      model, data: dataFor(settings, tokenizer, train, validation), outDir: out, options: settings.train, runOptions, optimizer, state,
      progress: hooks.progress ?? createProgress(), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
    });
    return { settings, model, tokenizer, result, trainInstances: train.length, validationInstances: validation.length };
  } finally {
    unlockRunFolder(out);
  }
}

/** What `--resume` may change: the budget to add (steps or seconds of training). */
export interface PretrainResumeChanges {
  /** Train this many more steps. */
  steps?: number;
  /** Train this many more seconds. */
  timeSeconds?: number;
}

/** The settings saved in a checkpoint's trainer_state.json, checked. */
function savedSettings(options: Record<string, unknown>, file: string, out: string): BertPretrainSettings {
  const { train, ...rest } = options as Partial<BertPretrainSettings>;
  if (typeof train !== "object" || train === null) throw new FormatError(file, "options.train", "expected the run's training options");
  let settings: BertPretrainSettings;
  try {
    settings = resolvePretrainSettings({ ...rest, train, out });
  } catch (e) {
    throw new FormatError(file, "options", (e as Error).message);
  }
  // resolvePretrainSettings keeps only one budget when one is given; the saved run had exactly these.
  settings.train = { ...(train as TrainOptions) };
  return settings;
}

/**
 * Continues the pretraining run in `out` from its latest complete checkpoint, with its own settings;
 * `changes` adds steps or time to its budget.
 */
export async function resumeBertPretraining(out: string, changes: PretrainResumeChanges = {}, hooks: PretrainHooks = {}): Promise<PretrainOutcome> {
  const log = hooks.log ?? ((line: string) => console.log(line));
  if (!existsSync(out)) throw new ValueError(`--resume: ${out} does not exist`);
  lockRunFolder(out);
  try {
    const removed = [...removePublishLeftovers(out), ...repairRunFolder(out)];
    if (removed.length > 0) log(`removed ${removed.length} leftover file${removed.length === 1 ? "" : "s"} of an interrupted save: ${removed.join(", ")}`);
    const latest = latestCheckpoint(out);
    if (!latest) throw new ValueError(`--resume: ${out} holds no checkpoint (checkpoint-N folder) to continue from`);
    const saved = readTrainerState(latest.dir);
    const settings = savedSettings(saved.options, join(latest.dir, "trainer_state.json"), out);
    if (changes.steps !== undefined) {
      settings.train.steps = saved.step + changes.steps;
      delete settings.train.timeSeconds;
    }
    if (changes.timeSeconds !== undefined) {
      settings.train.timeSeconds = saved.elapsedSeconds + changes.timeSeconds;
      delete settings.train.steps;
    }
    const tokenizer = Tokenizer.fromFile(join(out, "tokenizer.json"));
    const train = loadInstances(out, "train");
    const validation = loadInstances(out, "validation");
    const { model: loaded, metadata } = fromPretrained(latest.dir, { validate: checkFiniteWeights });
    const model = loaded as unknown as PretrainingModel;
    const expected = settings.objective === "mlm" ? "BertForMaskedLM" : "BertForPreTraining";
    if (model.architecture !== expected) throw new FormatError(join(latest.dir, "config.json"), "architectures", `expected ${expected} for --objective ${settings.objective}, found ${model.architecture}`);
    const optimizer = pretrainOptimizer(model, settings.train);
    const state = loadTrainingState(latest.dir, optimizer, Number(metadata.loom_step ?? 0));
    log(`resuming ${out} at step ${state.step}`);
    const result = await pretrainLoop({
      model, data: dataFor(settings, tokenizer, train, validation), outDir: out, options: settings.train,
      runOptions: settings as unknown as Record<string, unknown>, optimizer, state,
      progress: hooks.progress ?? createProgress(), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
    });
    return { settings, model, tokenizer, result, trainInstances: train.length, validationInstances: validation.length };
  } finally {
    unlockRunFolder(out);
  }
}
