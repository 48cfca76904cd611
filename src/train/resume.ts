/**
 * `--resume`: the run continues with its own saved settings (preset, budget, learning rate, …), read
 * from its latest complete checkpoint. Explicit flags are sorted three ways:
 *   - budgets extend the run: `--steps N` trains N more steps, `--time T` T more seconds of training
 *     (time already spent does not count against T);
 *   - optimisation and logging settings (lr, warmup, clipping, batch, intervals) apply from the
 *     checkpoint on, and each change is reported;
 *   - what the checkpoint fixed (architecture, tokenizer and data, seed, preset) is refused with the reason.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ValueError } from "../errors.js";
import { formatDuration } from "./progress.js";
import { readTrainerState } from "./checkpoint.js";
import { CHECKPOINT_PREFIX, latestCheckpoint, lockRunFolder, repairRunFolder, saveCheckpoint, unlockRunFolder } from "./run-folder.js";
import { fileOp } from "../io/atomic.js";
import { removePublishLeftovers } from "./run-publish.js";
import type { RunSettings, ModelKind } from "./run.js";
import { flagName, validateTrainOptions } from "./train-options.js";
import type { TrainOptions } from "./trainer.js";
import type { GPTConfig } from "../models/gpt/config.js";
import type { RecurrentLMConfig } from "../models/rnnlm/config.js";

/** The settings given explicitly with `--resume` (flags left at their defaults are absent). */
export interface ResumeChanges {
  preset?: string;
  modelKind?: ModelKind;
  data?: string;
  tokenizer?: string;
  seed?: number;
  model?: Partial<GPTConfig>;
  recurrent?: Partial<RecurrentLMConfig>;
  train?: Partial<TrainOptions>;
}

export interface ResumePlan {
  /** The run's settings with the changes applied. */
  settings: RunSettings;
  /** The checkpoint folder it continues from. */
  checkpoint: string;
  step: number;
  /** Lines for the user: what was repaired, changed or extended. */
  notes: string[];
}

/** Settings a resumed run may change, from the checkpoint on. */
const CHANGEABLE: (keyof TrainOptions)[] = [
  "lr", "minLr", "warmupSteps", "weightDecay", "gradClip", "gradAccumulation", "batchSize", "evalInterval", "evalBlocks", "checkpointInterval", "logInterval",
];

const ARCHITECTURE = "the architecture is fixed by the checkpoint's weights (config.json); start a new run (--overwrite or another --out) to change it";

/** A duration for a note: tenths of a second below a minute (a short run's budget is seconds). */
function seconds(s: number): string {
  return s < 60 ? `${s.toFixed(1)}s` : formatDuration(s);
}

function differs(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The saved run settings of trainer_state.json's `options`, checked field by field. */
function savedSettings(options: unknown, file: string, out: string): RunSettings {
  const field = (name: string) => `${file}: options.${name}`;
  if (!isObject(options)) throw new ValueError(`${field("")}: expected the run's settings`);
  for (const k of ["preset", "modelKind", "data", "tokenizer"] as const) {
    if (typeof options[k] !== "string") throw new ValueError(`${field(k)}: expected a string, got ${JSON.stringify(options[k])}`);
  }
  if (typeof options.seed !== "number") throw new ValueError(`${field("seed")}: expected a number, got ${JSON.stringify(options.seed)}`);
  for (const k of ["model", "recurrent", "train"] as const) {
    if (!isObject(options[k])) throw new ValueError(`${field(k)}: expected an object, got ${JSON.stringify(options[k])}`);
  }
  validateTrainOptions(options.train as Partial<TrainOptions>, (o) => field(`train.${o}`));
  return { ...(options as unknown as RunSettings), out };
}

/** Loads the plan of a resumed run in `out`, repairing what a crash left there first. */
export function planResume(out: string, changes: ResumeChanges = {}): ResumePlan {
  if (!existsSync(out)) throw new ValueError(`--resume: ${out} does not exist`);
  // Before anything is cleaned up: another process may be saving into this folder right now.
  lockRunFolder(out);
  try {
    return plan(out, changes);
  } catch (e) {
    unlockRunFolder(out);
    throw e;
  }
}

function plan(out: string, changes: ResumeChanges): ResumePlan {
  const notes: string[] = [];
  const removed = [...removePublishLeftovers(out), ...repairRunFolder(out)];
  if (removed.length > 0) notes.push(`removed ${removed.length} leftover file${removed.length === 1 ? "" : "s"} of an interrupted save: ${removed.join(", ")}`);
  if (!latestCheckpoint(out) && existsSync(join(out, "trainer_state.json"))) {
    const step = convertOldLayout(out);
    notes.push(`moved the run's checkpoint (step ${step}) into ${CHECKPOINT_PREFIX}${step}/, the crash-safe layout`);
  }
  const latest = latestCheckpoint(out);
  if (!latest) throw new ValueError(`--resume: ${out} has no complete checkpoint (a checkpoint-N folder)`);
  const state = readTrainerState(latest.dir);
  const saved = savedSettings(state.options, join(latest.dir, "trainer_state.json"), out);
  const settings: RunSettings = { ...saved, model: { ...saved.model }, recurrent: { ...saved.recurrent }, train: { ...saved.train } };

  const refuse = (flag: string, given: unknown, kept: unknown, reason: string) => {
    throw new ValueError(`--resume: ${flag} ${JSON.stringify(given)} cannot change (the run has ${JSON.stringify(kept)}): ${reason}`);
  };
  if (changes.preset !== undefined && changes.preset !== saved.preset) {
    refuse("--preset", changes.preset, saved.preset, "a resumed run keeps its own settings; give single flags such as --steps, --time or --lr to change what may change");
  }
  if (changes.modelKind !== undefined && changes.modelKind !== saved.modelKind) refuse("--model", changes.modelKind, saved.modelKind, ARCHITECTURE);
  if (changes.data !== undefined && changes.data !== saved.data) {
    refuse("--data", changes.data, saved.data, "the data was split and encoded when the run started (train.tokens, validation.tokens); start a new run to train on other data");
  }
  if (changes.tokenizer !== undefined && changes.tokenizer !== saved.tokenizer) {
    refuse("--tokenizer", changes.tokenizer, saved.tokenizer, "the model's embeddings belong to the run's tokenizer.json; start a new run to change it");
  }
  if (changes.seed !== undefined && changes.seed !== saved.seed) refuse("--seed", changes.seed, saved.seed, "the random state continues from the checkpoint");
  const t = changes.train ?? {};
  if (t.blockSize !== undefined && t.blockSize !== saved.train.blockSize) refuse("--block-size", t.blockSize, saved.train.blockSize, ARCHITECTURE);
  for (const [key, value] of Object.entries(changes.model ?? {})) {
    if (differs(value, (saved.model as Record<string, unknown>)[key])) refuse(`model setting ${key}`, value, (saved.model as Record<string, unknown>)[key], ARCHITECTURE);
  }
  for (const [key, value] of Object.entries(changes.recurrent ?? {})) {
    if (differs(value, (saved.recurrent as Record<string, unknown>)[key])) refuse(`recurrent setting ${key}`, value, (saved.recurrent as Record<string, unknown>)[key], ARCHITECTURE);
  }

  for (const key of CHANGEABLE) {
    const value = t[key];
    if (value === undefined || value === saved.train[key]) continue;
    (settings.train as unknown as Record<string, unknown>)[key] = value;
    notes.push(`${flagName(key)}: ${saved.train[key]} → ${value} from step ${state.step} on`);
  }

  // Budgets: what is given is added to what the run has done.
  if (t.steps !== undefined || t.timeSeconds !== undefined) {
    delete settings.train.steps;
    delete settings.train.timeSeconds;
    if (t.steps !== undefined) {
      settings.train.steps = state.step + t.steps;
      notes.push(`budget: ${t.steps} more steps (to step ${settings.train.steps})`);
    }
    if (t.timeSeconds !== undefined) {
      settings.train.timeSeconds = state.elapsedSeconds + t.timeSeconds;
      notes.push(`budget: ${seconds(t.timeSeconds)} more training time (${seconds(state.elapsedSeconds)} already spent)`);
    }
  } else {
    const { steps, timeSeconds } = settings.train;
    const reached = (steps !== undefined && state.step >= steps) || (timeSeconds !== undefined && state.elapsedSeconds >= timeSeconds);
    const budget = steps !== undefined ? `${steps} steps` : `${formatDuration(timeSeconds as number)} of training`;
    notes.push(
      reached
        ? `the run already reached its budget (${budget}); give --steps N or --time T to train further`
        : `budget: the run's own, ${budget} in all (${steps !== undefined ? `${steps - state.step} steps` : `${formatDuration((timeSeconds as number) - state.elapsedSeconds)}`} left)`,
    );
  }
  validateTrainOptions(settings.train, flagName);
  return { settings, checkpoint: latest.dir, step: state.step, notes };
}

/** The checkpoint files an older loom kept at the top of the run folder. */
const OLD_LAYOUT_FILES = ["model.safetensors", "config.json", "optimizer.safetensors", "trainer_state.json"];

/**
 * A run folder of an older loom keeps its one checkpoint at the top level: its files are copied into
 * a checkpoint folder (one unit, as every save), then the top-level training state is removed.
 */
function convertOldLayout(out: string): number {
  const state = readTrainerState(out);
  const files = OLD_LAYOUT_FILES.map((name) => ({ name, data: fileOp(join(out, name), "read the checkpoint file", () => readFileSync(join(out, name))) }));
  saveCheckpoint(out, state.step, files);
  for (const name of ["optimizer.safetensors", "trainer_state.json"]) rmSync(join(out, name), { force: true });
  return state.step;
}
