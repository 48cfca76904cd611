/**
 * The language-model trainer: AdamW with decay/no-decay parameter groups, linear warmup + cosine decay,
 * gradient clipping and accumulation, periodic evaluation (validation loss, perplexity, bits per byte),
 * `metrics.jsonl`, a live progress display, step and wall-clock budgets, checkpoints that survive a
 * crash at any instant and resume exactly (run-folder.ts), Ctrl-C that saves and exits cleanly, and a
 * NaN/Inf guard that stops the run and says which checkpoint it keeps.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { noGrad } from "../autograd/grad-mode.js";
import { evaluationBatches, sampleBatch, type TokenBatch } from "../data/batches.js";
import { LoomError, ValueError } from "../errors.js";
import type { LanguageModel } from "./checkpoint.js";
import { AdamW } from "../optim/adamw.js";
import { clipGradNorm } from "../optim/clip-grad.js";
import { GradScaler, type GradScalerState } from "../optim/grad-scaler.js";
import { autocast, type AutocastDType } from "../autograd/autocast.js";
import type { Parameter } from "../nn/parameter.js";
import { Tensor } from "../tensor/tensor.js";
import { defaultGenerator } from "../tensor/rng.js";
import { modelFiles, trainingStateFiles, type TrainerState } from "./checkpoint.js";
import { pretrainedFiles } from "../models/pretrained.js";
import { GPT_MODEL_TYPE } from "../models/gpt/config.js";
import type { GPT } from "../models/gpt/model.js";
import { fileOp } from "../io/atomic.js";
import { appendLine, isEmptyFolder, latestCheckpoint, lockRunFolder, unlockRunFolder, readMetrics, replaceFile, saveCheckpoint, writeMetrics } from "./run-folder.js";
import { validateTrainOptions } from "./train-options.js";
import { lossPlotSvg } from "./plot.js";
import { createProgress, formatDuration, type ProgressDisplay } from "./progress.js";
import { hintStepGarbage } from "./gc.js";
import type { TokenStream } from "./dataset.js";

/**
 * Training settings: batch and block size, step or time budget, schedule, AdamW, clipping, accumulation, evaluation and
 * checkpoint intervals.
 */
export interface TrainOptions {
  batchSize: number;
  blockSize: number;
  /** Stop after this many optimiser steps (also the schedule's length when given). */
  steps?: number;
  /** Stop after this many seconds of training; the schedule's length is estimated from the first steps. */
  timeSeconds?: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  gradClip: number;
  gradAccumulation: number;
  evalInterval: number;
  /** Number of validation blocks per evaluation. */
  evalBlocks: number;
  logInterval: number;
  /** Save a checkpoint every this many steps (0: only at the end). */
  checkpointInterval: number;
  /**
   * "fp32" (default); "bf16" or "fp16": mixed precision, the forward (and evaluation) under
   * `autocast` with float32 master weights and optimiser state; fp16 scales the loss with a GradScaler
   * (PyTorch's defaults) whose state is saved in every checkpoint.
   */
  precision?: Precision;
  /** Gradient checkpointing of a GPT's blocks: 0 (default) off, k every k-th block (`GPT.gradientCheckpointing`). */
  gradCheckpointing?: number;
  /**
   * The dtype of the run folder's top-level model.safetensors after training: "fp32" (default), or
   * "bf16"/"fp16" (half the size; checkpoints keep float32 so that --resume stays exact).
   */
  saveDtype?: Precision;
}

/** Training precisions: float32, or bf16/fp16 mixed precision (see `TrainOptions.precision`). */
export type Precision = "fp32" | "bf16" | "fp16";

/** The autocast dtype of a precision (null for fp32). */
export function autocastDTypeOf(precision: Precision | undefined): AutocastDType | null {
  return precision === "bf16" ? "bfloat16" : precision === "fp16" ? "float16" : null;
}

/** Runs `fn` under autocast for a mixed precision, or as it is for fp32. */
function inPrecision<T>(precision: Precision | undefined, fn: () => T): T {
  const dtype = autocastDTypeOf(precision);
  return dtype === null ? fn() : autocast(dtype, fn);
}

export class TrainingStopped extends LoomError {}

/** Validation loss (mean cross-entropy in nats), perplexity e^loss, and bits per byte. */
export interface EvalResult {
  loss: number;
  perplexity: number;
  bitsPerByte: number;
}

/**
 * Mean cross-entropy over fixed validation blocks, with perplexity e^loss and bits per byte
 * loss·(tokens/bytes)/ln 2 (tokens/bytes of the whole validation stream).
 */
export function evaluate(model: LanguageModel, batches: readonly TokenBatch[], tokensPerByte: number, precision?: Precision): EvalResult {
  const wasTraining = model.training;
  model.eval();
  let sum = 0;
  let count = 0;
  noGrad(() => {
    for (const b of batches) {
      const x = new Tensor(b.x, [b.batchSize, b.blockSize]);
      const y = new Tensor(b.y, [b.batchSize, b.blockSize]);
      const loss = inPrecision(precision, () => model.forward(x, { targets: y }).loss as Tensor);
      sum += loss.item() * b.batchSize * b.blockSize;
      count += b.batchSize * b.blockSize;
    }
  });
  if (wasTraining) model.train();
  const loss = sum / count;
  return { loss, perplexity: Math.exp(loss), bitsPerByte: (loss * tokensPerByte) / Math.LN2 };
}

/** The AdamW settings every loom trainer takes (the LM trainer, BERT pretraining, fine-tuning, seq2seq tasks). */
export type AdamWSettings = Pick<TrainOptions, "lr" | "beta1" | "beta2" | "weightDecay">;

/**
 * AdamW groups as nanoGPT: weight decay on ≥2-D weights (matrices, embeddings), none on biases and norms
 * (BERT's optimiser excludes the same). Shared by every trainer in `train/`.
 */
export function makeOptimizer(model: { parameters(): Parameter[] }, options: AdamWSettings): AdamW {
  const decay: Parameter[] = [];
  const noDecay: Parameter[] = [];
  for (const p of model.parameters()) (p.ndim >= 2 ? decay : noDecay).push(p);
  return new AdamW(
    [
      { params: decay, weightDecay: options.weightDecay },
      { params: noDecay, weightDecay: 0 },
    ],
    { lr: options.lr, betas: [options.beta1, options.beta2], eps: 1e-8 },
  );
}

/**
 * Linear warmup to `lr` over the first warmupSteps, then cosine decay to `minLr` (the closed form of
 * optim's WarmupCosineLR). `progress` ∈ [0, 1] is how far the decay has run: the fraction of the
 * post-warmup steps for a step budget, of the post-warmup time for a wall-clock budget (whose step
 * count is not known in advance).
 */
export function learningRate(step: number, progress: number, options: Pick<TrainOptions, "lr" | "minLr" | "warmupSteps">): number {
  const { lr, minLr, warmupSteps } = options;
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const p = Math.min(1, Math.max(0, progress));
  return minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * p))) / 2;
}

/**
 * How far the cosine decay has run, in [0, 1) before clamping: the fraction of the post-warmup time when
 * the budget is wall-clock seconds only (`budgetSeconds`, with `warmupEndSeconds` null until warmup has
 * ended), else the fraction of the post-warmup steps out of `totalSteps`.
 */
export function decayProgress(
  step: number, totalSteps: number, warmupSteps: number,
  time: { elapsedSeconds: number; budgetSeconds: number; warmupEndSeconds: number | null } | null,
): number {
  if (time !== null) {
    return time.warmupEndSeconds === null ? 0 : (time.elapsedSeconds - time.warmupEndSeconds) / Math.max(1e-9, time.budgetSeconds - time.warmupEndSeconds);
  }
  return (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
}

/**
 * Everything `train()` needs: model, token streams, run folder, options, and optionally a checkpoint to resume, a progress
 * display and a step callback.
 */
export interface TrainerRun {
  model: LanguageModel;
  train: TokenStream;
  validation: TokenStream;
  outDir: string;
  options: TrainOptions;
  /** Options to store in trainer_state.json for --resume. */
  runOptions: Record<string, unknown>;
  /** Present when resuming. */
  resume?: { state: TrainerState; optimizer: AdamW };
  /**
   * Called after each backward, before unscaling, clipping and the step (tests inject an fp16 overflow
   * into a gradient here).
   */
  afterBackward?: (step: number, model: LanguageModel) => void;
  progress?: ProgressDisplay;
  /** Called after every step; returning true stops the run as Ctrl-C does (checkpoint, then return). */
  onStep?: (step: number, loss: number) => boolean | void;
}

/** What a training run achieved: steps, final training loss, validation figures, speed, time, and whether it was interrupted. */
export interface TrainResult {
  steps: number;
  finalLoss: number;
  validation: EvalResult | null;
  tokensPerSecond: number;
  elapsedSeconds: number;
  interrupted: boolean;
}

/** The state a checkpoint records besides the model and the optimiser's buffers. */
interface CheckpointContext {
  step: number;
  totalSteps: number;
  warmupEndSeconds: number | null;
  elapsedSeconds: number;
  runOptions: Record<string, unknown>;
  validation: (EvalResult & { step: number }) | null;
  /** The loss scaler of an fp16 run. */
  scaler?: GradScaler | null;
}

/** Saves one checkpoint of `outDir` as a unit (run-folder.ts) and returns the state it holds. */
function saveTrainingCheckpoint(outDir: string, model: LanguageModel, optimizer: AdamW, c: CheckpointContext): TrainerState {
  const { files, state } = trainingStateFiles(optimizer, {
    step: c.step,
    totalSteps: c.totalSteps,
    warmupEndSeconds: c.warmupEndSeconds,
    elapsedSeconds: c.elapsedSeconds,
    rng: defaultGenerator.getState(),
    options: c.runOptions,
    ...(c.validation ? { validation: c.validation } : {}),
    ...(c.scaler ? { gradScaler: c.scaler.stateDict() as GradScalerState } : {}),
  });
  saveCheckpoint(outDir, c.step, [...modelFiles(model, c.step), ...files]);
  return state;
}

/**
 * Saves checkpoint 0 (the initial weights, an empty optimiser state and the RNG state) into a run
 * folder that has none, so that a run can be resumed from any instant, even before its first step.
 */
export function saveInitialCheckpoint(outDir: string, model: LanguageModel, optimizer: AdamW, options: TrainOptions, runOptions: Record<string, unknown>): TrainerState {
  return saveTrainingCheckpoint(outDir, model, optimizer, {
    scaler: makeScaler(options),
    step: 0,
    totalSteps: options.steps ?? 0,
    warmupEndSeconds: options.warmupSteps === 0 ? 0 : null,
    elapsedSeconds: 0,
    runOptions,
    validation: null,
  });
}

/** The loss scaler of an fp16 run (PyTorch's defaults), else null. */
function makeScaler(options: TrainOptions): GradScaler | null {
  return options.precision === "fp16" ? new GradScaler() : null;
}

function describeCheckpoint(step: number, outDir: string): string {
  return step === 0
    ? `${outDir} keeps checkpoint 0, the initial weights (no step finished)`
    : `${outDir} keeps checkpoint ${step}, the last one saved before the failure`;
}

/**
 * The training loop of `loom train` (the {@link Trainer} class wraps it with defaults): AdamW, warmup +
 * cosine schedule, clipping, accumulation, evaluation, checkpoints saved as units, Ctrl-C that saves, a
 * NaN guard.
 */
export async function train(run: TrainerRun): Promise<TrainResult> {
  const { options, outDir } = run;
  validateTrainOptions(options);
  const evalSet = evaluationBatches(run.validation.tokens, options.blockSize, options.evalBlocks, options.batchSize);
  fileOp(outDir, "create the run folder", () => mkdirSync(outDir, { recursive: true }));
  const optimizer = run.resume?.optimizer ?? makeOptimizer(run.model, options);

  lockRunFolder(outDir);
  try {
    return await trainLocked(run, optimizer, evalSet);
  } finally {
    unlockRunFolder(outDir);
  }
}

async function trainLocked(run: TrainerRun, optimizer: AdamW, evalSet: TokenBatch[]): Promise<TrainResult> {
  const { model, options, outDir } = run;
  const metricsFile = join(outDir, "metrics.jsonl");
  const progress = run.progress ?? createProgress();
  const tokensPerStep = options.batchSize * options.blockSize * options.gradAccumulation;
  const tokensPerByte = run.validation.tokens.length / run.validation.bytes;
  let resume = run.resume;
  if (!resume) {
    const existing = latestCheckpoint(outDir);
    if (existing) throw new ValueError(`train: ${outDir} already holds checkpoint ${existing.step}; resume it (resume: …) or write to another folder`);
    if (!isEmptyFolder(outDir)) throw new ValueError(`train: ${outDir} is not empty; a run writes into a folder of its own`);
    resume = { state: saveInitialCheckpoint(outDir, model, optimizer, options, run.runOptions), optimizer };
  }
  const saved = resume.state;
  let step = saved.step;
  let lastSavedStep = step;
  const totalSteps = options.steps ?? 0;
  // Training seconds spent when warmup ended: the time-budget schedule decays over what remains.
  let warmupEndSeconds = saved.warmupEndSeconds ?? (options.warmupSteps === 0 ? 0 : null);
  let elapsed = saved.elapsedSeconds;
  defaultGenerator.setState(saved.rng);
  let validation: (EvalResult & { step: number }) | null = saved.validation ?? null;
  let lastLoss = NaN;
  const scaler = makeScaler(options);
  if (scaler && saved.gradScaler) scaler.loadStateDict(saved.gradScaler);
  const precision = options.precision;
  if ((options.gradCheckpointing ?? 0) > 0) {
    if (model.modelType !== GPT_MODEL_TYPE) throw new ValueError("--grad-checkpointing: only GPT models checkpoint their blocks");
    (model as GPT).gradientCheckpointing = options.gradCheckpointing as number;
  }
  // The log up to the checkpoint: rows a crashed or interrupted run wrote after it are written again.
  const rows = readMetrics(metricsFile, step);
  writeMetrics(metricsFile, rows);
  const trainCurve: [number, number][] = rows.filter((r) => typeof r.loss === "number").map((r) => [r.step, r.loss as number]);
  const valCurve: [number, number][] = rows.filter((r) => typeof r.val_loss === "number").map((r) => [r.step, r.val_loss as number]);

  const plot = () =>
    replaceFile(join(outDir, "loss.svg"), lossPlotSvg([
      { name: "train", color: "#1f77b4", points: trainCurve },
      { name: "validation", color: "#d62728", points: valCurve },
    ], "loom training loss"));
  // The plot of the log as it stands at the checkpoint (a crash may have cut it off earlier or later).
  if (step > 0) plot();
  const checkpoint = () => {
    saveTrainingCheckpoint(outDir, model, optimizer, { step, totalSteps, warmupEndSeconds, elapsedSeconds: elapsed, runOptions: run.runOptions, validation, scaler });
    lastSavedStep = step;
    plot();
  };
  const doEval = () => {
    const v = evaluate(model, evalSet, tokensPerByte, precision);
    validation = { ...v, step };
    valCurve.push([step, v.loss]);
    appendLine(metricsFile, JSON.stringify({ step, val_loss: v.loss, val_perplexity: v.perplexity, val_bpb: v.bitsPerByte }));
    progress.log(`step ${step}: validation loss ${v.loss.toFixed(4)} | perplexity ${v.perplexity.toFixed(2)} | ${v.bitsPerByte.toFixed(3)} bits/byte`);
  };
  const budgetReached = () =>
    (options.steps !== undefined && step >= options.steps) || (options.timeSeconds !== undefined && elapsed >= options.timeSeconds);

  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.once("SIGINT", onSigint);
  model.train();
  const runStart = performance.now();
  let runSteps = 0;
  try {
    while (!budgetReached()) {
      // Yield to the event loop so Ctrl-C (SIGINT) is delivered between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (interrupted) break;
      const t0 = performance.now();
      const progressSoFar = decayProgress(step, totalSteps, options.warmupSteps,
        options.timeSeconds !== undefined && options.steps === undefined
          ? { elapsedSeconds: elapsed, budgetSeconds: options.timeSeconds, warmupEndSeconds } : null);
      const lr = learningRate(step, progressSoFar, options);
      for (const g of optimizer.paramGroups) g.lr = lr;
      let lossSum = 0;
      for (let micro = 0; micro < options.gradAccumulation; micro++) {
        const b = sampleBatch(run.train.tokens, options.batchSize, options.blockSize, defaultGenerator);
        const { loss } = inPrecision(precision, () =>
          model.forward(new Tensor(b.x, [b.batchSize, b.blockSize]), { targets: new Tensor(b.y, [b.batchSize, b.blockSize]) }));
        const l = loss as Tensor;
        const value = l.item();
        if (!Number.isFinite(value)) {
          throw new TrainingStopped(
            `training stopped: the loss is ${value} at step ${step + 1} (lr ${lr.toExponential(2)}; try a lower --lr); ${describeCheckpoint(lastSavedStep, outDir)}`,
          );
        }
        lossSum += value;
        const term = options.gradAccumulation > 1 ? l.div(options.gradAccumulation) : l;
        (scaler ? scaler.scale(term) : term).backward();
      }
      run.afterBackward?.(step, model);
      // fp16: gradients are unscaled before clipping (so the threshold means what it says), and the
      // step is skipped when the scaled backward overflowed (GradScaler's rule).
      if (scaler) scaler.unscale_(optimizer);
      // The global norm before clipping, logged for the dashboard (only computed where clipping needs it anyway).
      const gradNorm = options.gradClip > 0 ? clipGradNorm(model.parameters(), options.gradClip) : null;
      if (scaler) {
        scaler.step(optimizer);
        scaler.update();
      } else optimizer.step();
      optimizer.zeroGrad();
      // The step's activations are all garbage now: have V8 start collecting them (gc.ts).
      hintStepGarbage();
      step++;
      runSteps++;
      lastLoss = lossSum / options.gradAccumulation;
      elapsed += (performance.now() - t0) / 1000;
      trainCurve.push([step, lastLoss]);
      if (warmupEndSeconds === null && step >= options.warmupSteps) warmupEndSeconds = elapsed;
      const wall = (performance.now() - runStart) / 1000;
      const tokensPerSecond = (runSteps * tokensPerStep) / wall;
      const byTime = options.timeSeconds !== undefined && options.steps === undefined;
      const remaining = byTime ? (options.timeSeconds as number) - elapsed : ((totalSteps - step) * wall) / runSteps;
      // For a time budget, the step count is an estimate from the speed so far.
      const expectedTotal = byTime ? step + Math.max(0, Math.round(remaining / (wall / runSteps))) : totalSteps;
      if (step % options.logInterval === 0 || step === 1) {
        const scale = scaler ? { loss_scale: scaler.getScale() } : {};
        appendLine(metricsFile, JSON.stringify({ step, loss: lastLoss, lr, tokens_per_second: Math.round(tokensPerSecond), elapsed_seconds: +elapsed.toFixed(2), ...(gradNorm === null ? {} : { grad_norm: gradNorm }), ...scale }));
      }
      progress.update({ step, total: Math.max(expectedTotal, step), loss: lastLoss, tokensPerSecond, etaSeconds: remaining, lr });
      // The last step evaluates and saves here, so the same step is never saved twice.
      const finished = budgetReached();
      if ((options.evalInterval > 0 && step % options.evalInterval === 0) || (finished && validation?.step !== step)) doEval();
      if ((options.checkpointInterval > 0 && step % options.checkpointInterval === 0) || finished) checkpoint();
      if (run.onStep?.(step, lastLoss) === true) interrupted = true;
    }
    if (lastSavedStep !== step) checkpoint();
    if (options.saveDtype === "bf16" || options.saveDtype === "fp16") {
      // The top-level model in half precision; the checkpoint behind it keeps the float32 masters.
      const floatDType = options.saveDtype === "bf16" ? "BF16" : "F16";
      for (const f of pretrainedFiles(model, { metadata: { loom_step: String(step) }, floatDType })) replaceFile(join(outDir, f.name), f.data);
    }
    if (interrupted) progress.log(`interrupted at step ${step}: checkpoint saved in ${outDir}; resume with --resume`);
  } finally {
    process.removeListener("SIGINT", onSigint);
    progress.stop();
  }
  const wall = (performance.now() - runStart) / 1000;
  return {
    steps: step,
    finalLoss: lastLoss,
    validation,
    tokensPerSecond: runSteps > 0 ? (runSteps * tokensPerStep) / wall : 0,
    elapsedSeconds: elapsed,
    interrupted,
  };
}

export { formatDuration };
