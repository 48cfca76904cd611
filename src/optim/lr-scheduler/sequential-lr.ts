/**
 * SequentialLR, as torch 1.13: hands the schedule to `schedulers[i]` from epoch `milestones[i − 1]` on,
 * restarting each one at its milestone (`step(0)`, its closed form). Linear warmup then cosine decay:
 *
 *   const warmup = new LinearLR(opt, 0.01, 1, 100);
 *   const decay = new CosineAnnealingLR(opt, 900, 1e-5);
 *   const schedule = new SequentialLR(opt, [warmup, decay], [100]);
 */
import { ValueError } from "../../errors.js";
import type { LRScheduler, SchedulableOptimizer, Scheduler, SchedulerStateDict } from "./scheduler.js";

export class SequentialLR implements Scheduler {
  readonly optimizer: SchedulableOptimizer;
  readonly schedulers: LRScheduler[];
  milestones: number[];
  lastEpoch: number;
  private lastLr: number[];

  constructor(optimizer: SchedulableOptimizer, schedulers: LRScheduler[], milestones: number[], lastEpoch = -1) {
    if (schedulers.length === 0) throw new ValueError("SequentialLR: needs at least one scheduler");
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new ValueError(`SequentialLR: scheduler ${i} belongs to a different optimiser`);
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new ValueError(`SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${milestones.length}`);
    }
    for (let i = 0; i < milestones.length; i++) {
      const m = milestones[i] as number;
      if (!Number.isInteger(m) || (i > 0 && m < (milestones[i - 1] as number))) {
        throw new ValueError(`SequentialLR: milestones must be increasing integers, got [${milestones.join(", ")}]`);
      }
    }
    this.optimizer = optimizer;
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    // Undo the schedulers' own first steps and start again from the initial lrs with the first one.
    for (const group of optimizer.paramGroups) group.lr = group.initialLr ?? group.lr;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    (this.schedulers[0] as LRScheduler).initialStep();
    this.lastLr = (this.schedulers[0] as LRScheduler).getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    // bisect_right: the number of milestones ≤ lastEpoch.
    let idx = 0;
    while (idx < this.milestones.length && (this.milestones[idx] as number) <= this.lastEpoch) idx++;
    const scheduler = this.schedulers[idx] as LRScheduler;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch, lastLr: [...this.lastLr], milestones: [...this.milestones],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    const saved = sd.schedulers;
    if (!Array.isArray(saved) || saved.length !== this.schedulers.length) {
      throw new ValueError(`SequentialLR.loadStateDict: expected the states of ${this.schedulers.length} schedulers`);
    }
    if (!Number.isInteger(sd.lastEpoch)) throw new ValueError(`SequentialLR.loadStateDict: lastEpoch must be an integer, got ${String(sd.lastEpoch)}`);
    const milestones = sd.milestones;
    if (!Array.isArray(milestones) || milestones.length !== this.milestones.length || !milestones.every((m) => Number.isInteger(m))) {
      throw new ValueError(`SequentialLR.loadStateDict: expected ${this.milestones.length} integer milestones`);
    }
    saved.forEach((s, i) => (this.schedulers[i] as LRScheduler).loadStateDict(s));
    this.milestones = [...milestones];
    this.lastEpoch = sd.lastEpoch;
    this.lastLr = [...sd.lastLr];
  }
}
