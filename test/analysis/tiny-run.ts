// A tiny trained GPT run folder (byte tokenizer, 2 layers × 2 heads) for the CLI, server and browser tests.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCorpus } from "../../src/data/corpus.js";
import { resolveSettings, runTraining } from "../../src/train/run.js";

const quiet = { log: () => {}, progress: { update() {}, log() {}, stop() {} } };

/** Trains `steps` steps into a new temporary folder and returns the run folder and its data file. */
export async function tinyRun(steps = 20, layers = 2): Promise<{ dir: string; run: string; data: string }> {
  const dir = mkdtempSync(join(tmpdir(), "loom-analysis-"));
  const data = join(dir, "text.txt");
  writeFileSync(data, readCorpus().slice(0, 2).map((d) => d.text).join("\n"));
  const run = join(dir, "run");
  await runTraining(resolveSettings("tiny", {
    data, tokenizer: "byte", out: run, seed: 5,
    model: { n_layer: layers, n_head: 2, n_embd: 16, n_positions: 64 },
    train: { steps, batchSize: 4, blockSize: 32, evalBlocks: 4, evalInterval: steps, checkpointInterval: 0, logInterval: 1, warmupSteps: 2, lr: 1e-2, minLr: 1e-3 },
  }), quiet);
  return { dir, run, data };
}
