/**
 * Model folders across the BERT family: savePretrained writes tokenizer.json beside config.json and
 * model.safetensors when given a tokenizer (and fromPretrained reads it back on request); legacy
 * LayerNorm names gamma/beta load as weight/bias; a non-strict load builds another class of the family
 * (a pretraining checkpoint fine-tuned as a sequence classifier, a head's file into a base model) and
 * reports the weights left fresh and the tensors skipped, as transformers; strict loads name the file,
 * the tensor and both shapes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, manualSeed, tensor, type Tensor } from "../../../src/index.js";
import { familyOfConfig, fromPretrained, modelTypes, savePretrained, type RegisteredModel } from "../../../src/models/index.js";
import { encodeSafetensors } from "../../../src/io/safetensors.js";
import { Tokenizer } from "../../../src/tokenizers/tokenizer.js";
import { BertForPreTraining, BertForSequenceClassification, BertModel } from "../../../src/models/bert/index.js";
import { RobertaForMaskedLM } from "../../../src/models/roberta/index.js";
import { AlbertForPreTraining } from "../../../src/models/albert/index.js";
import { DistilBertForMaskedLM } from "../../../src/models/distilbert/index.js";

const bert = { vocab_size: 30, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 16 };
const tokenizerFile = new URL("../../fixtures/tokenizers/bert-tiny/tokenizer.json", import.meta.url).pathname;

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "loom-bert-family-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  assert.equal(x.length, y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  return worst;
}

type Entries = [string, { shape: readonly number[]; data: Float32Array }][];
const entries = (model: RegisteredModel): Entries => [...model.stateDict()].map(([n, t]) => [n, { shape: t.shape, data: t.toTypedArray() as Float32Array }]);
const writeTensors = (dir: string, list: Entries): void => writeFileSync(join(dir, "model.safetensors"), Buffer.concat(encodeSafetensors(list)));

test("savePretrained writes tokenizer.json when given a tokenizer; fromPretrained reads it back on request", () => withDir((dir) => {
  manualSeed(0);
  const tokenizer = Tokenizer.fromFile(tokenizerFile);
  savePretrained(new BertForSequenceClassification(bert), dir, { tokenizer });
  for (const f of ["config.json", "model.safetensors", "tokenizer.json"]) assert.ok(existsSync(join(dir, f)), f);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")), tokenizer.toJSON());
  const loaded = fromPretrained(dir, { withTokenizer: true });
  assert.equal(loaded.tokenizer?.toString(), tokenizer.toString());
  assert.deepEqual(loaded.tokenizer?.encode("hello world").ids, tokenizer.encode("hello world").ids);
  assert.equal(fromPretrained(dir).tokenizer, null, "a plain model load reads no tokenizer");
}));

test("legacy LayerNorm names gamma/beta (TensorFlow-era checkpoints) load as weight/bias", () => withDir((dir) => {
  manualSeed(1);
  const model = new BertForPreTraining(bert).eval();
  savePretrained(model, dir);
  const renamed: Entries = entries(model).map(([n, v]) => [n.includes("LayerNorm") ? n.replace(/\.weight$/, ".gamma").replace(/\.bias$/, ".beta") : n, v]);
  assert.ok(renamed.some(([n]) => n === "bert.embeddings.LayerNorm.gamma"));
  writeTensors(dir, renamed);
  const loaded = fromPretrained(dir).model as BertForPreTraining;
  loaded.eval();
  const ids = tensor([[2, 5, 7, 9]], { dtype: "int32" });
  assert.equal(maxDiff(loaded.forward(ids).predictionLogits, model.forward(ids).predictionLogits), 0);
}));

test("non-strict loads: a pretraining checkpoint into a sequence classifier of each family; encoder loaded, new head fresh, names reported", () => {
  const cases: [RegisteredModel, string, string, string[]][] = [
    [new BertForPreTraining(bert), "BertForSequenceClassification", "bert.", ["classifier.bias", "classifier.weight"]],
    [new RobertaForMaskedLM({ ...bert, pad_token_id: 1 }), "RobertaForSequenceClassification", "roberta.",
      ["classifier.dense.bias", "classifier.dense.weight", "classifier.out_proj.bias", "classifier.out_proj.weight"]],
    [new AlbertForPreTraining({ ...bert, embedding_size: 4 }), "AlbertForSequenceClassification", "albert.", ["classifier.bias", "classifier.weight"]],
    [new DistilBertForMaskedLM({ vocab_size: 30, dim: 8, n_layers: 2, n_heads: 2, hidden_dim: 16, max_position_embeddings: 16 }), "DistilBertForSequenceClassification", "distilbert.",
      ["classifier.bias", "classifier.weight", "pre_classifier.bias", "pre_classifier.weight"]],
  ];
  for (const [pretrained, architecture, prefix, newHead] of cases) {
    withDir((dir) => {
      manualSeed(2);
      savePretrained(pretrained, dir);
      assert.throws(() => fromPretrained(dir, { architecture, config: { num_labels: 2 } }),
        (e: Error) => e instanceof FormatError && e.file === join(dir, "model.safetensors") && /missing keys: /.test(e.message), `${architecture}: strict by default`);
      const { model, missingKeys, unexpectedKeys } = fromPretrained(dir, { architecture, config: { num_labels: 2 }, strict: false });
      assert.equal((model as { architecture?: string }).architecture, architecture);
      assert.deepEqual(missingKeys.sort(), newHead, `${architecture}: the new head is reported fresh`);
      assert.ok(unexpectedKeys.length > 0 && unexpectedKeys.every((k) => !k.startsWith(prefix)), `${architecture}: the old head is reported unused`);
      const before = pretrained.stateDict();
      for (const [name, t] of model.stateDict()) {
        if (name.startsWith(prefix) && before.has(name)) assert.equal(maxDiff(t, before.get(name) as Tensor), 0, `${architecture}: ${name} loaded`);
      }
    });
  }
});

test("a head's checkpoint into a base model and a base model's into a head: the family prefix is removed or added", () => withDir((dir) => {
  manualSeed(3);
  const head = new BertForSequenceClassification(bert).eval();
  savePretrained(head, dir);
  const base = fromPretrained(dir, { architecture: "BertModel", strict: false });
  assert.deepEqual(base.missingKeys, []);
  assert.deepEqual(base.unexpectedKeys.sort(), ["classifier.bias", "classifier.weight"]);
  const ids = tensor([[2, 5, 7, 9]], { dtype: "int32" });
  (base.model as BertModel).eval();
  assert.equal(maxDiff((base.model as BertModel).forward(ids).lastHiddenState, head.bert.forward(ids).lastHiddenState), 0);
  savePretrained(new BertModel(bert), dir);
  const up = fromPretrained(dir, { architecture: "BertForSequenceClassification", config: { num_labels: 3 }, strict: false });
  assert.deepEqual(up.missingKeys.sort(), ["classifier.bias", "classifier.weight"]);
  assert.deepEqual(up.unexpectedKeys, []);
  assert.throws(() => fromPretrained(dir, { architecture: "GPT2LMHeadModel" }), (e: Error) => e instanceof FormatError && e.field === "architectures" && /not a bert class/.test(e.message));
}));

test("strict loads name the file, the tensor and both shapes (non-strict too: a wrong shape is never skipped)", () => withDir((dir) => {
  manualSeed(4);
  const model = new BertForSequenceClassification(bert);
  savePretrained(model, dir);
  const file = join(dir, "model.safetensors");
  writeTensors(dir, entries(model).map(([n, v]) => (n === "bert.encoder.layer.1.intermediate.dense.weight" ? [n, { shape: [16, 7], data: new Float32Array(112) }] : [n, v])));
  for (const strict of [true, false]) {
    assert.throws(() => fromPretrained(dir, { strict }), (e: Error) => e instanceof FormatError && e.file === file && e.field === "bert.encoder.layer.1.intermediate.dense.weight"
      && /bert\.encoder\.layer\.1\.intermediate\.dense\.weight \(module \[16,8\], state dict \[16,7\]\)/.test(e.message));
  }
  writeTensors(dir, entries(model).filter(([n]) => n !== "bert.pooler.dense.bias"));
  assert.throws(() => fromPretrained(dir), (e: Error) => e instanceof FormatError && e.file === file && e.field === "bert.pooler.dense.bias" && /missing keys: bert\.pooler\.dense\.bias/.test(e.message));
}));

test("the registry knows the four encoder families by model_type and, without one, by an architectures entry", () => {
  assert.deepEqual(["bert", "roberta", "albert", "distilbert"].filter((t) => modelTypes().includes(t)), ["bert", "roberta", "albert", "distilbert"]);
  for (const [architecture, modelType] of [["BertForPreTraining", "bert"], ["RobertaForMaskedLM", "roberta"], ["AlbertForPreTraining", "albert"], ["DistilBertForMaskedLM", "distilbert"]]) {
    assert.equal(familyOfConfig({ architectures: [architecture] }, "config.json").modelType, modelType);
  }
});
