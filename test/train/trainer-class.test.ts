import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Trainer, defaultTrainOptions } from "../../src/train/trainer-class.js";
import { evaluate } from "../../src/train/trainer.js";
import { evaluationBatches } from "../../src/data/batches.js";
import { encodeDocuments } from "../../src/train/dataset.js";
import { buildTokenizer } from "../../src/train/tokenizer-setup.js";
import { loadLanguageModel } from "../../src/train/checkpoint.js";
import { GPT } from "../../src/models/gpt/model.js";
import { manualSeed } from "../../src/tensor/rng.js";

const tokenizer = buildTokenizer("byte", () => []);
const stream = encodeDocuments(tokenizer, [{ name: "t", text: "abcabcabd ".repeat(60) }]);

function model(): GPT {
  manualSeed(0);
  return new GPT({ vocab_size: tokenizer.getVocabSize(), n_layer: 1, n_head: 2, n_embd: 16, n_positions: 16, embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 });
}

test("Trainer: defaults with overrides; a time budget alone replaces the default step budget", () => {
  const base = { model: model(), train: stream, validation: stream, outDir: "unused" };
  const t = new Trainer({ ...base, options: { lr: 0.01 } });
  assert.equal(t.options.lr, 0.01);
  assert.equal(t.options.steps, defaultTrainOptions.steps);
  const timed = new Trainer({ ...base, options: { timeSeconds: 5 } });
  assert.equal(timed.options.steps, undefined);
  assert.equal(timed.options.timeSeconds, 5);
});

test("Trainer.train lowers the validation loss, writes a run folder the loader reads; evaluate() is the trainer's own figure", async () => {
  const outDir = join(mkdtempSync(join(tmpdir(), "loom-trainer-")), "run");
  const gpt = model();
  const options = { steps: 40, blockSize: 16, batchSize: 8, lr: 1e-2, warmupSteps: 4, evalBlocks: 8 };
  const trainer = new Trainer({ model: gpt, train: stream, validation: stream, outDir, options, progress: "none" });
  const before = trainer.evaluate().loss;
  const steps: number[] = [];
  const trainerWithHook = new Trainer({ model: gpt, train: stream, validation: stream, outDir, options, progress: "none", onStep: (s) => void steps.push(s) });
  const result = await trainerWithHook.train();
  assert.equal(result.steps, 40);
  assert.deepEqual(steps, Array.from({ length: 40 }, (_, i) => i + 1));
  assert.ok((result.validation?.loss as number) < before - 0.5, `validation loss ${before} → ${result.validation?.loss}`);
  // evaluate() scores the same blocks as the run's own evaluation.
  const direct = evaluate(gpt, evaluationBatches(stream.tokens, 16, 8, 8), stream.tokens.length / stream.bytes);
  assert.equal(trainer.evaluate().loss, direct.loss);
  assert.ok(Math.abs(direct.loss - (result.validation?.loss as number)) < 1e-6);
  for (const f of ["model.safetensors", "config.json", "metrics.jsonl", "checkpoint-40/trainer_state.json"]) assert.ok(existsSync(join(outDir, f)), f);
  const { model: loaded, step } = loadLanguageModel(outDir);
  assert.equal(step, 40);
  assert.equal(evaluate(loaded, evaluationBatches(stream.tokens, 16, 8, 8), stream.tokens.length / stream.bytes).loss, direct.loss);
});
