/**
 * Checkpoint files: `model.safetensors` (GPT-2 parameter names; a tied lm_head is stored once, as
 * transformers does), `config.json` (HF field names), `tokenizer.json`, and for resuming
 * `optimizer.safetensors` (per-parameter buffers as `state.{i}.{name}`) plus `trainer_state.json`
 * (step, schedule, RNG state, scalar optimiser state). How a run folder holds them so that a crash
 * never tears a checkpoint is run-folder.ts's job; the files carry the step in their metadata too, so a
 * folder put together by hand from two checkpoints is detected instead of resumed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { encodeSafetensors, loadSafetensors, type SafetensorsArray } from "../io/safetensors.js";
import type { GPT } from "../models/gpt/model.js";
import { GPT_MODEL_TYPE } from "../models/gpt/config.js";
import type { RecurrentLM } from "../models/rnnlm/model.js";
import { RNNLM_MODEL_TYPE } from "../models/rnnlm/config.js";
import { fromPretrained, modelFromConfigFile, pretrainedFiles } from "../models/pretrained.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { OptimizerStateDict, StateBuffer } from "../optim/state-dict.js";
import type { GeneratorState } from "../tensor/rng.js";
import type { GradScalerState } from "../optim/grad-scaler.js";
import { Tokenizer } from "../tokenizers/tokenizer.js";
import { checkFiniteWeights } from "./weights-check.js";
import { parseTrainerState } from "./trainer-state.js";
import type { RunFile } from "./run-folder.js";

/**
 * What trainer_state.json records for resuming: step, schedule, time, RNG and optimiser state, the run's options and latest
 * validation.
 */
export interface TrainerState {
  step: number;
  /** Steps the schedule runs for (0 for a wall-clock budget). */
  totalSteps: number;
  /** Training seconds spent when warmup ended (null before), for wall-clock schedules. */
  warmupEndSeconds?: number | null;
  /** Training seconds spent so far (for --time budgets across resumes). */
  elapsedSeconds: number;
  rng: GeneratorState;
  /** Everything of the optimiser's state dict except the buffers (those are in optimizer.safetensors). */
  optimizer: { paramGroups: unknown[]; scalars: Record<string, Record<string, number | null>> };
  /** The options the run was started with (flags), so --resume continues the same run. */
  options: Record<string, unknown>;
  /** Latest validation figures. */
  validation?: { loss: number; perplexity: number; bitsPerByte: number; step: number };
  /** The loss scaler's state of an fp16 run (scale, factors, interval, growth tracker). */
  gradScaler?: GradScalerState;
}

/** The models a run folder can hold: a GPT (config.json model_type "gpt2") or a recurrent LM ("loom-rnnlm"). */
export type LanguageModel = GPT | RecurrentLM;

/** The model's files, through the model registry: weights (a tied lm_head once, as wte) and config.json. */
export function modelFiles(model: LanguageModel, step: number): RunFile[] {
  return pretrainedFiles(model, { metadata: { loom_step: String(step) } });
}

/** Saves the model's weights and config.json into `dir` (each file atomically). */
export function saveModel(dir: string, model: LanguageModel, step: number): void {
  for (const f of modelFiles(model, step)) writeFileAtomic(join(dir, f.name), f.data);
}

/** A language model a run folder can hold, told apart by its registry model_type. */
function asLanguageModel(model: { modelType: string }, file: string): LanguageModel {
  if (model.modelType === GPT_MODEL_TYPE || model.modelType === RNNLM_MODEL_TYPE) return model as LanguageModel;
  throw new FormatError(file, "model_type", `${JSON.stringify(model.modelType)} is not a language model (expected ${GPT_MODEL_TYPE} or ${RNNLM_MODEL_TYPE})`);
}

/** Reads config.json and builds the (untrained) model it describes. */
export function modelFromConfig(dir: string): LanguageModel {
  return asLanguageModel(modelFromConfigFile(dir), join(dir, "config.json"));
}

/**
 * Loads a run folder's model (config.json + model.safetensors) through the model registry: for GPT,
 * transformers' naming with or without the `transformer.` prefix, and an explicit lm_head.weight.
 */
export function loadLanguageModel(dir: string): { model: LanguageModel; step: number } {
  const { model, metadata } = fromPretrained(dir, { validate: checkFiniteWeights });
  return { model: asLanguageModel(model, join(dir, "config.json")), step: Number(metadata.loom_step ?? 0) };
}

/** Loads a run folder that must hold a GPT. */
export function loadModel(dir: string): { model: GPT; step: number } {
  const { model, step } = loadLanguageModel(dir);
  if (model.modelType !== GPT_MODEL_TYPE) throw new FormatError(join(dir, "config.json"), "model_type", `expected a GPT (${GPT_MODEL_TYPE}), found ${model.modelType}`);
  return { model: model as GPT, step };
}

/** Saves the tokenizer as the run folder's tokenizer.json. */
export function saveTokenizer(dir: string, tok: Tokenizer): void {
  tok.save(join(dir, "tokenizer.json"));
}

/** Loads a run folder's tokenizer.json. */
export function loadTokenizer(dir: string): Tokenizer {
  return Tokenizer.fromFile(join(dir, "tokenizer.json"));
}

/** Splits an optimiser state dict into safetensors buffers and JSON scalars. */
function splitOptimizerState(sd: OptimizerStateDict): {
  buffers: [string, { shape: number[]; data: SafetensorsArray }][];
  scalars: Record<string, Record<string, number | null>>;
} {
  const buffers: [string, { shape: number[]; data: SafetensorsArray }][] = [];
  const scalars: Record<string, Record<string, number | null>> = {};
  for (const [index, entry] of Object.entries(sd.state)) {
    const s: Record<string, number | null> = {};
    for (const [key, value] of Object.entries(entry)) {
      if (value === null || typeof value === "number") s[key] = value;
      else buffers.push([`state.${index}.${key}`, { shape: value.shape, data: value.data }]);
    }
    scalars[index] = s;
  }
  return { buffers, scalars };
}

/** The training state's files: optimizer.safetensors and trainer_state.json (the full state, returned). */
export function trainingStateFiles(optimizer: Optimizer, state: Omit<TrainerState, "optimizer">): { files: RunFile[]; state: TrainerState } {
  const sd = optimizer.stateDict();
  const { buffers, scalars } = splitOptimizerState(sd);
  const full: TrainerState = { ...state, optimizer: { paramGroups: sd.paramGroups, scalars } };
  return {
    state: full,
    files: [
      { name: "optimizer.safetensors", data: encodeSafetensors(buffers, { loom_step: String(state.step) }) },
      { name: "trainer_state.json", data: JSON.stringify(full) + "\n" },
    ],
  };
}

export function saveTrainingState(dir: string, optimizer: Optimizer, state: Omit<TrainerState, "optimizer">): void {
  for (const f of trainingStateFiles(optimizer, state).files) writeFileAtomic(join(dir, f.name), f.data);
}

/** Reads and checks `dir`/trainer_state.json (a named error for any malformed field). */
export function readTrainerState(dir: string): TrainerState {
  const file = join(dir, "trainer_state.json");
  if (!existsSync(file)) throw new FormatError(file, "(file)", "missing: nothing to resume");
  return parseTrainerState(readFileSync(file, "utf8"), file);
}

export function loadTrainingState(dir: string, optimizer: Optimizer, modelStep: number): TrainerState {
  const file = join(dir, "trainer_state.json");
  const state = readTrainerState(dir);
  if (state.step !== modelStep) {
    throw new FormatError(file, "step", `trainer state is at step ${state.step} but model.safetensors at step ${modelStep} (a torn checkpoint)`);
  }
  const optFile = join(dir, "optimizer.safetensors");
  const st = loadSafetensors(optFile);
  if (Number(st.metadata.loom_step) !== state.step) {
    throw new FormatError(optFile, "loom_step", `optimizer state is at step ${st.metadata.loom_step}, trainer state at ${state.step}`);
  }
  const sd: OptimizerStateDict = { state: {}, paramGroups: state.optimizer.paramGroups as OptimizerStateDict["paramGroups"] };
  for (const [index, scalars] of Object.entries(state.optimizer.scalars)) sd.state[index] = { ...scalars };
  for (const [name, entry] of st.tensors) {
    const m = /^state\.(\d+)\.(.+)$/.exec(name);
    if (!m) throw new FormatError(optFile, name, "expected state.<index>.<buffer>");
    const [, index, key] = m as unknown as [string, string, string];
    if (!(entry.data instanceof Float32Array || entry.data instanceof Float64Array)) throw new FormatError(optFile, name, "expected floats");
    const buffer: StateBuffer = { dtype: entry.data instanceof Float32Array ? "float32" : "float64", shape: entry.shape, data: entry.data };
    (sd.state[index] ??= {})[key] = buffer;
  }
  optimizer.loadStateDict(sd);
  return state;
}
