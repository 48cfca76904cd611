/**
 * The allowed range of every training option, checked before anything is allocated: a flag
 * (`--batch-size 1e9`) or a hand-edited trainer_state.json (`"batchSize": -1`) gets an error naming the
 * option and the range instead of a V8 abort or a silent misbehaviour.
 */
import { ValueError } from "../errors.js";
import type { TrainOptions } from "./trainer.js";

/** Sequences per micro-batch: more does not fit any machine loom trains on. */
export const MAX_BATCH_SIZE = 4096;
/** Context length in tokens. */
export const MAX_BLOCK_SIZE = 65536;
/** Tokens of one micro-batch (batch × block): the activations of a step scale with it. */
export const MAX_TOKENS_PER_BATCH = 1 << 20;

interface Range {
  integer?: boolean;
  min: number;
  /** Whether min itself is allowed. */
  minIncluded: boolean;
  max?: number;
  describe: string;
}

const RANGES: Record<Exclude<keyof TrainOptions, "precision" | "saveDtype" | "gradCheckpointing">, Range> = {
  batchSize: { integer: true, min: 1, minIncluded: true, max: MAX_BATCH_SIZE, describe: `an integer from 1 to ${MAX_BATCH_SIZE}` },
  blockSize: { integer: true, min: 1, minIncluded: true, max: MAX_BLOCK_SIZE, describe: `an integer from 1 to ${MAX_BLOCK_SIZE}` },
  steps: { integer: true, min: 1, minIncluded: true, describe: "a positive integer" },
  timeSeconds: { min: 0, minIncluded: false, describe: "a positive number of seconds" },
  lr: { min: 0, minIncluded: false, describe: "a positive finite number" },
  minLr: { min: 0, minIncluded: true, describe: "a finite number ≥ 0" },
  warmupSteps: { integer: true, min: 0, minIncluded: true, describe: "an integer ≥ 0" },
  weightDecay: { min: 0, minIncluded: true, describe: "a finite number ≥ 0" },
  beta1: { min: 0, minIncluded: true, max: 1 - Number.EPSILON, describe: "a number in [0, 1)" },
  beta2: { min: 0, minIncluded: true, max: 1 - Number.EPSILON, describe: "a number in [0, 1)" },
  gradClip: { min: 0, minIncluded: true, describe: "a finite number ≥ 0 (0: off)" },
  gradAccumulation: { integer: true, min: 1, minIncluded: true, max: 65536, describe: "an integer from 1 to 65536" },
  evalInterval: { integer: true, min: 0, minIncluded: true, describe: "an integer ≥ 0 (0: at the end only)" },
  evalBlocks: { integer: true, min: 1, minIncluded: true, max: 1 << 20, describe: `an integer from 1 to ${1 << 20}` },
  logInterval: { integer: true, min: 1, minIncluded: true, describe: "a positive integer" },
  checkpointInterval: { integer: true, min: 0, minIncluded: true, describe: "an integer ≥ 0 (0: at the end only)" },
};

/** The option's name where the user wrote it: a CLI flag, or a field of a file. */
export type OptionNamer = (option: keyof TrainOptions) => string;

const FLAGS: Partial<Record<keyof TrainOptions, string>> = {
  batchSize: "--batch-size", blockSize: "--block-size", steps: "--steps", timeSeconds: "--time", lr: "--lr", minLr: "--min-lr",
  warmupSteps: "--warmup", weightDecay: "--weight-decay", gradClip: "--grad-clip", gradAccumulation: "--grad-accum",
  evalInterval: "--eval-interval", evalBlocks: "--eval-blocks", checkpointInterval: "--checkpoint-interval", precision: "--precision",
  saveDtype: "--save-dtype", gradCheckpointing: "--grad-checkpointing",
};

/** Names options as `loom train`'s flags (or the option's own name where there is no flag). */
export const flagName: OptionNamer = (option) => FLAGS[option] ?? option;

/** Checks every option against its range; `name` says how to call the option in the message. */
export function validateTrainOptions(options: Partial<Record<keyof TrainOptions, unknown>>, name: OptionNamer = (o) => o): void {
  for (const key of Object.keys(RANGES) as (keyof typeof RANGES)[]) {
    const value = options[key];
    if (value === undefined && (key === "steps" || key === "timeSeconds")) continue;
    const r = RANGES[key];
    const ok =
      typeof value === "number" && Number.isFinite(value) && (!r.integer || Number.isInteger(value)) &&
      (r.minIncluded ? value >= r.min : value > r.min) && (r.max === undefined || value <= r.max);
    if (!ok) throw new ValueError(`${name(key)}: expected ${r.describe}, got ${JSON.stringify(value) ?? "nothing"}`);
  }
  const batch = options.batchSize as number;
  const block = options.blockSize as number;
  if (batch * block > MAX_TOKENS_PER_BATCH) {
    throw new ValueError(
      `${name("batchSize")} × ${name("blockSize")}: ${batch} × ${block} = ${batch * block} tokens per micro-batch, more than the limit of ${MAX_TOKENS_PER_BATCH}`,
    );
  }
  for (const key of ["precision", "saveDtype"] as const) {
    const value = options[key];
    if (value !== undefined && value !== "fp32" && value !== "bf16" && value !== "fp16") {
      throw new ValueError(`${name(key)}: expected "fp32", "bf16" or "fp16", got ${JSON.stringify(value)}`);
    }
  }
  const every = options.gradCheckpointing;
  if (every !== undefined && (typeof every !== "number" || !Number.isInteger(every) || every < 0)) {
    throw new ValueError(`${name("gradCheckpointing")}: expected an integer ≥ 0 (0: off, k: every k-th block), got ${JSON.stringify(every)}`);
  }
  if (options.steps === undefined && options.timeSeconds === undefined) throw new ValueError(`${name("steps")} or ${name("timeSeconds")}: a budget is needed`);
}
