/**
 * The learning-rate scheduler base, as torch 1.13's `_LRScheduler`. Conventions users know from
 * PyTorch hold: the constructor performs the first step (setting each group's lr for epoch 0), and
 * `scheduler.step()` is called after `optimizer.step()`, once per epoch or iteration.
 *
 * Schedulers come in PyTorch's two forms. `getLr()` is the chainable form: it derives the new lr from
 * each group's current lr, so several schedulers (or a user's manual change) compose. `closedFormLr()`
 * computes the lr from `baseLrs` and the epoch alone; `step(epoch)` uses it (SequentialLR restarts a
 * scheduler with `step(0)`).
 *
 * To resume, do as in PyTorch: build the optimiser and its schedulers, then load the optimiser's state
 * (which restores each group's lr and initialLr, changed by the schedulers' constructors), then each
 * scheduler's.
 */
import { ValueError } from "../../errors.js";

/** What a scheduler needs of an optimiser: its groups' learning rates. */
export interface SchedulableOptimizer {
  paramGroups: { lr: number; initialLr?: number }[];
}

/** A scheduler's saved state: plain JSON. */
export interface SchedulerStateDict {
  lastEpoch: number;
  lastLr: number[];
  stepCount?: number;
  baseLrs?: number[];
  /** The scheduler's hyperparameters (gamma, tMax, …); functions are not saved. */
  options?: Record<string, number | boolean>;
  milestones?: number[];
  schedulers?: SchedulerStateDict[];
}

/** Anything `step()`-able that sets learning rates: the LRScheduler subclasses and SequentialLR. */
export interface Scheduler {
  step(): void;
  getLastLr(): number[];
  stateDict(): SchedulerStateDict;
  loadStateDict(sd: SchedulerStateDict): void;
}

export abstract class LRScheduler<H extends object = object> implements Scheduler {
  readonly optimizer: SchedulableOptimizer;
  /** The hyperparameters; numbers and booleans among them are saved by `stateDict()`. */
  protected readonly options: H;
  /** Each group's lr when scheduling began (the groups' `initialLr`). */
  baseLrs: number[];
  /** The epoch (or iteration) of the current lr; -1 before the first step. */
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  /**
   * `lastEpoch` = -1 starts a schedule (and records each group's lr as its `initialLr`); another value
   * resumes one, which needs `initialLr` in every group (PyTorch's rule).
   */
  constructor(optimizer: SchedulableOptimizer, options: H, lastEpoch = -1) {
    this.optimizer = optimizer;
    this.options = options;
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new ValueError(`${this.name}: lastEpoch must be an integer ≥ -1, got ${lastEpoch}`);
    optimizer.paramGroups.forEach((group, i) => {
      if (lastEpoch === -1) group.initialLr ??= group.lr;
      else if (group.initialLr === undefined) {
        throw new ValueError(`${this.name}: parameter group ${i} has no initialLr, needed to resume a schedule at lastEpoch ${lastEpoch}`);
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.initialStep();
  }

  get name(): string {
    return this.constructor.name;
  }

  /** Resets the step count and takes the first step (also used by SequentialLR to restart). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /**
   * Advances one epoch and sets each group's lr. With `epoch`, jumps to that epoch and uses the
   * closed form where the scheduler has one (deprecated in PyTorch except for SequentialLR's use).
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = values[i] as number));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates the last step set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The chainable form: new lrs from the groups' current lrs and `lastEpoch`. */
  protected abstract getLr(): number[];

  /** The closed form, when the scheduler has one: lrs from `baseLrs` and `lastEpoch` alone. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Each group's current lr. */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    const options: Record<string, number | boolean> = {};
    for (const [key, value] of Object.entries(this.options)) {
      if (typeof value === "number" || typeof value === "boolean") options[key] = value;
    }
    return { lastEpoch: this.lastEpoch, stepCount: this.stepCount, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], options };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    const groups = this.optimizer.paramGroups.length;
    if (!Number.isInteger(sd.lastEpoch)) throw new ValueError(`${this.name}.loadStateDict: lastEpoch must be an integer, got ${String(sd.lastEpoch)}`);
    for (const key of ["baseLrs", "lastLr"] as const) {
      const value = sd[key];
      if (!Array.isArray(value) || value.length !== groups || !value.every((x) => typeof x === "number")) {
        throw new ValueError(`${this.name}.loadStateDict: ${key} must hold one number per parameter group (${groups})`);
      }
    }
    const options = this.options as Record<string, unknown>;
    for (const [key, value] of Object.entries(sd.options ?? {})) {
      if (!(key in options) || typeof options[key] !== typeof value) {
        throw new ValueError(`${this.name}.loadStateDict: unexpected option ${key} = ${String(value)}`);
      }
      options[key] = value;
    }
    this.lastEpoch = sd.lastEpoch;
    this.stepCount = sd.stepCount ?? 0;
    this.baseLrs = [...(sd.baseLrs as number[])];
    this.lastLr = [...sd.lastLr];
  }
}

/** Python's modulo (the sign of the divisor), which PyTorch's schedule conditions rely on. */
export function pyMod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
