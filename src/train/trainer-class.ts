/**
 * The language-model trainer as a class for library use: give it a model, token streams and a run
 * folder; `train()` runs the loop of `loom train` (AdamW, warmup + cosine schedule, clipping,
 * evaluation, checkpoints, metrics.jsonl) and leaves a run folder that `loom generate` and the
 * run-folder loader read.
 */
import { evaluationBatches } from "../data/batches.js";
import { ValueError } from "../errors.js";
import type { LanguageModel } from "./checkpoint.js";
import type { TokenStream } from "./dataset.js";
import { createProgress, type ProgressDisplay } from "./progress.js";
import { evaluate, train, type EvalResult, type TrainOptions, type TrainResult } from "./trainer.js";

/** Defaults of {@link Trainer}: a short run suited to small models (override any field). */
export const defaultTrainOptions: Readonly<TrainOptions> = Object.freeze({
  batchSize: 8,
  blockSize: 64,
  steps: 200,
  lr: 1e-3,
  minLr: 1e-4,
  warmupSteps: 20,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1.0,
  gradAccumulation: 1,
  evalInterval: 0,
  evalBlocks: 32,
  logInterval: 10,
  checkpointInterval: 0,
});

/** What a {@link Trainer} trains, on what, and where it writes. */
export interface TrainerConfig {
  /** A GPT or a recurrent language model (`models.GPT`, `models.RecurrentLM`). */
  model: LanguageModel;
  /** Training tokens, e.g. from `training.encodeDocuments(tokenizer, docs)`. */
  train: TokenStream;
  /** Validation tokens (loss, perplexity and bits per byte are measured on them). */
  validation: TokenStream;
  /** The run folder: checkpoints, config.json, metrics.jsonl and loss.svg go here. */
  outDir: string;
  /** Overrides of {@link defaultTrainOptions}. Giving only `timeSeconds` makes the run time-bound. */
  options?: Partial<TrainOptions>;
  /** Progress output: "auto" (a bar on a terminal, lines otherwise; the default), "none", or your own display. */
  progress?: "auto" | "none" | ProgressDisplay;
  /** Called after every optimiser step; returning true stops the run (it is checkpointed first). */
  onStep?: (step: number, loss: number) => boolean | void;
}

/** A display that shows nothing. */
const silent: ProgressDisplay = { update() {}, log() {}, stop() {} };

/**
 * Trains a language model as `loom train` does, from code.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { join } from "node:path";
 * import { tmpdir } from "node:os";
 * import { models, training } from "loom";
 * const tokenizer = training.buildTokenizer("byte", () => []); // the 256 bytes + <|endoftext|> and chat roles
 * const text = [{ name: "a.txt", text: "Hello world. ".repeat(200) }];
 * const stream = training.encodeDocuments(tokenizer, text);
 * const model = new models.GPT({ vocab_size: tokenizer.getVocabSize(), n_layer: 1, n_head: 2, n_embd: 16, n_positions: 16 });
 * const trainer = new training.Trainer({ model, train: stream, validation: stream, outDir: join(mkdtempSync(join(tmpdir(), "loom-")), "run"),
 *   options: { steps: 20, blockSize: 16, batchSize: 4 }, progress: "none" });
 * const result = await trainer.train(); // result.validation?.loss; the run folder holds model.safetensors
 * ```
 */
export class Trainer {
  /** The options in force: {@link defaultTrainOptions} with the config's overrides. */
  readonly options: TrainOptions;

  constructor(
    /** What this trainer trains, on what, and where it writes. */
    readonly config: TrainerConfig,
  ) {
    const overrides = config.options ?? {};
    const options: TrainOptions = { ...defaultTrainOptions, ...overrides };
    // A time budget alone replaces the default step budget.
    if (overrides.timeSeconds !== undefined && overrides.steps === undefined) delete options.steps;
    if (options.steps === undefined && options.timeSeconds === undefined) throw new ValueError("Trainer: give options.steps or options.timeSeconds");
    this.options = options;
  }

  /** Runs training to its budget (or until `onStep` or Ctrl-C stops it); the run folder holds the result. */
  async train(): Promise<TrainResult> {
    const { model, train: trainTokens, validation, outDir, onStep } = this.config;
    const progress = this.config.progress === "none" ? silent : this.config.progress === undefined || this.config.progress === "auto" ? createProgress() : this.config.progress;
    return train({
      model, train: trainTokens, validation, outDir, options: this.options,
      runOptions: { train: this.options },
      progress,
      ...(onStep ? { onStep } : {}),
    });
  }

  /** Validation loss, perplexity and bits per byte on the evaluation blocks the trainer uses. */
  evaluate(): EvalResult {
    const { validation } = this.config;
    const batches = evaluationBatches(validation.tokens, this.options.blockSize, this.options.evalBlocks, this.options.batchSize);
    return evaluate(this.config.model, batches, validation.tokens.length / validation.bytes);
  }
}
