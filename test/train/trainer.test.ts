import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveSettings, resumeTraining, runTraining, type RunSettings } from "../../src/train/run.js";
import { planResume } from "../../src/train/resume.js";
import { TrainingStopped, learningRate, train } from "../../src/train/trainer.js";
import { GPT } from "../../src/models/gpt/index.js";
import { loadModel, loadTokenizer } from "../../src/train/checkpoint.js";
import { readCorpus } from "../../src/data/corpus.js";
import { manualSeed, noGrad, tensor } from "../../src/index.js";

const quiet = { log: () => {}, progress: { update() {}, log() {}, stop() {} } };

/** A small text: the first three addresses of the bundled corpus, as one file. */
function smallCorpus(dir: string): string {
  const path = join(dir, "small.txt");
  writeFileSync(path, readCorpus().slice(0, 3).map((d) => d.text).join("\n\n"));
  return path;
}

function settingsFor(dir: string, data: string, train: Partial<RunSettings["train"]>, model: Partial<RunSettings["model"]> = {}): RunSettings {
  return resolveSettings("tiny", {
    data,
    tokenizer: "byte",
    out: join(dir, "run"),
    seed: 7,
    model: { n_layer: 2, n_head: 2, n_embd: 32, ...model },
    train: { batchSize: 8, blockSize: 32, evalBlocks: 16, checkpointInterval: 0, warmupSteps: 10, lr: 3e-3, minLr: 3e-4, ...train },
  });
}

function lossCurve(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n")) {
    const r = JSON.parse(line) as { step: number; loss?: number };
    if (r.loss !== undefined) out.set(r.step, r.loss);
  }
  return out;
}

test("a tiny byte-level GPT learns a small text: validation loss falls below 2.6 nats/byte in 300 steps", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-train-"));
  const settings = settingsFor(dir, smallCorpus(dir), { steps: 300, logInterval: 50 });
  const outcome = await runTraining(settings, quiet);
  const v = outcome.result.validation;
  assert.ok(v, "evaluated at the end");
  console.log(`tiny byte-level GPT: validation loss ${v.loss.toFixed(3)} after 300 steps (bound 2.6)`);
  assert.ok(v.loss < 2.6, `validation loss ${v.loss}`);
  // Byte-level: one token per byte (plus one <|endoftext|> per document), so bits/byte ≈ loss / ln 2.
  assert.ok(Math.abs(v.bitsPerByte - v.loss / Math.LN2) < 1e-3 * v.bitsPerByte, `bits/byte ${v.bitsPerByte} vs loss ${v.loss}`);
  for (const f of ["model.safetensors", "config.json", "tokenizer.json", "metrics.jsonl", "loss.svg"]) assert.ok(existsSync(join(settings.out, f)), f);
  for (const f of ["model.safetensors", "config.json", "optimizer.safetensors", "trainer_state.json"]) assert.ok(existsSync(join(settings.out, "checkpoint-300", f)), f);
  // The saved model reloads with identical outputs.
  const { model } = loadModel(settings.out);
  const ids = tensor([[72, 101, 108, 108, 111]], { dtype: "int32" });
  const a = noGrad(() => outcome.model.forward(ids).logits.toTypedArray());
  const b = noGrad(() => model.forward(ids).logits.toTypedArray());
  assert.deepEqual(b, a);
  assert.equal(loadTokenizer(settings.out).decode([72, 105]), "Hi");
});

test("a resumed run matches an uninterrupted one step for step", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-resume-"));
  const data = smallCorpus(dir);
  const full = settingsFor(join(dir, "a"), data, { steps: 24, logInterval: 1 }, { embd_pdrop: 0.1, attn_pdrop: 0.1, resid_pdrop: 0.1 });
  await runTraining(full, quiet);
  const split = settingsFor(join(dir, "b"), data, { steps: 24, logInterval: 1 }, { embd_pdrop: 0.1, attn_pdrop: 0.1, resid_pdrop: 0.1 });
  const first = await runTraining(split, { ...quiet, onStep: (step) => step === 10 });
  assert.equal(first.result.interrupted, true);
  assert.equal(first.result.steps, 10);
  const second = await resumeTraining(planResume(split.out), quiet);
  assert.equal(second.result.steps, 24);
  const a = lossCurve(full.out);
  const b = lossCurve(split.out);
  for (let step = 1; step <= 24; step++) assert.equal(b.get(step), a.get(step), `step ${step}`);
});

test("a NaN loss stops the run with a clear message and keeps the last good checkpoint", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-nan-"));
  const settings = settingsFor(dir, smallCorpus(dir), { steps: 12, checkpointInterval: 5 });
  const tokens = Int32Array.from({ length: 4000 }, (_, i) => (i * 7) % 256);
  const stream = { tokens, bytes: tokens.length };
  manualSeed(1);
  const model = new GPT({ ...settings.model, vocab_size: 256 });
  const out = join(dir, "nan-run");
  await assert.rejects(
    train({
      model, train: stream, validation: stream, outDir: out, options: settings.train, runOptions: {},
      progress: quiet.progress,
      onStep: (step) => {
        if (step === 7) (model.transformer.wte.weight.storage as Float32Array)[0] = NaN; // a diverged weight
      },
    }),
    (e: unknown) => e instanceof TrainingStopped && /loss is NaN at step 8/.test(e.message) && e.message.includes(`${out} keeps checkpoint 5`),
  );
  const saved = loadModel(out);
  assert.equal(saved.step, 5);
  assert.ok(saved.model.transformer.wte.weight.toTypedArray().every((x) => Number.isFinite(x)));
  const state = JSON.parse(readFileSync(join(out, "checkpoint-5", "trainer_state.json"), "utf8")) as { step: number };
  assert.equal(state.step, 5);
});

test("learning rate: linear warmup, then cosine from lr to minLr over the decay's progress", () => {
  const o = settingsFor("/tmp", "sotu", { lr: 1e-3, minLr: 1e-4, warmupSteps: 10 }).train;
  assert.equal(learningRate(0, 0, o), 1e-4);
  assert.equal(learningRate(9, 0, o), 1e-3);
  assert.equal(learningRate(10, 0, o), 1e-3);
  assert.ok(Math.abs(learningRate(50, 0.5, o) - 5.5e-4) < 1e-12);
  assert.equal(learningRate(99, 1, o), 1e-4);
  assert.equal(learningRate(99, 1.7, o), 1e-4, "progress past the end stays at the floor");
});
