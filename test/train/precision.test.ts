/**
 * Mixed-precision training in the trainer: bf16 and fp16 runs learn; an fp16 run resumed part-way equals
 * the uninterrupted one step for step (losses, loss scale and final weights: the GradScaler state is in
 * the checkpoint); with overflow injected into a gradient, the step is skipped and the scale follows
 * PyTorch's rule (×0.5 on Inf/NaN, unchanged on a clean step below the growth interval); gradient
 * checkpointing and --save-dtype from the options.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveSettings, resumeTraining, runTraining, type RunSettings } from "../../src/train/run.js";
import { planResume } from "../../src/train/resume.js";
import { readCorpus } from "../../src/data/corpus.js";
import { load } from "../../src/safetensors.js";
import { ValueError } from "../../src/errors.js";
import { validateTrainOptions } from "../../src/train/train-options.js";

const quiet = { log: () => {}, progress: { update() {}, log() {}, stop() {} } };

function smallCorpus(dir: string): string {
  const path = join(dir, "small.txt");
  writeFileSync(path, readCorpus().slice(0, 2).map((d) => d.text).join("\n\n"));
  return path;
}

function settingsFor(dir: string, data: string, train: Partial<RunSettings["train"]>): RunSettings {
  return resolveSettings("tiny", {
    data, tokenizer: "byte", out: join(dir, "run"), seed: 3,
    model: { n_layer: 2, n_head: 2, n_embd: 32, embd_pdrop: 0.1, attn_pdrop: 0.1, resid_pdrop: 0.1 },
    train: { batchSize: 4, blockSize: 32, evalBlocks: 8, checkpointInterval: 0, warmupSteps: 5, lr: 3e-3, minLr: 3e-4, logInterval: 1, ...train },
  });
}

interface Row { step: number; loss?: number; loss_scale?: number }

function rows(out: string): Row[] {
  return readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Row).filter((r) => r.loss !== undefined);
}

test("fp16 with the GradScaler: a run resumed at step 7 equals the uninterrupted one (losses, scale, weights)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-fp16-"));
  const data = smallCorpus(dir);
  const full = settingsFor(join(dir, "a"), data, { steps: 16, precision: "fp16", gradCheckpointing: 1 });
  await runTraining(full, quiet);
  const split = settingsFor(join(dir, "b"), data, { steps: 16, precision: "fp16", gradCheckpointing: 1 });
  const first = await runTraining(split, { ...quiet, onStep: (step) => step === 7 });
  assert.equal(first.result.steps, 7);
  await resumeTraining(planResume(split.out), quiet);
  const a = rows(full.out);
  const b = rows(split.out);
  assert.equal(a.length, 16);
  assert.deepEqual(b.map((r) => [r.step, r.loss, r.loss_scale]), a.map((r) => [r.step, r.loss, r.loss_scale]));
  const wa = load(join(full.out, "model.safetensors"));
  const wb = load(join(split.out, "model.safetensors"));
  for (const [name, t] of wa) assert.deepEqual([...wb.get(name)!.storage], [...t.storage], name);
  assert.ok(a.every((r) => Number.isFinite(r.loss)));
});

test("injected overflow: the step is skipped and the scale follows PyTorch's rule", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-overflow-"));
  const settings = settingsFor(dir, smallCorpus(dir), { steps: 10, precision: "fp16", gradClip: 1 });
  const injected = new Set([3, 4, 7]); // zero-based steps whose gradient gets an Inf
  const before = new Map<number, number[]>();
  const after = new Map<number, number[]>();
  await runTraining(settings, {
    ...quiet,
    afterBackward: (step, model) => {
      const p = model.parameters()[0]!;
      if (step > 0) after.set(step - 1, [...p.storage]);
      before.set(step, [...p.storage]);
      if (injected.has(step)) (p.grad!.storage as Float32Array)[0] = Infinity;
    },
  });
  let scale = 65536;
  for (const row of rows(settings.out)) {
    const step = row.step - 1; // the step that produced this row
    const next = row.loss_scale!;
    // Below the growth interval (2000) a clean step keeps the scale and an overflowing one halves it.
    assert.ok(next === scale || next === scale / 2, `step ${row.step}: ${scale} → ${next}`);
    const skipped = next === scale / 2;
    if (injected.has(step)) assert.ok(skipped, `injected overflow at step ${step} halves the scale`);
    // A skipped step leaves the weights as they were; a clean one moves them.
    if (after.has(step)) assert.equal(JSON.stringify(after.get(step)) === JSON.stringify(before.get(step)), skipped, `step ${step}`);
    scale = next;
  }
  assert.ok(rows(settings.out).every((r) => Number.isFinite(r.loss)));
});

test("training options: precision, saveDtype and gradCheckpointing are checked, and --save-dtype writes half weights", async () => {
  const base = { batchSize: 1, blockSize: 4, steps: 1, lr: 1, minLr: 0, warmupSteps: 0, weightDecay: 0, beta1: 0.9, beta2: 0.9, gradClip: 0, gradAccumulation: 1, evalInterval: 0, evalBlocks: 1, logInterval: 1, checkpointInterval: 0 };
  assert.throws(() => validateTrainOptions({ ...base, precision: "fp8" as never }), (e: unknown) => e instanceof ValueError && /precision: expected "fp32", "bf16" or "fp16"/.test(e.message));
  assert.throws(() => validateTrainOptions({ ...base, gradCheckpointing: -1 }), ValueError);
  const dir = mkdtempSync(join(tmpdir(), "loom-savedtype-"));
  const settings = settingsFor(dir, smallCorpus(dir), { steps: 3, precision: "bf16", saveDtype: "bf16" });
  const outcome = await runTraining(settings, quiet);
  const top = load(join(settings.out, "model.safetensors"));
  const ckpt = load(join(settings.out, "checkpoint-3", "model.safetensors"));
  for (const [name, t] of top) {
    assert.equal(t.dtype, "bfloat16", name);
    assert.equal(ckpt.get(name)!.dtype, "float32", name);
  }
  assert.ok(Number.isFinite(outcome.result.finalLoss));
});
