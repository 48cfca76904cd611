/**
 * One training run end to end, as `loom train` does it: read the corpus, split it by document, build or
 * train the tokenizer, encode and cache both splits in the run folder, build the GPT, train with
 * checkpoints, evaluate. `--resume` reloads all of it from the run folder and continues.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readCorpus, splitDocuments } from "../data/corpus.js";
import { ValueError } from "../errors.js";
import { GPT } from "../models/gpt/model.js";
import type { GPTConfig } from "../models/gpt/config.js";
import { RecurrentLM } from "../models/rnnlm/model.js";
import type { RecurrentCellType, RecurrentLMConfig } from "../models/rnnlm/config.js";
import { manualSeed } from "../tensor/rng.js";
import type { Tokenizer } from "../tokenizers/tokenizer.js";
import { type LanguageModel, loadLanguageModel, loadTokenizer, loadTrainingState, saveTokenizer } from "./checkpoint.js";
import { encodeDocuments, loadTokenStream, saveTokenStream, type TokenStream } from "./dataset.js";
import { getPreset } from "./presets.js";
import { buildTokenizer } from "./tokenizer-setup.js";
import { isChatData, readChatDocuments, saveChatTemplate } from "./chat-data.js";
import { makeOptimizer, train as trainModel, type TrainOptions, type TrainResult } from "./trainer.js";
import type { ProgressDisplay } from "./progress.js";

/** "gpt" or a recurrent cell type (an embedding → stacked RNN → linear language model). */
export type ModelKind = "gpt" | RecurrentCellType;

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

export interface RunHooks {
  log?: (line: string) => void;
  progress?: ProgressDisplay;
  onStep?: (step: number, loss: number) => boolean | void;
}

function prepareData(settings: RunSettings, log: (s: string) => void): { tokenizer: Tokenizer; train: TokenStream; validation: TokenStream; chat: boolean } {
  const chat = isChatData(settings.data);
  const docs = chat ? readChatDocuments(settings.data) : readCorpus(settings.data);
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
  const t1 = performance.now();
  const train = encodeDocuments(tokenizer, split.train, undefined, chat);
  const validation = encodeDocuments(tokenizer, split.validation, undefined, chat);
  log(`encoded: ${train.tokens.length} train tokens, ${validation.tokens.length} validation tokens (${((performance.now() - t1) / 1000).toFixed(1)}s)`);
  return { tokenizer, train, validation, chat };
}

export async function runTraining(settings: RunSettings, resume: boolean, hooks: RunHooks = {}): Promise<RunOutcome> {
  const log = hooks.log ?? ((s: string) => console.log(s));
  const out = settings.out;
  if (resume) {
    if (!existsSync(join(out, "trainer_state.json"))) throw new ValueError(`--resume: ${out} has no checkpoint to resume`);
    const saved = JSON.parse(readFileSync(join(out, "trainer_state.json"), "utf8")) as { options?: RunSettings };
    const s = saved.options;
    if (!s) throw new ValueError(`--resume: ${out}/trainer_state.json has no run options`);
    // The run's own settings, with a new budget if one was given.
    const settingsResumed: RunSettings = { ...s, out, train: { ...s.train, steps: settings.train.steps ?? s.train.steps, timeSeconds: settings.train.timeSeconds ?? s.train.timeSeconds } };
    const tokenizer = loadTokenizer(out);
    const train = loadTokenStream(out, "train");
    const validation = loadTokenStream(out, "validation");
    if (!train || !validation) throw new ValueError(`--resume: token caches missing in ${out}`);
    const { model, step } = loadLanguageModel(out);
    const optimizer = makeOptimizer(model, settingsResumed.train);
    const state = loadTrainingState(out, optimizer, step);
    log(`resuming ${out} at step ${state.step}`);
    const result = await trainModel({
      model, train, validation, outDir: out, options: settingsResumed.train, runOptions: settingsResumed as unknown as Record<string, unknown>,
      resume: { state, optimizer }, ...(hooks.progress ? { progress: hooks.progress } : {}), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
    });
    return { settings: settingsResumed, model, tokenizer, result, trainTokens: train.tokens.length, validationTokens: validation.tokens.length };
  }
  manualSeed(settings.seed);
  mkdirSync(out, { recursive: true });
  const { tokenizer, train, validation, chat } = prepareData(settings, log);
  saveTokenizer(out, tokenizer);
  if (chat) saveChatTemplate(out);
  saveTokenStream(out, "train", train);
  saveTokenStream(out, "validation", validation);
  manualSeed(settings.seed);
  const model = buildModel(settings, tokenizer.getVocabSize());
  log(`model: ${describeModel(model)}, block ${settings.train.blockSize}, ${(model.numParameters() / 1e6).toFixed(2)}M parameters`);
  const result = await trainModel({
    model, train, validation, outDir: out, options: settings.train, runOptions: settings as unknown as Record<string, unknown>,
    ...(hooks.progress ? { progress: hooks.progress } : {}), ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
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
  if (model instanceof GPT) return `GPT ${model.config.n_layer} layers, ${model.config.n_head} heads, ${model.config.n_embd} wide`;
  const c = model.config;
  return `${c.cell.toUpperCase()} language model, ${c.n_layer} layers, hidden ${c.hidden_size}, embedding ${c.n_embd}`;
}
