/**
 * Fine-tuning a sequence classifier (BERT's recipe, Devlin et al. 2019 §4 and appendix A.3): a few
 * epochs over the labelled examples in a new seeded order each epoch, AdamW (weight decay on matrices
 * and embeddings only), linear warmup then linear decay to 0, gradient clipping; the validation report
 * (accuracy, precision, recall, F1, confusion matrix) after every epoch (and every `evalInterval`
 * steps); `metrics.jsonl`; checkpoints saved as units in the run folder (run-folder.ts) with the
 * optimiser and RNG state; Ctrl-C that saves and returns; a NaN guard that stops and names the
 * checkpoint it keeps.
 */
import { join } from "node:path";
import { LoomError, ValueError } from "../../errors.js";
import { AdamW } from "../../optim/adamw.js";
import { clipGradNorm } from "../../optim/clip-grad.js";
import { Tensor } from "../../tensor/tensor.js";
import { Generator, defaultGenerator } from "../../tensor/rng.js";
import { trainingStateFiles, type TrainerState } from "../checkpoint.js";
import { makeOptimizer } from "../trainer.js";
import { appendLine, latestCheckpoint, lockRunFolder, readMetrics, saveCheckpoint, unlockRunFolder, writeMetrics } from "../run-folder.js";
import { createProgress, type ProgressDisplay } from "../progress.js";
import { classifierFiles, type SequenceClassifier } from "./classifier.js";
import { classificationReport, formatReport, predictProbabilities, type ClassificationReport } from "./evaluate.js";
import { classificationBatch, type ClassificationInputs } from "./inputs.js";

/** Fine-tuning settings (BERT's ranges: batch 16–32, lr 2e-5–5e-5 for BERT-base, 2–4 epochs, warmup 10%). */
export interface FineTuneOptions {
  epochs: number;
  batchSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Fraction of all steps spent warming up linearly from 0 (then linear decay to 0). */
  warmupFraction: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  /** Clip the global gradient norm (0: off). */
  gradClip: number;
  /** Evaluate on validation every this many steps as well as after each epoch (0: after each epoch only). */
  evalInterval: number;
  /** Save a checkpoint every this many steps as well as after each epoch (0: after each epoch only). */
  checkpointInterval: number;
  /** Sequences per evaluation batch. */
  evalBatchSize: number;
  /** Seeds each epoch's order (epoch e uses Generator(seed + e + 1)), independent of dropout's generator. */
  seed: number;
}

/**
 * Defaults for a small BERT trained from few examples: a higher lr than BERT-base's 2e-5–5e-5, as small
 * models tolerate (chosen on the SpamAssassin validation split: 98.8% after 2–3 epochs from scratch).
 */
export const defaultFineTuneOptions: FineTuneOptions = {
  epochs: 3,
  batchSize: 32,
  lr: 1e-3,
  warmupFraction: 0.1,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  gradClip: 1,
  evalInterval: 0,
  checkpointInterval: 0,
  evalBatchSize: 64,
  seed: 1337,
};

/** Labelled inputs: encoded texts and their class ids. */
export interface LabelledInputs {
  inputs: ClassificationInputs;
  labels: readonly number[];
}

/** Everything {@link fineTune} needs. */
export interface FineTuneRun {
  model: SequenceClassifier;
  /** Class names by id (written to config.json's id2label). */
  labels: readonly string[];
  train: LabelledInputs;
  validation: LabelledInputs | null;
  /** The run folder: created beforehand (tokenizer and checkpoint 0 inside, see saveInitialClassifierCheckpoint). */
  outDir: string;
  options: FineTuneOptions;
  /** What trainer_state.json records as the run's options (for --resume). */
  runOptions: Record<string, unknown>;
  /** The state and optimiser to continue from (checkpoint 0 for a new run). */
  resume: { state: TrainerState; optimizer: AdamW };
  progress?: ProgressDisplay;
  /** Called after every step; returning true stops the run as Ctrl-C does (checkpoint, then return). */
  onStep?: (step: number, loss: number) => boolean | void;
}

/** What a fine-tuning run achieved. */
export interface FineTuneResult {
  steps: number;
  totalSteps: number;
  finalLoss: number;
  /** The last validation report (null without a validation set). */
  validation: ClassificationReport | null;
  elapsedSeconds: number;
  /** Tokens (padding included) per second of this process's steps. */
  tokensPerSecond: number;
  interrupted: boolean;
}

/** A run stopped by a non-finite loss. */
export class FineTuneStopped extends LoomError {}

/** Optimiser steps per epoch and in all. */
export function stepCounts(examples: number, options: Pick<FineTuneOptions, "epochs" | "batchSize">): { perEpoch: number; total: number } {
  const perEpoch = Math.ceil(examples / options.batchSize);
  return { perEpoch, total: perEpoch * options.epochs };
}

/** Linear warmup over the first `warmup` steps, then linear decay to 0 at `total` (HF's get_linear_schedule_with_warmup). */
export function linearWarmupDecay(step: number, total: number, warmup: number, lr: number): number {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  return (lr * Math.max(0, total - step)) / Math.max(1, total - warmup);
}

/** AdamW with weight decay on ≥2-D weights only (BERT excludes biases and LayerNorm, as nanoGPT). */
export function classifierOptimizer(model: SequenceClassifier, options: FineTuneOptions): AdamW {
  return makeOptimizer(model, options);
}

/** Checks the options' ranges (a named error per option). */
export function validateFineTuneOptions(o: FineTuneOptions): void {
  const positiveInt = ["epochs", "batchSize", "evalBatchSize"] as const;
  for (const k of positiveInt) if (!Number.isInteger(o[k]) || o[k] < 1 || o[k] > 1_000_000) throw new ValueError(`fine-tune option ${k}: expected an integer from 1 to 1000000, got ${o[k]}`);
  for (const k of ["evalInterval", "checkpointInterval", "seed"] as const) if (!Number.isInteger(o[k]) || o[k] < 0) throw new ValueError(`fine-tune option ${k}: expected an integer ≥ 0, got ${o[k]}`);
  if (!(o.lr > 0 && Number.isFinite(o.lr))) throw new ValueError(`fine-tune option lr: expected a positive number, got ${o.lr}`);
  if (!(o.warmupFraction >= 0 && o.warmupFraction < 1)) throw new ValueError(`fine-tune option warmupFraction: expected a number in [0, 1), got ${o.warmupFraction}`);
  for (const k of ["weightDecay", "gradClip"] as const) if (!(o[k] >= 0 && Number.isFinite(o[k]))) throw new ValueError(`fine-tune option ${k}: expected a finite number ≥ 0, got ${o[k]}`);
  for (const k of ["beta1", "beta2"] as const) if (!(o[k] >= 0 && o[k] < 1)) throw new ValueError(`fine-tune option ${k}: expected a number in [0, 1), got ${o[k]}`);
}

/** The examples of epoch `epoch` in their seeded order (Fisher–Yates). */
export function epochOrder(examples: number, seed: number, epoch: number): number[] {
  const rng = new Generator(seed + epoch + 1);
  const order = Array.from({ length: examples }, (_, i) => i);
  for (let i = examples - 1; i > 0; i--) {
    const j = rng.randint(0, i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/** The files of one checkpoint: the classifier (class names in config.json), the optimiser and trainer state. */
function checkpointFiles(model: SequenceClassifier, labels: readonly string[], optimizer: AdamW, state: Omit<TrainerState, "optimizer">) {
  const training = trainingStateFiles(optimizer, state);
  return { files: [...classifierFiles(model, labels, { loom_step: String(state.step) }), ...training.files], state: training.state };
}

/**
 * Saves checkpoint 0 (initial weights, empty optimiser state, RNG state) into `dir`, so a run can be
 * resumed from any instant. Returns the state it holds.
 */
export function saveInitialClassifierCheckpoint(dir: string, model: SequenceClassifier, labels: readonly string[], optimizer: AdamW, totalSteps: number, runOptions: Record<string, unknown>): TrainerState {
  const { files, state } = checkpointFiles(model, labels, optimizer, { step: 0, totalSteps, elapsedSeconds: 0, rng: defaultGenerator.getState(), options: runOptions });
  saveCheckpoint(dir, 0, files);
  return state;
}

/** The validation report of the model now (null without a validation set). */
export function evaluateClassifier(model: SequenceClassifier, data: LabelledInputs, batchSize: number): ClassificationReport {
  const probabilities = predictProbabilities(model, data.inputs, batchSize);
  return classificationReport(data.labels, probabilities, model.config.num_labels);
}

/** Fine-tunes `run.model` in its run folder (see the file comment); the folder is locked meanwhile. */
export async function fineTune(run: FineTuneRun): Promise<FineTuneResult> {
  validateFineTuneOptions(run.options);
  const n = run.train.labels.length;
  if (n === 0) throw new ValueError("fineTune: no training examples");
  if (run.train.inputs.ids.length !== n) throw new ValueError(`fineTune: ${run.train.inputs.ids.length} training inputs but ${n} labels`);
  lockRunFolder(run.outDir);
  try {
    return await fineTuneLocked(run);
  } finally {
    unlockRunFolder(run.outDir);
  }
}

async function fineTuneLocked(run: FineTuneRun): Promise<FineTuneResult> {
  const { model, options, outDir, labels } = run;
  const optimizer = run.resume.optimizer;
  const metricsFile = join(outDir, "metrics.jsonl");
  const progress = run.progress ?? createProgress();
  const { perEpoch, total } = stepCounts(run.train.labels.length, options);
  const warmup = Math.round(options.warmupFraction * total);
  const saved = run.resume.state;
  if (saved.step > total) throw new ValueError(`fineTune: the run is at step ${saved.step}, past the ${total} steps of ${options.epochs} epochs`);
  const latest = latestCheckpoint(outDir);
  if (latest === null || latest.step !== saved.step) throw new ValueError(`fineTune: ${outDir} must hold checkpoint ${saved.step} to continue from (found ${latest === null ? "none" : `checkpoint ${latest.step}`})`);
  let step = saved.step;
  let lastSavedStep = step;
  let elapsed = saved.elapsedSeconds;
  defaultGenerator.setState(saved.rng);
  // The log up to the checkpoint: rows a crashed or interrupted run wrote after it are written again.
  writeMetrics(metricsFile, readMetrics(metricsFile, step));
  let validation: ClassificationReport | null = null;
  let validatedAt = -1;
  let lastLoss = NaN;

  const checkpoint = () => {
    const { files } = checkpointFiles(model, labels, optimizer, { step, totalSteps: total, elapsedSeconds: elapsed, rng: defaultGenerator.getState(), options: run.runOptions });
    saveCheckpoint(outDir, step, files);
    lastSavedStep = step;
  };
  const validate = () => {
    if (run.validation === null) return;
    const report = evaluateClassifier(model, run.validation, options.evalBatchSize);
    validation = report;
    validatedAt = step;
    const epoch = +(step / perEpoch).toFixed(3);
    appendLine(metricsFile, JSON.stringify({
      step, epoch, val_loss: report.loss, val_accuracy: report.accuracy, val_precision: report.precision, val_recall: report.recall, val_f1: report.f1, val_confusion: report.confusion,
    }));
    for (const line of formatReport(`step ${step} (epoch ${epoch}) validation`, report, labels)) progress.log(line);
  };

  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.once("SIGINT", onSigint);
  model.train();
  const start = performance.now();
  let tokens = 0;
  try {
    let order: number[] | null = null;
    let orderEpoch = -1;
    while (step < total) {
      // Yield to the event loop so Ctrl-C (SIGINT) is delivered between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (interrupted) break;
      const t0 = performance.now();
      const epoch = Math.floor(step / perEpoch);
      if (epoch !== orderEpoch) {
        order = epochOrder(run.train.labels.length, options.seed, epoch);
        orderEpoch = epoch;
      }
      const b = step % perEpoch;
      const indices = (order as number[]).slice(b * options.batchSize, (b + 1) * options.batchSize);
      const batch = classificationBatch(run.train.inputs, indices);
      const y = new Tensor(Int32Array.from(indices, (i) => run.train.labels[i] as number), [indices.length]);
      const lr = linearWarmupDecay(step, total, warmup, options.lr);
      for (const g of optimizer.paramGroups) g.lr = lr;
      const loss = model.forward(batch.inputIds, { attentionMask: batch.attentionMask, labels: y }).loss as Tensor;
      const value = loss.item();
      if (!Number.isFinite(value)) {
        const kept = lastSavedStep === 0 ? "checkpoint 0, the initial weights" : `checkpoint ${lastSavedStep}`;
        throw new FineTuneStopped(`fine-tuning stopped: the loss is ${value} at step ${step + 1} (lr ${lr.toExponential(2)}; try a lower --lr); ${outDir} keeps ${kept}`);
      }
      loss.backward();
      if (options.gradClip > 0) clipGradNorm(model.parameters(), options.gradClip);
      optimizer.step();
      optimizer.zeroGrad();
      step++;
      lastLoss = value;
      tokens += batch.inputIds.size;
      elapsed += (performance.now() - t0) / 1000;
      const wall = (performance.now() - start) / 1000;
      const tokensPerSecond = tokens / wall;
      if (step % 10 === 0 || step === 1) appendLine(metricsFile, JSON.stringify({ step, epoch: +(step / perEpoch).toFixed(3), loss: value, lr, tokens_per_second: Math.round(tokensPerSecond), elapsed_seconds: +elapsed.toFixed(2) }));
      const runSteps = step - saved.step;
      progress.update({ step, total, loss: value, tokensPerSecond, etaSeconds: ((total - step) * wall) / runSteps, lr });
      const endOfEpoch = step % perEpoch === 0 || step === total;
      if (endOfEpoch || (options.evalInterval > 0 && step % options.evalInterval === 0)) validate();
      if (endOfEpoch || (options.checkpointInterval > 0 && step % options.checkpointInterval === 0)) checkpoint();
      if (run.onStep?.(step, value) === true) interrupted = true;
    }
    if (lastSavedStep !== step) checkpoint();
    if (interrupted) progress.log(`interrupted at step ${step}: checkpoint saved in ${outDir}; continue with --resume`);
  } finally {
    process.removeListener("SIGINT", onSigint);
    progress.stop();
  }
  // A run resumed at its end (or stopped before its first evaluation) still reports the model's figures.
  if (validatedAt !== step && run.validation !== null && !interrupted) validate();
  const wall = (performance.now() - start) / 1000;
  return { steps: step, totalSteps: total, finalLoss: lastLoss, validation, elapsedSeconds: elapsed, tokensPerSecond: wall > 0 ? tokens / wall : 0, interrupted };
}
