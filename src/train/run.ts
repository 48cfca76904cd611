/**
 * One training run end to end, as `loom train` does it: read the corpus, split it by document, build or
 * train the tokenizer, encode both splits, build the model — all before the run folder exists — then
 * publish the run folder whole (tokenizer, token caches, config, checkpoint 0), train with checkpoints,
 * evaluate. `--resume` (resume.ts, resumeTraining) reloads all of it from the run folder and continues.
 */
import { join } from "node:path";
import { splitDocuments } from "../data/corpus.js";
import { ValueError } from "../errors.js";
import { GPT } from "../models/gpt/model.js";
import { GPT_MODEL_TYPE, type GPTConfig } from "../models/gpt/config.js";
import { RecurrentLM } from "../models/rnnlm/model.js";
import type { RecurrentCellType, RecurrentLMConfig } from "../models/rnnlm/config.js";
import { manualSeed } from "../tensor/rng.js";
import type { Tokenizer } from "../tokenizers/tokenizer.js";
import { type LanguageModel, loadLanguageModel, loadTokenizer, loadTrainingState } from "./checkpoint.js";
import { writeFileAtomic } from "../io/atomic.js";
import { isEmptyFolder, lockRunFolder } from "./run-folder.js";
import { publishRunFolder } from "./run-publish.js";
import { readTrainingDocuments } from "./training-data.js";
import { flagName, validateTrainOptions } from "./train-options.js";
import type { ResumePlan } from "./resume.js";
import { encodeDocuments, loadTokenStream, saveTokenStream, type TokenStream } from "./dataset.js";
import { getPreset } from "./presets.js";
import { buildTokenizer } from "./tokenizer-setup.js";
import { isChatData, saveChatTemplate } from "./chat-data.js";
import { makeOptimizer, saveInitialCheckpoint, train as trainModel, type TrainOptions, type TrainResult } from "./trainer.js";
import type { ProgressDisplay } from "./progress.js";

/** "gpt" or a recurrent cell type (an embedding → stacked RNN → linear language model). */
export type ModelKind = "gpt" | RecurrentCellType;

/** The settings of a `loom train` run: preset, model kind and config, data, tokenizer, run folder, seed, schedule. */
export interface RunSettings {
  preset: string;
  modelKind: ModelKind;
  /** Corpus: "sotu" (bundled) or a path. */
  data: string;
  tokenizer: string;
  out: string;
  seed: number;
  /** GPT settings (modelKind "gpt"). */
  model: Partial<GPTConfig>;
  /** Recurrent settings (the other kinds). */
  recurrent: Partial<RecurrentLMConfig>;
  train: TrainOptions;
}

/** What a run produced: its settings, model, tokenizer, result and token counts. */
export interface RunOutcome {
  settings: RunSettings;
  model: LanguageModel;
  tokenizer: Tokenizer;
  result: TrainResult;
  trainTokens: number;
  validationTokens: number;
}

/** Preset values overridden by explicit settings. */
export function resolveSettings(preset: string, overrides: {
  data?: string; tokenizer?: string; out?: string; seed?: number; modelKind?: ModelKind;
  model?: Partial<GPTConfig>; recurrent?: Partial<RecurrentLMConfig>; train?: Partial<TrainOptions>;
}): RunSettings {
  const p = getPreset(preset);
  const trainOptions: TrainOptions = { ...p.train, ...overrides.train };
  // An explicit step budget replaces the preset's time budget (and vice versa).
  if (overrides.train?.steps !== undefined && overrides.train.timeSeconds === undefined) delete trainOptions.timeSeconds;
  if (overrides.train?.timeSeconds !== undefined && overrides.train.steps === undefined) delete trainOptions.steps;
  const model = { ...p.model, ...overrides.model };
  if (model.n_positions === undefined || model.n_positions < trainOptions.blockSize) model.n_positions = trainOptions.blockSize;
  return {
    preset,
    modelKind: overrides.modelKind ?? "gpt",
    recurrent: { ...overrides.recurrent },
    data: overrides.data ?? "sotu",
    tokenizer: overrides.tokenizer ?? p.tokenizer,
    out: overrides.out ?? join("runs", preset),
    seed: overrides.seed ?? 1337,
    model,
    train: trainOptions,
  };
}

/** Hooks into a run: where log lines and progress go, and a per-step callback that can stop it. */
export interface RunHooks {
  log?: (line: string) => void;
  progress?: ProgressDisplay;
  onStep?: (step: number, loss: number) => boolean | void;
  /** Called after each step's backward, before unscaling, clipping and the optimiser step (see TrainerRun). */
  afterBackward?: (step: number, model: LanguageModel) => void;
}

/** The data of a new run, read, tokenized and encoded before any file is written. */
interface PreparedData {
  tokenizer: Tokenizer;
  train: TokenStream;
  validation: TokenStream;
  chat: boolean;
}

function prepareData(settings: RunSettings, log: (s: string) => void): PreparedData {
  const chat = isChatData(settings.data);
  const docs = readTrainingDocuments(settings.data, chat, log);
  const split = splitDocuments(docs);
  if (split.validation.length === 0) throw new ValueError("the corpus is too small to hold out a validation set");
  log(`corpus: ${docs.length} documents (${split.train.length} train, ${split.validation.length} validation) from ${settings.data}`);
  const t0 = performance.now();
  let lastShown = 0;
  const tokenizer = buildTokenizer(settings.tokenizer, () => split.train.map((d) => d.text), {
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastShown > 2000) {
        lastShown = now;
        log(`tokenizer: ${p.stage} ${p.done}/${p.total}`);
      }
    },
  });
  log(`tokenizer: ${settings.tokenizer}, ${tokenizer.getVocabSize()} tokens (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
  const asked = /^bpe:(\d+)$/.exec(settings.tokenizer);
  if (asked && tokenizer.getVocabSize() < Number(asked[1])) {
    log(`tokenizer: note: asked for ${asked[1]} tokens, got ${tokenizer.getVocabSize()}: the training text has no more pairs to merge (a larger corpus gives more)`);
  }
  const t1 = performance.now();
  const train = encodeDocuments(tokenizer, split.train);
  const validation = encodeDocuments(tokenizer, split.validation);
  tokenizer.clearCache(); // what encoding the corpus cached is not needed while training
  log(`encoded: ${train.tokens.length} train tokens, ${validation.tokens.length} validation tokens (${((performance.now() - t1) / 1000).toFixed(1)}s)`);
  const need = settings.train.blockSize + 1;
  for (const [name, stream] of [["training", train], ["validation", validation]] as const) {
    if (stream.tokens.length < need) {
      throw new ValueError(
        `${settings.data}: the ${name} split has ${stream.tokens.length} tokens, too few for one block of ${settings.train.blockSize} (need ${need}); give more text or a smaller --block-size`,
      );
    }
  }
  return { tokenizer, train, validation, chat };
}

/** What a new run does with a run folder that already holds files. */
export interface NewRunOptions {
  /** Replace an existing non-empty run folder (its files are removed first, never mixed with the new run's). */
  overwrite?: boolean;
}

/**
 * Starts a new run in `settings.out`. Everything that can fail on the data or settings fails before
 * the run folder exists; the folder then appears whole (constant files and checkpoint 0), by rename.
 */
export async function runTraining(settings: RunSettings, hooks: RunHooks = {}, options: NewRunOptions = {}): Promise<RunOutcome> {
  const log = hooks.log ?? ((s: string) => console.log(s));
  const out = settings.out;
  validateTrainOptions(settings.train, flagName);
  if (!isEmptyFolder(out)) {
    if (!options.overwrite) throw new ValueError(`${out} already holds a run: continue it with --resume, replace it with --overwrite, or choose another --out`);
    lockRunFolder(out); // not while another process trains in it
  }
  manualSeed(settings.seed);
  const { tokenizer, train, validation, chat } = prepareData(settings, log);
  manualSeed(settings.seed);
  const model = buildModel(settings, tokenizer.getVocabSize());
  log(`model: ${describeModel(model)}, block ${settings.train.blockSize}, ${(model.numParameters() / 1e6).toFixed(2)}M parameters`);
  const optimizer = makeOptimizer(model, settings.train);
  const runOptions = settings as unknown as Record<string, unknown>;
  const state = publishRunFolder(out, (dir) => {
    lockRunFolder(dir); // the folder appears taken by this process
    writeFileAtomic(join(dir, "tokenizer.json"), tokenizer.toString(true));
    if (chat) saveChatTemplate(dir);
    saveTokenStream(dir, "train", train);
    saveTokenStream(dir, "validation", validation);
    return saveInitialCheckpoint(dir, model, optimizer, settings.train, runOptions);
  }, options.overwrite === true, log);
  const result = await trainModel({
    model, train, validation, outDir: out, options: settings.train, runOptions, resume: { state, optimizer },
    ...(hooks.progress ? { progress: hooks.progress } : {}), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
    ...(hooks.afterBackward ? { afterBackward: hooks.afterBackward } : {}),
  });
  return { settings, model, tokenizer, result, trainTokens: train.tokens.length, validationTokens: validation.tokens.length };
}

/** Continues the run in `plan.settings.out` from its latest complete checkpoint (see planResume). */
export async function resumeTraining(plan: ResumePlan, hooks: RunHooks = {}): Promise<RunOutcome> {
  const log = hooks.log ?? ((s: string) => console.log(s));
  const { settings } = plan;
  const out = settings.out;
  const tokenizer = loadTokenizer(out);
  const train = loadTokenStream(out, "train");
  const validation = loadTokenStream(out, "validation");
  if (!train || !validation) throw new ValueError(`--resume: the token caches (train.tokens, validation.tokens) are missing in ${out}`);
  const { model, step } = loadLanguageModel(plan.checkpoint);
  const optimizer = makeOptimizer(model, settings.train);
  const state = loadTrainingState(plan.checkpoint, optimizer, step);
  // A changed weight decay applies from now on (the saved groups carry the old one).
  const decayGroup = optimizer.paramGroups[0];
  if (decayGroup) decayGroup.weightDecay = settings.train.weightDecay;
  for (const note of plan.notes) log(note);
  const result = await trainModel({
    model, train, validation, outDir: out, options: settings.train, runOptions: settings as unknown as Record<string, unknown>,
    resume: { state, optimizer }, ...(hooks.progress ? { progress: hooks.progress } : {}), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
    ...(hooks.afterBackward ? { afterBackward: hooks.afterBackward } : {}),
  });
  return { settings, model, tokenizer, result, trainTokens: train.tokens.length, validationTokens: validation.tokens.length };
}

function buildModel(settings: RunSettings, vocabSize: number): LanguageModel {
  if (settings.modelKind === "gpt") return new GPT({ ...settings.model, vocab_size: vocabSize });
  const m = settings.model;
  return new RecurrentLM({
    // The GPT width/depth flags carry over as embedding width and layer count unless given explicitly.
    ...(m.n_embd !== undefined ? { n_embd: m.n_embd } : {}),
    ...(m.n_layer !== undefined ? { n_layer: m.n_layer } : {}),
    ...(m.embd_pdrop !== undefined ? { dropout: m.embd_pdrop } : {}),
    ...settings.recurrent,
    cell: settings.modelKind,
    vocab_size: vocabSize,
  });
}

function describeModel(model: LanguageModel): string {
  if (model.modelType === GPT_MODEL_TYPE) return `GPT ${model.config.n_layer} layers, ${model.config.n_head} heads, ${model.config.n_embd} wide`;
  const c = model.config;
  return `${c.cell.toUpperCase()} language model, ${c.n_layer} layers, hidden ${c.hidden_size}, embedding ${c.n_embd}`;
}
