/**
 * The training loop of a sequence-to-sequence task, on the language-model trainer's machinery: AdamW
 * with decay/no-decay groups, linear warmup + cosine decay, gradient clipping, checkpoints saved as
 * units into the run folder (run-folder.ts), metrics.jsonl and loss.svg, the live progress display,
 * Ctrl-C that saves and stops, and a NaN guard. What differs is the data (batches of similar-length
 * pairs, batches.ts) and the evaluation: word and token error rates of decoded validation examples
 * during training, and of the test set, greedy and beam search, at the end.
 *
 * A time budget covers training and the final test evaluation together: training stops when the time
 * left is what the test decoding is estimated to take (timed on the validation subset at each
 * evaluation, scaled to the test set's size), so the whole run ends within the budget.
 */
import { join } from "node:path";
import { ValueError } from "../../errors.js";
import { AdamW } from "../../optim/adamw.js";
import { clipGradNorm } from "../../optim/clip-grad.js";
import type { Parameter } from "../../nn/parameter.js";
import { defaultGenerator } from "../../tensor/rng.js";
import { pretrainedFiles } from "../../models/pretrained.js";
import type { SequenceErrorRates } from "../../metrics/sequence-error-rates.js";
import { trainingStateFiles, type TrainerState } from "../checkpoint.js";
import { lossPlotSvg } from "../plot.js";
import { createProgress, type ProgressDisplay } from "../progress.js";
import { appendLine, lockRunFolder, replaceFile, saveCheckpoint, unlockRunFolder } from "../run-folder.js";
import { TrainingStopped } from "../trainer.js";
import { batchesPerEpoch, epochBatches, type EncodedPair } from "./batches.js";
import { formatRates, scoreExamples, type TaskScore } from "./evaluate.js";
import { batchLoss, type TaskModel } from "./models.js";
import type { Seq2SeqExample } from "./task.js";
import type { PairVocabulary } from "./vocabulary.js";

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
  /** Seeds the batch order (batches.ts). */
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

/** Linear warmup to lr, then cosine decay to minLr over `progress` ∈ [0, 1] (as train/trainer.ts's learningRate). */
function scheduledLr(step: number, progress: number, o: Seq2SeqTrainOptions): number {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  const p = Math.min(1, Math.max(0, progress));
  return o.minLr + ((o.lr - o.minLr) * (1 + Math.cos(Math.PI * p))) / 2;
}

/** AdamW with weight decay on ≥2-D weights only (nanoGPT's groups, as the language-model trainer). */
export function makeSeq2SeqOptimizer(model: TaskModel, o: Seq2SeqTrainOptions): AdamW {
  const decay: Parameter[] = [];
  const noDecay: Parameter[] = [];
  for (const p of model.parameters()) (p.ndim >= 2 ? decay : noDecay).push(p);
  return new AdamW([{ params: decay, weightDecay: o.weightDecay }, { params: noDecay, weightDecay: 0 }], { lr: o.lr, betas: [o.beta1, o.beta2], eps: 1e-8 });
}

/** One checkpoint's files: the model folder (config.json, model.safetensors) and the optimiser and trainer state. */
export function seq2seqCheckpointFiles(model: TaskModel, optimizer: AdamW, state: Omit<TrainerState, "optimizer">): { name: string; data: string | Uint8Array | readonly Uint8Array[] }[] {
  return [...pretrainedFiles(model, { metadata: { loom_step: String(state.step) } }), ...trainingStateFiles(optimizer, state).files];
}

/** What {@link trainSeq2Seq} needs: the model, vocabulary, data, run folder (already published with checkpoint 0) and options. */
export interface Seq2SeqTrainerRun {
  model: TaskModel;
  vocab: PairVocabulary;
  optimizer: AdamW;
  train: readonly EncodedPair[];
  validation: readonly Seq2SeqExample[];
  test: readonly Seq2SeqExample[];
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

/** The figures of one decoding of a split. */
export interface SplitScore {
  rates: SequenceErrorRates;
  seconds: number;
}

/** What a seq2seq run achieved. */
export interface Seq2SeqTrainResult {
  steps: number;
  /** Epochs of the training pairs seen. */
  epochs: number;
  finalLoss: number;
  /** The last validation evaluation (greedy, on the validation subset). */
  validation: (SplitScore & { step: number }) | null;
  /** Test set, greedy and beam search; null when the run was interrupted. */
  test: { greedy: SplitScore; beam: SplitScore; numBeams: number } | null;
  /** Seconds spent in optimiser steps. */
  trainingSeconds: number;
  /** Seconds from startedAt to the end of the test evaluation. */
  wallSeconds: number;
  interrupted: boolean;
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
  const { model, vocab, optimizer, options: o, outDir } = run;
  const startedAt = run.startedAt ?? performance.now();
  const log = run.log ?? ((line: string) => console.log(line));
  const progress = run.progress ?? createProgress();
  const metricsFile = join(outDir, "metrics.jsonl");
  const perEpoch = batchesPerEpoch(run.train.length, o.batchSize);
  if (perEpoch === 0) throw new ValueError("seq2seq train: no training pairs");
  const evalSet = run.validation.slice(0, o.evalExamples);
  const beamSet = evalSet.slice(0, BEAM_TIMING_EXAMPLES);
  const seconds = () => (performance.now() - startedAt) / 1000;

  // Seconds per example of greedy and beam decoding, from the latest evaluation.
  let greedyCost = 0;
  let beamCost = 0;
  let measured = false;
  // Until an evaluation has timed the decoding, a fifth of the budget is kept for the test set.
  const testReserve = () => (measured ? 1.15 * run.test.length * (greedyCost + beamCost) + 5 : 0.2 * (o.timeSeconds ?? 0));
  const trainSeconds = () => (o.timeSeconds ?? Infinity) - testReserve();

  let step = 0;
  let lastSavedStep = 0;
  let elapsed = 0;
  let warmupEndSeconds: number | null = o.warmupSteps === 0 ? 0 : null;
  let lastLoss = NaN;
  let validation = null as Seq2SeqTrainResult["validation"];
  const trainCurve: [number, number][] = [];
  let batches: EncodedPair[][] = [];
  let epoch = -1;

  const plot = () => replaceFile(join(outDir, "loss.svg"), lossPlotSvg([{ name: "train", color: "#1f77b4", points: trainCurve }], "loom seq2seq training loss"));
  const checkpoint = () => {
    saveCheckpoint(outDir, step, seq2seqCheckpointFiles(model, optimizer, {
      step, totalSteps: o.steps ?? 0, warmupEndSeconds, elapsedSeconds: elapsed, rng: defaultGenerator.getState(), options: run.runOptions,
    }));
    lastSavedStep = step;
    if (trainCurve.length > 0) plot();
  };
  const evaluateValidation = () => {
    const greedy = scoreExamples(model, vocab, evalSet);
    const beam = scoreExamples(model, vocab, beamSet, { numBeams: o.numBeams });
    greedyCost = greedy.seconds / evalSet.length;
    beamCost = beam.seconds / beamSet.length;
    measured = true;
    validation = { rates: greedy.rates, seconds: greedy.seconds, step };
    appendLine(metricsFile, JSON.stringify({
      step, val_wer: greedy.rates.wordErrorRate, val_per: greedy.rates.tokenErrorRate, val_examples: evalSet.length,
      val_beam_wer: beam.rates.wordErrorRate, val_beam_per: beam.rates.tokenErrorRate, val_beam_examples: beamSet.length,
    }));
    progress.log(`step ${step}: validation (${evalSet.length} words) greedy ${formatRates(greedy.rates)} | beam ${o.numBeams} (${beamSet.length} words) ${formatRates(beam.rates)} | ${(greedy.seconds + beam.seconds).toFixed(1)}s`);
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
      const e = Math.floor(step / perEpoch);
      if (e !== epoch) {
        epoch = e;
        batches = epochBatches(run.train, o.batchSize, o.seed, epoch);
      }
      const batch = batches[step % perEpoch] as EncodedPair[];
      const byTime = o.timeSeconds !== undefined && o.steps === undefined;
      const progressSoFar = byTime
        ? warmupEndSeconds === null ? 0 : (seconds() - warmupEndSeconds) / Math.max(1e-9, trainSeconds() - warmupEndSeconds)
        : (step - o.warmupSteps) / Math.max(1, (o.steps ?? 0) - o.warmupSteps);
      const lr = scheduledLr(step, progressSoFar, o);
      for (const g of optimizer.paramGroups) g.lr = lr;
      const loss = batchLoss(model, batch, vocab);
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
      for (const p of batch) tokens += p.source.length + p.target.length + 1;
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
  log(`test: decoding ${run.test.length} examples, greedy and beam ${o.numBeams} …`);
  const greedy = scoreExamples(model, vocab, run.test);
  const beam: TaskScore = scoreExamples(model, vocab, run.test, { numBeams: o.numBeams });
  const test = { greedy: { rates: greedy.rates, seconds: greedy.seconds }, beam: { rates: beam.rates, seconds: beam.seconds }, numBeams: o.numBeams };
  appendLine(metricsFile, JSON.stringify({
    step, test_wer: greedy.rates.wordErrorRate, test_per: greedy.rates.tokenErrorRate,
    test_beam_wer: beam.rates.wordErrorRate, test_beam_per: beam.rates.tokenErrorRate, test_examples: run.test.length,
  }));
  return { steps: step, epochs: step / perEpoch, finalLoss: lastLoss, validation, test, trainingSeconds: elapsed, wallSeconds: seconds(), interrupted };
}
