import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BertForPreTraining, BertForMaskedLM, BertForSequenceClassification } from "../../../src/models/bert/heads.js";
import { fromPretrained } from "../../../src/models/pretrained.js";
import { Generator, manualSeed } from "../../../src/tensor/rng.js";
import { Tensor } from "../../../src/tensor/tensor.js";
import { Tokenizer } from "../../../src/tokenizers/tokenizer.js";
import { collatePretrainingBatch } from "../../../src/train/objectives/batch.js";
import { sequenceLayout } from "../../../src/train/objectives/layout.js";
import { createPairInstances } from "../../../src/train/objectives/pairs.js";
import { pretrainingLoss } from "../../../src/train/objectives/pretrain-loss.js";
import { resolvePretrainSettings, type BertPretrainOverrides } from "../../../src/train/objectives/pretrain-settings.js";
import { resumeBertPretraining, runBertPretraining } from "../../../src/train/objectives/pretrain.js";
import { segmentDocuments } from "../../../src/train/objectives/segments.js";
import { maskingVocabulary } from "../../../src/train/objectives/vocabulary.js";
import { trainWordPieceTokenizer } from "../../../src/train/objectives/wordpiece-setup.js";

const WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];

/**
 * A corpus where a masked word is given by its neighbours: sentences of 4–8 consecutive words of a
 * 12-word cycle. A context-free guess cannot beat the words' unigram entropy (about ln 13 nats); a
 * model that reads both sides can approach zero.
 */
function cycleCorpus(dir: string): string {
  const g = new Generator(5);
  const folder = join(dir, "corpus");
  mkdirSync(folder);
  for (let d = 0; d < 40; d++) {
    const sentences: string[] = [];
    for (let s = 0; s < 12; s++) {
      const start = g.randint(0, WORDS.length);
      const words = Array.from({ length: g.randint(4, 9) }, (_, i) => WORDS[(start + i) % WORDS.length] as string);
      sentences.push(words.join(" ").replace(/^./, (c) => c.toUpperCase()) + ".");
    }
    writeFileSync(join(folder, `${String(d).padStart(2, "0")}.txt`), sentences.join(" "));
  }
  return folder;
}

const quiet = { log: () => {}, progress: { update() {}, log() {}, stop() {} } };
const tinyModel = { hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 128, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 };

function settings(dir: string, data: string, overrides: BertPretrainOverrides = {}) {
  return resolvePretrainSettings({
    data, out: join(dir, "run"), vocabSize: 200, maxSeqLength: 32, seed: 1, model: tinyModel, ...overrides,
    train: { steps: 6, batchSize: 8, lr: 3e-3, warmupSteps: 10, evalBlocks: 64, logInterval: 1, checkpointInterval: 0, ...overrides.train },
  });
}

/** Entropy (nats) of the empirical distribution of `labels`: the best loss of a context-free guess. */
function unigramEntropy(labels: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) h -= (c / labels.length) * Math.log(c / labels.length);
  return h;
}

test("the gathered pretraining loss equals the heads' own forward loss (MLM + NSP, and MLM alone)", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-pretrain-"));
  const corpus = cycleCorpus(dir);
  const texts = WORDS.map((_, i) => readFileSync(join(corpus, `${String(i).padStart(2, "0")}.txt`), "utf8"));
  const tokenizer = trainWordPieceTokenizer(texts, { vocabSize: 120 });
  const instances = createPairInstances(segmentDocuments(tokenizer, texts, 14), "nsp", { maxNumTokens: 29, shortSeqProb: 0.3 }, new Generator(2));
  const batch = collatePretrainingBatch(instances.slice(0, 6), sequenceLayout(tokenizer), maskingVocabulary(tokenizer), 0, { masking: "hf" }, new Generator(3));
  manualSeed(4);
  const config = { ...tinyModel, vocab_size: tokenizer.getVocabSize() };
  const pre = new BertForPreTraining(config);
  const options = { attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds, labels: batch.labels };
  const expected = (pre.forward(batch.inputIds, { ...options, nextSentenceLabel: batch.nextSentenceLabel as Tensor }).loss as Tensor).item();
  assert.ok(Math.abs(pretrainingLoss(pre, batch).loss.item() - expected) < 1e-5 * expected);
  const mlm = new BertForMaskedLM(config);
  const expectedMlm = (mlm.forward(batch.inputIds, options).loss as Tensor).item();
  assert.ok(Math.abs(pretrainingLoss(mlm, batch).loss.item() - expectedMlm) < 1e-5 * expectedMlm);
});

test("a tiny BERT learns from context: validation MLM loss falls below the context-free bound, and the run folder loads for fine-tuning", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-pretrain-"));
  const data = cycleCorpus(dir);
  const s = settings(dir, data, { objective: "mlm", train: { steps: 500, batchSize: 16, evalInterval: 0 } });
  const outcome = await runBertPretraining(s, quiet);
  const v = outcome.result.validation;
  assert.ok(v !== null);
  assert.equal(outcome.model.architecture, "BertForMaskedLM");
  const out = s.out;
  const labels: number[] = [];
  {
    const tokenizer = Tokenizer.fromFile(join(out, "tokenizer.json"));
    const texts = ["36", "37", "38", "39"].map((n) => readFileSync(join(data, `${n}.txt`), "utf8"));
    for (const doc of segmentDocuments(tokenizer, texts)) for (const seg of doc) labels.push(...seg);
  }
  // The validation words' unigram entropy (≈ 2.45 nats here) is the best loss without context.
  const bound = unigramEntropy(labels) - 0.3;
  assert.ok(v.mlmLoss < bound, `validation MLM loss ${v.mlmLoss.toFixed(3)} ≥ ${bound.toFixed(3)} (context-free entropy − 0.3 nats)`);
  assert.ok(v.mlmAccuracy > 0.3, `MLM accuracy ${v.mlmAccuracy}`);
  // A Hugging Face model folder: config.json, model.safetensors, tokenizer.json.
  for (const f of ["config.json", "model.safetensors", "tokenizer.json", "metrics.jsonl", "checkpoint-500/trainer_state.json"]) assert.ok(existsSync(join(out, f)), f);
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as Record<string, unknown>;
  assert.deepEqual(config.architectures, ["BertForMaskedLM"]);
  assert.equal(config.model_type, "bert");
  const { model } = fromPretrained(out);
  assert.equal((model as BertForMaskedLM).architecture, "BertForMaskedLM");
  // Fine-tuning starts from the pretrained encoder: a classifier takes its bert.* weights.
  const classifier = new BertForSequenceClassification({ ...(model as BertForMaskedLM).config, num_labels: 2 });
  const encoder = new Map([...(model as BertForMaskedLM).bert.stateDict()]);
  const result = classifier.bert.loadStateDict(encoder, { strict: false });
  assert.deepEqual(result.unexpectedKeys, []);
  assert.deepEqual(result.missingKeys.filter((k) => !k.startsWith("pooler.")), []);
  const metrics = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>);
  assert.ok(metrics.some((r) => typeof r.val_mlm_accuracy === "number"));
});

test("MLM + NSP: a stopped run resumes to exactly the weights of an uninterrupted one; a run folder is never overwritten", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-pretrain-"));
  const data = cycleCorpus(dir);
  const straight = settings(dir, data, { out: join(dir, "straight"), objective: "mlm+nsp", masking: "google", wholeWord: true });
  const a = await runBertPretraining(straight, quiet);
  assert.equal(a.result.steps, 6);
  assert.ok(a.result.validation?.pairAccuracy !== null);
  const split = settings(dir, data, { out: join(dir, "split"), objective: "mlm+nsp", masking: "google", wholeWord: true });
  const first = await runBertPretraining(split, { ...quiet, onStep: (step) => step === 3 });
  assert.equal(first.result.steps, 3);
  assert.ok(first.result.interrupted);
  const second = await resumeBertPretraining(split.out, {}, quiet);
  assert.equal(second.result.steps, 6);
  const wa = a.model.stateDict();
  for (const [name, t] of second.model.stateDict()) {
    assert.deepEqual([...t.toTypedArray()], [...(wa.get(name) as Tensor).toTypedArray()], name);
  }
  assert.equal(second.result.finalLoss, a.result.finalLoss);
  await assert.rejects(runBertPretraining(straight, quiet), /already holds a run: continue it with --resume/);
  const more = await resumeBertPretraining(straight.out, { steps: 2 }, quiet);
  assert.equal(more.result.steps, 8);
});
