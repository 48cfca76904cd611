import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, ValueError } from "../../../src/errors.js";
import { BertForMaskedLM } from "../../../src/models/bert/index.js";
import { savePretrained } from "../../../src/models/pretrained.js";
import { loadSafetensors } from "../../../src/io/safetensors.js";
import { classifierFromEncoder, loadClassifier } from "../../../src/train/classification/classifier.js";
import { predictProbabilities } from "../../../src/train/classification/evaluate.js";
import { epochOrder, linearWarmupDecay, stepCounts } from "../../../src/train/classification/finetune.js";
import { encodeClassificationInputs } from "../../../src/train/classification/inputs.js";
import { resumeFineTuneRun, startFineTuneRun } from "../../../src/train/classification/run.js";
import { trainWordPieceTokenizer } from "../../../src/train/objectives/wordpiece-setup.js";
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

test("classifierFromEncoder: a masked-LM folder's encoder weights go into a new classifier; the head is new, cls.* unused", () => {
  const pre = join(dir, "pretrained");
  mkdirSync(pre);
  const mlm = new BertForMaskedLM({ vocab_size: 50, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 24 });
  savePretrained(mlm, pre);
  const { model, newWeights, unusedWeights } = classifierFromEncoder(pre, 3);
  assert.equal(model.architecture, "BertForSequenceClassification");
  assert.equal(model.config.num_labels, 3);
  assert.deepEqual(newWeights.sort(), ["bert.pooler.dense.bias", "bert.pooler.dense.weight", "classifier.bias", "classifier.weight"]);
  assert.ok(unusedWeights.length > 0 && unusedWeights.every((n) => n.startsWith("cls.predictions.")), unusedWeights.join(", "));
  const own = model.stateDict();
  for (const [name, t] of mlm.stateDict()) {
    if (name.startsWith("cls.")) continue;
    assert.deepEqual(own.get(name)?.toTypedArray(), t.toTypedArray(), name);
  }
  // A folder of another shape is refused by the tensor's name, not loaded half-way.
  const other = join(dir, "other");
  mkdirSync(other);
  savePretrained(new BertForMaskedLM({ vocab_size: 50, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 24 }), other);
  const config = JSON.parse(readFileSync(join(other, "config.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(other, "config.json"), JSON.stringify({ ...config, intermediate_size: 48 }));
  assert.throws(() => classifierFromEncoder(other, 2), (e: unknown) => e instanceof FormatError && /bert\.encoder\.layer\.0\.intermediate\.dense\.weight \(module \[48, ?16\], state dict \[32, ?16\]\)/.test(e.message));
});

test("--distilbert: a DistilBERT student initialised from a BERT folder (every other layer) fine-tunes and reloads", async () => {
  const teacherDir = join(dir, "teacher");
  mkdirSync(teacherDir);
  const tokenizer = trainWordPieceTokenizer(syntheticExamples(200, 3).map((e) => e.text), { vocabSize: 120 });
  const teacher = new BertForMaskedLM({ vocab_size: tokenizer.getVocabSize(), hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 16 });
  savePretrained(teacher, teacherDir);
  tokenizer.save(join(teacherDir, "tokenizer.json"));
  const out = join(dir, "student");
  const outcome = await startFineTuneRun({ ...tinySettings(data, null, out, 1), init: teacherDir, distilbert: true }, quiet);
  assert.equal(outcome.model.architecture, "DistilBertForSequenceClassification");
  assert.equal((outcome.model.config as { n_layers?: number }).n_layers, 1);
  const loaded = loadClassifier(out);
  assert.equal(loaded.model.architecture, "DistilBertForSequenceClassification");
  assert.deepEqual(loaded.labels, ["neg", "pos"]);
});
