/**
 * Teacher-forcing ratio schedules for scheduled sampling (Bengio, Vinyals, Jaitly & Shazeer 2015, §2.4).
 * At training step i the decoder is fed the ground-truth previous token with probability ε_i and its
 * own prediction otherwise. The paper's decays, with i counted from 0:
 *   constant          ε_i = ratio
 *   linear            ε_i = max(ε_min, k − c·i)
 *   exponential       ε_i = k^i                      (k < 1)
 *   inverse sigmoid   ε_i = k / (k + exp(i / k))     (k ≥ 1)
 */
import { ValueError } from "../../errors.js";

/** How often the decoder is fed the true previous token during training: a constant ratio, or a decay (scheduled sampling). */
export type TeacherForcingSchedule =
  | { kind: "constant"; ratio: number }
  | { kind: "linear"; start?: number; slope: number; min?: number }
  | { kind: "exponential"; k: number }
  | { kind: "inverse-sigmoid"; k: number };

function inUnit(x: number, what: string): void {
  if (!(x >= 0 && x <= 1)) throw new ValueError(`teacherForcingRatio: ${what} must be in [0, 1], got ${x}`);
}

/** ε_i of a schedule at training step i (an integer ≥ 0). Always in [0, 1]. */
export function teacherForcingRatio(schedule: TeacherForcingSchedule | number, step: number): number {
  if (!Number.isInteger(step) || step < 0) throw new ValueError(`teacherForcingRatio: step must be an integer ≥ 0, got ${step}`);
  if (typeof schedule === "number") {
    inUnit(schedule, "ratio");
    return schedule;
  }
  switch (schedule.kind) {
    case "constant":
      inUnit(schedule.ratio, "ratio");
      return schedule.ratio;
    case "linear": {
      const start = schedule.start ?? 1;
      const min = schedule.min ?? 0;
      inUnit(start, "start");
      inUnit(min, "min");
      if (!(schedule.slope >= 0)) throw new ValueError(`teacherForcingRatio: slope must be ≥ 0, got ${schedule.slope}`);
      return Math.min(1, Math.max(min, start - schedule.slope * step));
    }
    case "exponential":
      if (!(schedule.k > 0 && schedule.k <= 1)) throw new ValueError(`teacherForcingRatio: exponential k must be in (0, 1], got ${schedule.k}`);
      return schedule.k ** step;
    case "inverse-sigmoid":
      if (!(schedule.k >= 1)) throw new ValueError(`teacherForcingRatio: inverse-sigmoid k must be ≥ 1, got ${schedule.k}`);
      return schedule.k / (schedule.k + Math.exp(step / schedule.k));
  }
}
