import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValueError } from "../../../src/errors.js";
import { loadSafetensors } from "../../../src/io/safetensors.js";
import { loadClassifier } from "../../../src/train/classification/classifier.js";
import { predictProbabilities } from "../../../src/train/classification/evaluate.js";
import { epochOrder, linearWarmupDecay, stepCounts } from "../../../src/train/classification/finetune.js";
import { encodeClassificationInputs } from "../../../src/train/classification/inputs.js";
import { resumeFineTuneRun, startFineTuneRun } from "../../../src/train/classification/run.js";
import { quiet, syntheticExamples, tinySettings, writeJsonl } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "loom-finetune-"));
const data = join(dir, "train.jsonl");
const heldOut = join(dir, "test.jsonl");
writeJsonl(data, syntheticExamples(600, 1));
writeJsonl(heldOut, syntheticExamples(100, 2));

test("the schedule: linear warmup to lr, then linear decay to 0 at the last step; epochs in seeded orders", () => {
  assert.equal(linearWarmupDecay(0, 100, 10, 1), 0.1);
  assert.equal(linearWarmupDecay(9, 100, 10, 1), 1);
  assert.equal(linearWarmupDecay(10, 100, 10, 1), 1);
  assert.equal(linearWarmupDecay(55, 100, 10, 1), 0.5);
  assert.equal(linearWarmupDecay(100, 100, 10, 1), 0);
  assert.equal(linearWarmupDecay(0, 10, 0, 2), 2);
  assert.deepEqual(stepCounts(33, { epochs: 3, batchSize: 16 }), { perEpoch: 3, total: 9 });
  const a = epochOrder(50, 1, 0);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(epochOrder(50, 1, 0), a);
  assert.notDeepEqual(epochOrder(50, 1, 1), a);
});

test("a tiny BERT learns the synthetic task (≥ 95% on held-out data) and leaves a Hugging Face classifier folder", async () => {
  const out = join(dir, "run");
  const outcome = await startFineTuneRun(tinySettings(data, heldOut, out, 10), quiet);
  assert.equal(outcome.result.interrupted, false);
  assert.ok(outcome.result.validation !== null && outcome.result.validation.accuracy >= 0.95, `validation ${JSON.stringify(outcome.result.validation)}`);
  assert.ok(outcome.test !== null && outcome.test.accuracy >= 0.95, `test ${JSON.stringify(outcome.test)}`);
  // The confusion matrix adds up to the test set and agrees with the accuracy.
  const cm = outcome.test.confusion;
  assert.equal(cm.flat().reduce((a, b) => a + b, 0), 100);
  assert.equal((cm[0]![0]! + cm[1]![1]!) / 100, outcome.test.accuracy);
  const files = readdirSync(out).filter((n) => !n.startsWith("."));
  for (const f of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "metrics.jsonl", "test_results.json"]) assert.ok(files.includes(f), `${f} in ${files.join(", ")}`);
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as Record<string, unknown>;
  assert.deepEqual(config.architectures, ["BertForSequenceClassification"]);
  assert.equal(config.model_type, "bert");
  assert.deepEqual(config.id2label, { 0: "neg", 1: "pos" });
  assert.deepEqual(config.label2id, { neg: 0, pos: 1 });
  assert.ok(loadSafetensors(join(out, "model.safetensors")).tensors.has("classifier.weight"));
  // Validation figures are in the log after every epoch.
  const rows = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(rows.filter((r) => typeof r.val_accuracy === "number").length, 10);
  // The folder reloads to the same predictions.
  const loaded = loadClassifier(out);
  assert.deepEqual(loaded.labels, ["neg", "pos"]);
  assert.deepEqual(loaded.inputs, { maxLength: 16, headTokens: 7 });
  const texts = ["the alpha of it", "delta was at one"];
  const a = predictProbabilities(outcome.model, encodeClassificationInputs(outcome.tokenizer, texts, loaded.inputs), 2);
  const b = predictProbabilities(loaded.model, encodeClassificationInputs(loaded.tokenizer, texts, loaded.inputs), 2);
  assert.deepEqual(b, a);
  assert.ok(a[0]![1]! > 0.5 && a[1]![0]! > 0.5, JSON.stringify(a));

  // A second run never writes into the folder of the first.
  const before = readFileSync(join(out, "model.safetensors"));
  await assert.rejects(startFineTuneRun(tinySettings(data, heldOut, out, 1), quiet), (e: unknown) => e instanceof ValueError && /already holds a run/.test(e.message));
  assert.deepEqual(readFileSync(join(out, "model.safetensors")), before);
});

test("a run stopped part-way (as Ctrl-C) keeps a checkpoint, and --resume ends with the weights of an uninterrupted run", async () => {
  const whole = join(dir, "whole");
  const parts = join(dir, "parts");
  await startFineTuneRun(tinySettings(data, null, whole, 2), quiet);
  const stopped = await startFineTuneRun(tinySettings(data, null, parts, 2), { ...quiet, onStep: (step) => step === 5 });
  assert.equal(stopped.result.interrupted, true);
  assert.equal(stopped.result.steps, 5);
  assert.ok(existsSync(join(parts, "checkpoint-5")));
  const resumed = await resumeFineTuneRun(parts, {}, quiet);
  assert.equal(resumed.result.steps, resumed.result.totalSteps);
  const w = loadSafetensors(join(whole, "model.safetensors")).tensors;
  const p = loadSafetensors(join(parts, "model.safetensors")).tensors;
  for (const [name, entry] of w) assert.deepEqual(p.get(name)?.data, entry.data, name);
});
