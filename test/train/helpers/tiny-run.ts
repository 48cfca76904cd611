/**
 * A tiny training run for the crash tests: a byte-level GPT with one layer on a small text, a
 * checkpoint every 2 steps. Run as a script it starts the run in a folder (or resumes it when the
 * folder exists) and is what the kill test SIGKILLs (LOOM_KILL_AT_SAVE_OP): `tsx tiny-run.ts DIR DATA`.
 */
import { existsSync, writeSync } from "node:fs";
import { resolveSettings, resumeTraining, runTraining, type RunSettings } from "../../../src/train/run.js";
import { planResume } from "../../../src/train/resume.js";

export const quiet = { log: () => {}, progress: { update() {}, log() {}, stop() {} } };

export const TINY_STEPS = 6;

export function tinySettings(out: string, data: string): RunSettings {
  return resolveSettings("tiny", {
    data,
    tokenizer: "byte",
    out,
    seed: 3,
    model: { n_layer: 1, n_head: 2, n_embd: 16 },
    train: { steps: TINY_STEPS, batchSize: 4, blockSize: 16, evalBlocks: 4, evalInterval: 4, checkpointInterval: 2, logInterval: 1, warmupSteps: 2, lr: 1e-2, minLr: 1e-3 },
  });
}

/** Starts the run in `out`, or resumes it if `out` exists; returns the step it resumed at (or -1). */
export async function startOrResume(out: string, data: string, report = false): Promise<number> {
  if (!existsSync(out)) {
    await runTraining(tinySettings(out, data), quiet);
    return -1;
  }
  const plan = planResume(out);
  // Written at once (a pipe's console.log may be lost when the process is killed right after).
  if (report) writeSync(1, `resumed-at ${plan.step}\n`);
  await resumeTraining(plan, quiet);
  return plan.step;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() as string)) {
  const [out, data] = process.argv.slice(2) as [string, string];
  await startOrResume(out, data, true);
  writeSync(1, "finished\n");
}
