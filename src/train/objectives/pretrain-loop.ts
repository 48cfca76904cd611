/**
 * The BERT pretraining loop, with the LM trainer's machinery (trainer.ts): AdamW with decay/no-decay
 * groups, warmup + cosine schedule, clipping, accumulation, step or wall-clock budgets, metrics.jsonl
 * and loss.svg, crash-safe checkpoints (run-folder.ts) holding the model (HF layout), optimiser and RNG
 * state, Ctrl-C that checkpoints and stops, and a NaN guard. Batches are drawn with the default
 * generator (instances sampled with replacement, masks drawn afresh), whose state each checkpoint
 * keeps, so a resumed run continues with the same numbers.
 */
import { join } from "node:path";
import type { AdamW } from "../../optim/adamw.js";
import { clipGradNorm } from "../../optim/clip-grad.js";
import { pretrainedFiles } from "../../models/pretrained.js";
import { defaultGenerator, Generator } from "../../tensor/rng.js";
import { trainingStateFiles, type TrainerState } from "../checkpoint.js";
import { lossPlotSvg } from "../plot.js";
import type { ProgressDisplay } from "../progress.js";
import { appendLine, readMetrics, replaceFile, saveCheckpoint, writeMetrics } from "../run-folder.js";
import { decayProgress, learningRate, TrainingStopped, type TrainOptions } from "../trainer.js";
import { collatePretrainingBatch, type BatchMaskingOptions, type PretrainingBatch } from "./batch.js";
import type { SequenceLayout } from "./layout.js";
import type { PretrainingInstance } from "./pairs.js";
import { evaluatePretraining, pretrainingLoss, type PretrainEvaluation, type PretrainingModel } from "./pretrain-loss.js";
import type { MaskingVocabulary } from "./vocabulary.js";

/** The data side of a pretraining run: instances, how they are laid out and masked. */
export interface PretrainingData {
  train: readonly PretrainingInstance[];
  validation: readonly PretrainingInstance[];
  layout: SequenceLayout;
  vocab: MaskingVocabulary;
  padTokenId: number;
  masking: BatchMaskingOptions;
  /** Seeds the fixed masks of the validation batches (the same at every evaluation and after --resume). */
  validationSeed: number;
}

/** One run of the loop: model, data, folder, options, the optimiser and the checkpoint it starts from. */
export interface PretrainLoopRun {
  model: PretrainingModel;
  data: PretrainingData;
  outDir: string;
  options: TrainOptions;
  /** Saved in trainer_state.json for --resume. */
  runOptions: Record<string, unknown>;
  optimizer: AdamW;
  /** The state of the checkpoint the run starts from (checkpoint 0 for a new run). */
  state: TrainerState;
  progress: ProgressDisplay;
  /** Called after every step; returning true stops the run as Ctrl-C does. */
  onStep?: (step: number, loss: number) => boolean | void;
}

/** What a pretraining run achieved. */
export interface PretrainResult {
  steps: number;
  finalLoss: number;
  validation: (PretrainEvaluation & { step: number }) | null;
  /** Real (non-padding) tokens per second of this process's steps. */
  tokensPerSecond: number;
  elapsedSeconds: number;
  interrupted: boolean;
}

/** The validation batches: the first `sequences` validation instances, masked with a fixed seed. */
export function validationBatches(data: PretrainingData, sequences: number, batchSize: number): PretrainingBatch[] {
  const rng = new Generator(data.validationSeed);
  const picked = data.validation.slice(0, sequences);
  const batches: PretrainingBatch[] = [];
  for (let i = 0; i < picked.length; i += batchSize) {
    batches.push(collatePretrainingBatch(picked.slice(i, i + batchSize), data.layout, data.vocab, data.padTokenId, data.masking, rng));
  }
  return batches;
}

/** A training batch: `batchSize` instances drawn with replacement, masked afresh, all from `rng`. */
export function sampleTrainingBatch(data: PretrainingData, batchSize: number, rng: Generator): PretrainingBatch {
  const picked: PretrainingInstance[] = [];
  for (let i = 0; i < batchSize; i++) picked.push(data.train[rng.randint(0, data.train.length)] as PretrainingInstance);
  return collatePretrainingBatch(picked, data.layout, data.vocab, data.padTokenId, data.masking, rng);
}

/** One line of validation figures. */
export function describeEvaluation(v: PretrainEvaluation): string {
  const pair = v.pairAccuracy === null ? "" : ` | sentence-pair loss ${(v.pairLoss as number).toFixed(4)}, accuracy ${(100 * v.pairAccuracy).toFixed(1)}%`;
  return `MLM loss ${v.mlmLoss.toFixed(4)}, accuracy ${(100 * v.mlmAccuracy).toFixed(1)}%${pair} (${v.sequences} sequences, ${v.predictions} predictions)`;
}

/** The files of checkpoint `step`: the model (HF layout), optimiser state and trainer_state.json. */
export function pretrainCheckpointFiles(model: PretrainingModel, optimizer: AdamW, state: Omit<TrainerState, "optimizer">) {
  const training = trainingStateFiles(optimizer, state);
  return { files: [...pretrainedFiles(model, { metadata: { loom_step: String(state.step) } }), ...training.files], state: training.state };
}

/** Runs the loop from `run.state` to the budget (or Ctrl-C / onStep); the caller holds the run folder's lock. */
export async function pretrainLoop(run: PretrainLoopRun): Promise<PretrainResult> {
  const { model, data, options, outDir, optimizer, progress } = run;
  const metricsFile = join(outDir, "metrics.jsonl");
  const evalSet = validationBatches(data, options.evalBlocks, options.batchSize);
  let step = run.state.step;
  let lastSavedStep = step;
  const totalSteps = options.steps ?? 0;
  let warmupEndSeconds = run.state.warmupEndSeconds ?? (options.warmupSteps === 0 ? 0 : null);
  let elapsed = run.state.elapsedSeconds;
  defaultGenerator.setState(run.state.rng);
  let validation: (PretrainEvaluation & { step: number }) | null = null;
  let lastLoss = NaN;
  const rows = readMetrics(metricsFile, step);
  writeMetrics(metricsFile, rows);
  const trainCurve: [number, number][] = rows.filter((r) => typeof r.loss === "number").map((r) => [r.step, r.loss as number]);
  const valCurve: [number, number][] = rows.filter((r) => typeof r.val_loss === "number").map((r) => [r.step, r.val_loss as number]);
  const plot = () =>
    replaceFile(join(outDir, "loss.svg"), lossPlotSvg([
      { name: "train", color: "#1f77b4", points: trainCurve },
      { name: "validation", color: "#d62728", points: valCurve },
    ], "loom BERT pretraining loss (MLM + sentence pair)"));
  if (step > 0) plot();
  const checkpoint = () => {
    const { files } = pretrainCheckpointFiles(model, optimizer, {
      step, totalSteps, warmupEndSeconds, elapsedSeconds: elapsed, rng: defaultGenerator.getState(), options: run.runOptions,
    });
    saveCheckpoint(outDir, step, files);
    lastSavedStep = step;
    plot();
  };
  const doEval = () => {
    const v = evaluatePretraining(model, evalSet);
    validation = { ...v, step };
    valCurve.push([step, v.loss]);
    appendLine(metricsFile, JSON.stringify({
      step, val_loss: v.loss, val_mlm_loss: v.mlmLoss, val_mlm_accuracy: v.mlmAccuracy,
      ...(v.pairAccuracy === null ? {} : { val_pair_loss: v.pairLoss, val_pair_accuracy: v.pairAccuracy }),
    }));
    progress.log(`step ${step}: validation ${describeEvaluation(v)}`);
  };
  const budgetReached = () =>
    (options.steps !== undefined && step >= options.steps) || (options.timeSeconds !== undefined && elapsed >= options.timeSeconds);
  const byTime = options.timeSeconds !== undefined && options.steps === undefined;

  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.once("SIGINT", onSigint);
  model.train();
  const runStart = performance.now();
  let runSteps = 0;
  let runTokens = 0;
  try {
    while (!budgetReached()) {
      // Yield to the event loop so Ctrl-C (SIGINT) is delivered between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (interrupted) break;
      const t0 = performance.now();
      const progressSoFar = decayProgress(step, totalSteps, options.warmupSteps,
        byTime ? { elapsedSeconds: elapsed, budgetSeconds: options.timeSeconds as number, warmupEndSeconds } : null);
      const lr = learningRate(step, progressSoFar, options);
      for (const g of optimizer.paramGroups) g.lr = lr;
      let lossSum = 0;
      for (let micro = 0; micro < options.gradAccumulation; micro++) {
        const batch = sampleTrainingBatch(data, options.batchSize, defaultGenerator);
        runTokens += (batch.attentionMask.toTypedArray() as Int32Array).reduce((n, x) => n + x, 0);
        const { loss } = pretrainingLoss(model, batch);
        const value = loss.item();
        if (!Number.isFinite(value)) {
          throw new TrainingStopped(
            `training stopped: the loss is ${value} at step ${step + 1} (lr ${lr.toExponential(2)}; try a lower --lr); ${outDir} keeps checkpoint ${lastSavedStep}`,
          );
        }
        lossSum += value;
        (options.gradAccumulation > 1 ? loss.div(options.gradAccumulation) : loss).backward();
      }
      if (options.gradClip > 0) clipGradNorm(model.parameters(), options.gradClip);
      optimizer.step();
      optimizer.zeroGrad();
      step++;
      runSteps++;
      lastLoss = lossSum / options.gradAccumulation;
      elapsed += (performance.now() - t0) / 1000;
      trainCurve.push([step, lastLoss]);
      if (warmupEndSeconds === null && step >= options.warmupSteps) warmupEndSeconds = elapsed;
      const wall = (performance.now() - runStart) / 1000;
      const tokensPerSecond = runTokens / wall;
      const remaining = byTime ? (options.timeSeconds as number) - elapsed : ((totalSteps - step) * wall) / runSteps;
      const expectedTotal = byTime ? step + Math.max(0, Math.round(remaining / (wall / runSteps))) : totalSteps;
      if (step % options.logInterval === 0 || step === 1) {
        appendLine(metricsFile, JSON.stringify({ step, loss: lastLoss, lr, tokens_per_second: Math.round(tokensPerSecond), elapsed_seconds: +elapsed.toFixed(2) }));
      }
      progress.update({ step, total: Math.max(expectedTotal, step), loss: lastLoss, tokensPerSecond, etaSeconds: remaining, lr });
      const finished = budgetReached();
      if ((options.evalInterval > 0 && step % options.evalInterval === 0) || finished) doEval();
      if ((options.checkpointInterval > 0 && step % options.checkpointInterval === 0) || finished) checkpoint();
      if (run.onStep?.(step, lastLoss) === true) interrupted = true;
    }
    if (lastSavedStep !== step) checkpoint();
    if (validation === null || (validation as { step: number }).step !== step) doEval();
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
    tokensPerSecond: runSteps > 0 ? runTokens / wall : 0,
    elapsedSeconds: elapsed,
    interrupted,
  };
}
