/** Plain progress lines on stderr for trainers built with `showProgress` (HF's show_progress). */
import type { TrainerProgress } from "../../trainers/trainer.js";

/** Writes a line when the stage changes and at each tenth of a stage. */
export function stderrProgress(trainer: string): (progress: TrainerProgress) => void {
  let stage: string | undefined;
  let tenth = -1;
  return (p) => {
    const t = p.total > 0 ? Math.floor((10 * p.done) / p.total) : 10;
    if (p.stage === stage && t === tenth) return;
    stage = p.stage;
    tenth = t;
    process.stderr.write(`${trainer}: ${p.stage} ${p.done}/${p.total}\n`);
  };
}
