/**
 * The training loop of a sequence-to-sequence task, on the language-model trainer's machinery: AdamW
 * with decay/no-decay groups, linear warmup + cosine decay, gradient clipping, checkpoints saved as
 * units into the run folder (run-folder.ts), metrics.jsonl and loss.svg, the live progress display,
 * Ctrl-C that saves and stops, and a NaN guard. What differs is the data and the evaluation, which a
 * TrainingTask supplies (training-task.ts): the loss of each step's batch, and figures of decoded
 * validation examples during training and of the test set, greedy and beam search, at the end.
 *
 * A time budget covers training and the final test evaluation together: training stops when the time
 * left is what the test decoding is estimated to take (timed on the validation subset at each
 * evaluation, scaled to the test set's size), so the whole run ends within the budget.
 */
import { join } from "node:path";
import { ValueError } from "../../errors.js";
import { AdamW } from "../../optim/adamw.js";
import { clipGradNorm } from "../../optim/clip-grad.js";
import { defaultGenerator } from "../../tensor/rng.js";
import { pretrainedFiles } from "../../models/pretrained.js";
import { trainingStateFiles, type TrainerState } from "../checkpoint.js";
import { lossPlotSvg } from "../plot.js";
import { createProgress, type ProgressDisplay } from "../progress.js";
import { appendLine, lockRunFolder, replaceFile, saveCheckpoint, unlockRunFolder } from "../run-folder.js";
import { decayProgress, learningRate, makeOptimizer, TrainingStopped } from "../trainer.js";
import type { TaskModel } from "./models.js";
import type { TaskEvaluation, TrainingTask } from "./training-task.js";

/** Settings of a seq2seq training run. */
export interface Seq2SeqTrainOptions {
  /** Pairs per optimiser step. */
  batchSize: number;
  /** Stop after this many steps. */
  steps?: number;
  /** Seconds for training and the final test evaluation together (see the file comment). */
  timeSeconds?: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  /** Clip the global gradient norm (0: off). */
  gradClip: number;
  /** Evaluate on the validation subset every this many steps (0: at the end only). */
  evalInterval: number;
  /** Validation examples decoded at each evaluation (the first ones of the split). */
  evalExamples: number;
  /** Save a checkpoint every this many steps (0: only at the end). */
  checkpointInterval: number;
  /** Write a training-loss row to metrics.jsonl every this many steps. */
  logInterval: number;
  /** Beams of the beam-search evaluation (the test set at the end). */
  numBeams: number;
  /** Seeds the batch order (batches.ts) or the mixture's draws. */
  seed: number;
}

/** Defaults: a run suited to CMUdict G2P on two cores. */
export const defaultSeq2SeqTrainOptions: Readonly<Seq2SeqTrainOptions> = Object.freeze({
  batchSize: 128,
  lr: 1e-3,
  minLr: 5e-5,
  warmupSteps: 100,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.98,
  gradClip: 1,
  evalInterval: 200,
  evalExamples: 1000,
  checkpointInterval: 0,
  logInterval: 10,
  numBeams: 5,
  seed: 1337,
});

/** Checks the options, naming the field and value that is wrong. */
export function validateSeq2SeqTrainOptions(o: Seq2SeqTrainOptions): void {
  const positiveInt = (v: number | undefined) => v === undefined || (Number.isInteger(v) && v >= 1);
  const nonNegativeInt = (v: number) => Number.isInteger(v) && v >= 0;
  const bad = (field: string, value: unknown, expected: string) => new ValueError(`seq2seq train: ${field} must be ${expected}, got ${String(value)}`);
  if (o.steps === undefined && o.timeSeconds === undefined) throw new ValueError("seq2seq train: give a step budget or a time budget");
  for (const k of ["batchSize", "steps", "numBeams", "evalExamples", "logInterval"] as const) if (!positiveInt(o[k])) throw bad(k, o[k], "a positive integer");
  for (const k of ["warmupSteps", "evalInterval", "checkpointInterval", "seed"] as const) if (!nonNegativeInt(o[k])) throw bad(k, o[k], "an integer ≥ 0");
  if (o.timeSeconds !== undefined && !(o.timeSeconds > 0)) throw bad("timeSeconds", o.timeSeconds, "> 0");
  if (!(o.lr > 0)) throw bad("lr", o.lr, "> 0");
  if (!(o.minLr >= 0 && o.minLr <= o.lr)) throw bad("minLr", o.minLr, `in [0, lr = ${o.lr}]`);
  for (const k of ["weightDecay", "gradClip"] as const) if (!(o[k] >= 0)) throw bad(k, o[k], "≥ 0");
  for (const k of ["beta1", "beta2"] as const) if (!(o[k] >= 0 && o[k] < 1)) throw bad(k, o[k], "in [0, 1)");
}

/** AdamW with weight decay on ≥2-D weights only (nanoGPT's groups, as the language-model trainer). */
export function makeSeq2SeqOptimizer(model: TaskModel, o: Seq2SeqTrainOptions): AdamW {
  return makeOptimizer(model, o);
}

/** One checkpoint's files: the model folder (config.json, model.safetensors) and the optimiser and trainer state. */
export function seq2seqCheckpointFiles(model: TaskModel, optimizer: AdamW, state: Omit<TrainerState, "optimizer">): { name: string; data: string | Uint8Array | readonly Uint8Array[] }[] {
  return [...pretrainedFiles(model, { metadata: { loom_step: String(state.step) } }), ...trainingStateFiles(optimizer, state).files];
}

/** What {@link trainSeq2Seq} needs: the model, the task, the run folder (already published with checkpoint 0) and options. */
export interface Seq2SeqTrainerRun {
  model: TaskModel;
  task: TrainingTask;
  optimizer: AdamW;
  outDir: string;
  options: Seq2SeqTrainOptions;
  /** Stored in each checkpoint's trainer_state.json. */
  runOptions: Record<string, unknown>;
  /** When the time budget started (performance.now() ms; default: now), so time spent before training counts. */
  startedAt?: number;
  progress?: ProgressDisplay;
  log?: (line: string) => void;
  /** Called after every step; returning true stops the run as Ctrl-C does. */
  onStep?: (step: number, loss: number) => boolean | void;
}

/** What a seq2seq run achieved. */
export interface Seq2SeqTrainResult {
  steps: number;
  /** Epochs of the training pairs seen. */
  epochs: number;
  finalLoss: number;
  /** The last validation evaluation (greedy, on the validation subset). */
  validation: (TaskEvaluation & { step: number }) | null;
  /** Test set, greedy and beam search; null when the run was interrupted. */
  test: { greedy: TaskEvaluation; beam: TaskEvaluation; numBeams: number } | null;
  /** Seconds spent in optimiser steps. */
  trainingSeconds: number;
  /** Seconds from startedAt to the end of the test evaluation. */
  wallSeconds: number;
  interrupted: boolean;
}

/** `metrics` with each name prefixed (metrics.jsonl's val_wer, test_beam_per, …). */
function prefixed(prefix: string, metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [prefix + k, v]));
}

/** Sources decoded by beam search when timing it at an evaluation (one decoding batch). */
const BEAM_TIMING_EXAMPLES = 128;

/** Trains to the budget, evaluating on validation as it goes, then scores the test set greedy and with beams. */
export async function trainSeq2Seq(run: Seq2SeqTrainerRun): Promise<Seq2SeqTrainResult> {
  validateSeq2SeqTrainOptions(run.options);
  lockRunFolder(run.outDir);
  try {
    return await trainLocked(run);
  } finally {
    unlockRunFolder(run.outDir);
  }
}

async function trainLocked(run: Seq2SeqTrainerRun): Promise<Seq2SeqTrainResult> {
  const { model, task, optimizer, options: o, outDir } = run;
  const startedAt = run.startedAt ?? performance.now();
  const log = run.log ?? ((line: string) => console.log(line));
  const progress = run.progress ?? createProgress();
  const metricsFile = join(outDir, "metrics.jsonl");
  const perEpoch = task.batchesPerEpoch;
  if (perEpoch === 0) throw new ValueError("seq2seq train: no training pairs");
  const seconds = () => (performance.now() - startedAt) / 1000;

  // Seconds per example of greedy and beam decoding, from the latest evaluation.
  let greedyCost = 0;
  let beamCost = 0;
  let measured = false;
  // Until an evaluation has timed the decoding, a fifth of the budget is kept for the test set.
  const testReserve = () => (measured ? 1.15 * task.testSize * (greedyCost + beamCost) + 5 : 0.2 * (o.timeSeconds ?? 0));
  const trainSeconds = () => (o.timeSeconds ?? Infinity) - testReserve();

  let step = 0;
  let lastSavedStep = 0;
  let elapsed = 0;
  let warmupEndSeconds: number | null = o.warmupSteps === 0 ? 0 : null;
  let lastLoss = NaN;
  let validation = null as Seq2SeqTrainResult["validation"];
  const trainCurve: [number, number][] = [];

  const plot = () => replaceFile(join(outDir, "loss.svg"), lossPlotSvg([{ name: "train", color: "#1f77b4", points: trainCurve }], "loom seq2seq training loss"));
  const checkpoint = () => {
    saveCheckpoint(outDir, step, seq2seqCheckpointFiles(model, optimizer, {
      step, totalSteps: o.steps ?? 0, warmupEndSeconds, elapsedSeconds: elapsed, rng: defaultGenerator.getState(), options: run.runOptions,
    }));
    lastSavedStep = step;
    if (trainCurve.length > 0) plot();
  };
  const evaluateValidation = () => {
    const greedy = task.evaluate(model, "validation", { numBeams: 1, limit: o.evalExamples });
    const beam = task.evaluate(model, "validation", { numBeams: o.numBeams, limit: Math.min(o.evalExamples, BEAM_TIMING_EXAMPLES) });
    greedyCost = greedy.seconds / Math.max(1, greedy.examples);
    beamCost = beam.seconds / Math.max(1, beam.examples);
    measured = true;
    validation = { ...greedy, step };
    appendLine(metricsFile, JSON.stringify({
      step, ...prefixed("val_", greedy.metrics), val_examples: greedy.examples, ...prefixed("val_beam_", beam.metrics), val_beam_examples: beam.examples,
    }));
    progress.log(`step ${step}: validation (${greedy.examples} examples) greedy ${greedy.summary} | beam ${o.numBeams} (${beam.examples}) ${beam.summary} | ${(greedy.seconds + beam.seconds).toFixed(1)}s`);
  };
  const budgetReached = () => (o.steps !== undefined && step >= o.steps) || (o.timeSeconds !== undefined && seconds() >= trainSeconds());

  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.once("SIGINT", onSigint);
  model.train();
  const loopStart = performance.now();
  let tokens = 0;
  try {
    while (!budgetReached()) {
      await new Promise<void>((resolve) => setImmediate(resolve)); // lets Ctrl-C in between steps
      if (interrupted) break;
      const t0 = performance.now();
      const byTime = o.timeSeconds !== undefined && o.steps === undefined;
      const progressSoFar = decayProgress(step, o.steps ?? 0, o.warmupSteps,
        byTime ? { elapsedSeconds: seconds(), budgetSeconds: trainSeconds(), warmupEndSeconds } : null);
      const lr = learningRate(step, progressSoFar, o);
      for (const g of optimizer.paramGroups) g.lr = lr;
      const { loss, tokens: batchTokens } = task.batch(model, step);
      const value = loss.item();
      if (!Number.isFinite(value)) {
        throw new TrainingStopped(`training stopped: the loss is ${value} at step ${step + 1} (lr ${lr.toExponential(2)}; try a lower --lr); ${outDir} keeps checkpoint ${lastSavedStep}`);
      }
      loss.backward();
      if (o.gradClip > 0) clipGradNorm(model.parameters(), o.gradClip);
      optimizer.step();
      optimizer.zeroGrad();
      step++;
      lastLoss = value;
      tokens += batchTokens;
      elapsed += (performance.now() - t0) / 1000;
      if (warmupEndSeconds === null && step >= o.warmupSteps) warmupEndSeconds = seconds();
      trainCurve.push([step, value]);
      const wall = (performance.now() - loopStart) / 1000;
      const perStep = wall / step;
      const remaining = byTime ? Math.max(0, trainSeconds() - seconds()) : ((o.steps ?? step) - step) * perStep;
      const total = byTime ? step + Math.round(remaining / perStep) : (o.steps as number);
      if (step % o.logInterval === 0 || step === 1) {
        appendLine(metricsFile, JSON.stringify({ step, loss: value, lr, tokens_per_second: Math.round(tokens / wall), epoch: +(step / perEpoch).toFixed(3), elapsed_seconds: +elapsed.toFixed(2) }));
      }
      progress.update({ step, total: Math.max(total, step), loss: value, tokensPerSecond: tokens / wall, etaSeconds: remaining, lr });
      const finished = budgetReached();
      if ((o.evalInterval > 0 && step % o.evalInterval === 0) || (finished && validation?.step !== step)) {
        evaluateValidation();
      }
      if ((o.checkpointInterval > 0 && step % o.checkpointInterval === 0) || finished) checkpoint();
      if (run.onStep?.(step, value) === true) interrupted = true;
    }
    if (lastSavedStep !== step) checkpoint();
  } finally {
    process.removeListener("SIGINT", onSigint);
    progress.stop();
  }
  if (interrupted) {
    log(`interrupted at step ${step}: checkpoint saved in ${outDir} (no test evaluation)`);
    return { steps: step, epochs: step / perEpoch, finalLoss: lastLoss, validation, test: null, trainingSeconds: elapsed, wallSeconds: seconds(), interrupted };
  }
  log(`test: decoding ${task.testSize} examples, greedy and beam ${o.numBeams} …`);
  const greedy = task.evaluate(model, "test", { numBeams: 1 });
  const beam = task.evaluate(model, "test", { numBeams: o.numBeams });
  const test = { greedy, beam, numBeams: o.numBeams };
  appendLine(metricsFile, JSON.stringify({ step, ...prefixed("test_", greedy.metrics), ...prefixed("test_beam_", beam.metrics), test_examples: greedy.examples }));
  return { steps: step, epochs: step / perEpoch, finalLoss: lastLoss, validation, test, trainingSeconds: elapsed, wallSeconds: seconds(), interrupted };
}
