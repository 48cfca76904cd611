/**
 * BertModel and its heads: HF names and shapes, config.json validation (named errors), padding masks
 * (an independent check: padded keys change nothing), sequence-length and label errors, and
 * save/load of an HF-layout folder through the model registry.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, ShapeError, ValueError, manualSeed, noGrad, tensor, type Tensor } from "../../../src/index.js";
import { fromPretrained, savePretrained, modelFromConfigFile } from "../../../src/models/index.js";
import {
  BertForMaskedLM, BertForPreTraining, BertForQuestionAnswering, BertForSequenceClassification, BertForTokenClassification, BertModel,
  bertConfigFromJSON, bertConfig, bertParameterCount, type BertConfig,
} from "../../../src/models/bert/index.js";
import { encodeSafetensors } from "../../../src/io/safetensors.js";
import { add, copyInto } from "../../../src/ops/index.js";

const tiny: Partial<BertConfig> = {
  vocab_size: 20, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16,
  max_position_embeddings: 12, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0,
};
const sizes = { vocab_size: 20, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16 };
const ids = (rows: number[][] | number[]): Tensor => tensor(rows, { dtype: "int32" });

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  assert.equal(x.length, y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  return worst;
}

test("BertModel: Hugging Face's state-dict names and shapes; heads add theirs under bert.", () => {
  manualSeed(0);
  const names = (m: { namedParameters(): [string, Tensor][] }): string[] => m.namedParameters().map(([n, p]) => `${n}:${p.shape.join("x")}`);
  const base = names(new BertModel(tiny));
  assert.deepEqual(base.slice(0, 5), [
    "embeddings.word_embeddings.weight:20x8", "embeddings.position_embeddings.weight:12x8",
    "embeddings.token_type_embeddings.weight:2x8", "embeddings.LayerNorm.weight:8", "embeddings.LayerNorm.bias:8",
  ]);
  assert.deepEqual(base.slice(5, 21), [
    "encoder.layer.0.attention.self.query.weight:8x8", "encoder.layer.0.attention.self.query.bias:8",
    "encoder.layer.0.attention.self.key.weight:8x8", "encoder.layer.0.attention.self.key.bias:8",
    "encoder.layer.0.attention.self.value.weight:8x8", "encoder.layer.0.attention.self.value.bias:8",
    "encoder.layer.0.attention.output.dense.weight:8x8", "encoder.layer.0.attention.output.dense.bias:8",
    "encoder.layer.0.attention.output.LayerNorm.weight:8", "encoder.layer.0.attention.output.LayerNorm.bias:8",
    "encoder.layer.0.intermediate.dense.weight:16x8", "encoder.layer.0.intermediate.dense.bias:16",
    "encoder.layer.0.output.dense.weight:8x16", "encoder.layer.0.output.dense.bias:8",
    "encoder.layer.0.output.LayerNorm.weight:8", "encoder.layer.0.output.LayerNorm.bias:8",
  ]);
  assert.deepEqual(base.slice(-2), ["pooler.dense.weight:8x8", "pooler.dense.bias:8"]);
  assert.equal(base.length, 5 + 2 * 16 + 2);
  // The budget check counts parameters before allocating: its formula must match the built model.
  assert.equal(bertParameterCount(bertConfig(tiny)), new BertModel(tiny).numParameters());
  const mlm = names(new BertForMaskedLM(tiny));
  assert.ok(mlm.every((n) => n.startsWith("bert.") || n.startsWith("cls.predictions.")));
  assert.ok(!mlm.some((n) => n.startsWith("bert.pooler.")), "BertForMaskedLM has no pooler (add_pooling_layer=False)");
  assert.deepEqual(mlm.filter((n) => n.startsWith("cls.")), [
    "cls.predictions.bias:20", "cls.predictions.transform.dense.weight:8x8", "cls.predictions.transform.dense.bias:8",
    "cls.predictions.transform.LayerNorm.weight:8", "cls.predictions.transform.LayerNorm.bias:8",
  ]);
  const pre = names(new BertForPreTraining(tiny));
  assert.deepEqual(pre.slice(-2), ["cls.seq_relationship.weight:2x8", "cls.seq_relationship.bias:2"]);
  const cls = names(new BertForSequenceClassification({ ...tiny, num_labels: 5 }));
  assert.deepEqual(cls.slice(-2), ["classifier.weight:5x8", "classifier.bias:5"]);
  const tok = names(new BertForTokenClassification({ ...tiny, num_labels: 4 }));
  assert.deepEqual(tok.slice(-2), ["classifier.weight:4x8", "classifier.bias:4"]);
  assert.ok(!tok.some((n) => n.startsWith("bert.pooler.")));
  const qa = names(new BertForQuestionAnswering(tiny));
  assert.deepEqual(qa.slice(-2), ["qa_outputs.weight:2x8", "qa_outputs.bias:2"]);
  assert.ok(!qa.some((n) => n.startsWith("bert.pooler.")));
});

test("forward shapes; hidden states and attentions on request; the MLM decoder is the word-embedding matrix", () => {
  manualSeed(1);
  const m = new BertForPreTraining(tiny);
  const out = m.forward(ids([[1, 2, 3, 4], [5, 6, 7, 0]]), { outputHiddenStates: true, outputAttentions: true });
  assert.deepEqual(out.predictionLogits.shape, [2, 4, 20]);
  assert.deepEqual(out.seqRelationshipLogits.shape, [2, 2]);
  assert.deepEqual(out.hiddenStates?.map((h) => h.shape), [[2, 4, 8], [2, 4, 8], [2, 4, 8]]);
  assert.deepEqual(out.attentions?.map((a) => a.shape), [[2, 2, 4, 4], [2, 2, 4, 4]]);
  assert.equal(out.loss, null);
  const plain = new BertModel(tiny).forward(ids([[1, 2]]));
  assert.equal(plain.hiddenStates, null);
  assert.equal(plain.attentions, null);
  assert.deepEqual(plain.poolerOutput?.shape, [1, 8]);
  // An independent check of the tie: a change to word_embeddings moves the MLM logits of every position.
  const mlm = new BertForMaskedLM(tiny).eval();
  const before = mlm.forward(ids([[3, 4]])).logits;
  const weight = mlm.bert.embeddings.word_embeddings.weight;
  const bump = Array.from({ length: 20 }, (_, r) => Array.from({ length: 8 }, (_, c) => (r === 7 && c === 0 ? 1 : 0)));
  noGrad(() => copyInto(weight, add(weight, tensor(bump)))); // token 7 is not in the input: only the decoder reads it
  const after = mlm.forward(ids([[3, 4]])).logits;
  assert.ok(maxDiff(before, after) > 1e-3);
});

test("padding: with attentionMask, padded keys change nothing at the real positions", () => {
  manualSeed(2);
  const m = new BertModel(tiny).eval();
  const types = ids([[0, 0, 1]]);
  const alone = m.forward(ids([[2, 9, 4]]), { tokenTypeIds: types });
  for (const pad of [[0, 0], [13, 17]]) {
    const padded = m.forward(ids([[2, 9, 4, ...pad]]), {
      attentionMask: ids([[1, 1, 1, 0, 0]]),
      tokenTypeIds: ids([[0, 0, 1, 0, 0]]),
    });
    assert.ok(maxDiff(padded.lastHiddenState.slice(1, 0, 3), alone.lastHiddenState) < 1e-5);
    assert.ok(maxDiff(padded.poolerOutput as Tensor, alone.poolerOutput as Tensor) < 1e-5);
  }
  // Without the mask the padding is attended to, and the outputs differ.
  const unmasked = m.forward(ids([[2, 9, 4, 13, 17]]), { tokenTypeIds: ids([[0, 0, 1, 0, 0]]) });
  assert.ok(maxDiff(unmasked.lastHiddenState.slice(1, 0, 3), alone.lastHiddenState) > 1e-3);
  // Token types matter.
  const other = m.forward(ids([[2, 9, 4]]), { tokenTypeIds: ids([[0, 1, 1]]) });
  assert.ok(maxDiff(other.lastHiddenState, alone.lastHiddenState) > 1e-3);
});

test("bad input: a sequence longer than max_position_embeddings, bad masks, token types and labels are named errors", () => {
  manualSeed(3);
  const m = new BertForSequenceClassification({ ...tiny, num_labels: 3 });
  const long = ids([Array.from({ length: 13 }, (_, i) => i % 20)]);
  assert.throws(() => m.forward(long), (e: Error) => e instanceof ShapeError && /13 tokens exceeds max_position_embeddings = 12/.test(e.message));
  assert.throws(() => m.forward(ids([[1, 2]]), { attentionMask: ids([[1, 1, 1]]) }), /attentionMask \[1,3\] must match inputIds \[1,2\]/);
  assert.throws(() => m.forward(ids([[1, 2]]), { tokenTypeIds: ids([[0, 2]]) }), /token type id 2 is outside \[0, type_vocab_size = 2\)/);
  assert.throws(() => m.forward(ids([[1, 2], [3, 4]]), { labels: ids([1, 3]) }),
    (e: Error) => e instanceof ValueError && /BertForSequenceClassification\.forward: labels\[1\] = 3 is outside \[0, 3\)/.test(e.message));
  const mlm = new BertForMaskedLM(tiny);
  assert.throws(() => mlm.forward(ids([[1, 2]]), { labels: ids([[-100, 20]]) }), /BertForMaskedLM\.forward: labels\[1\] = 20 is outside \[0, 20\)/);
  const pre = new BertForPreTraining(tiny);
  assert.throws(() => pre.forward(ids([[1, 2]]), { labels: ids([[-100, 4]]), nextSentenceLabel: ids([2]) }), /nextSentenceLabel\[0\] = 2 is outside \[0, 2\)/);
  assert.throws(() => pre.forward(ids([[1, 2]]), { labels: ids([[-100, 4]]) }), /give both labels/);
  const reg = new BertForSequenceClassification({ ...tiny, num_labels: 1 });
  assert.throws(() => reg.forward(ids([[1, 2]]), { labels: ids([1]) }), /regression; labels must be floating point/);
  const tok = new BertForTokenClassification({ ...tiny, num_labels: 3 });
  assert.throws(() => tok.forward(ids([[1, 2]]), { labels: ids([[0, 3]]) }), /BertForTokenClassification\.forward: labels\[1\] = 3 is outside \[0, 3\)/);
  const qa = new BertForQuestionAnswering(tiny);
  assert.throws(() => qa.forward(ids([[1, 2]]), { startPositions: ids([0]) }), /give both startPositions and endPositions/);
  assert.throws(() => qa.forward(ids([[1, 2]]), { startPositions: ids([0, 1]), endPositions: ids([1]) }), /startPositions \[2\] must be \[B\] = \[1\]/);
});

test("config.json: hidden_size not divisible by heads, sizes over the limits and unsupported options are FormatErrors naming file and field", () => {
  const file = "dir/config.json";
  const bad = (raw: object, field: string, pattern: RegExp): void => {
    assert.throws(() => bertConfigFromJSON(raw, file), (e: Error) => e instanceof FormatError && e.file === file && e.field === field && pattern.test(e.message), JSON.stringify(raw));
  };
  bad({ ...sizes, hidden_size: 10, num_attention_heads: 3 }, "num_attention_heads", /hidden_size \(10\) must be a multiple of num_attention_heads \(3\)/);
  bad({ ...sizes, num_hidden_layers: 100_000 }, "num_hidden_layers", /≤ 1,024, got 100000/);
  bad({ ...sizes, vocab_size: 4_000_000, hidden_size: 60_000, num_attention_heads: 1 }, "vocab_size", /above the limit/);
  bad({ ...sizes, hidden_act: "geglu" }, "hidden_act", /expected one of gelu/);
  bad({ ...sizes, layer_norm_eps: 0 }, "layer_norm_eps", /positive/);
  bad({ ...sizes, pad_token_id: 20 }, "pad_token_id", /\[0, vocab_size = 20\)/);
  bad({ vocab_size: 20 }, "hidden_size", /missing/);
  bad({ ...sizes, position_embedding_type: "relative_key" }, "position_embedding_type", /only "absolute"/);
  bad({ ...sizes, hidden_sizes: 8 }, "hidden_sizes", /did you mean "hidden_size"/);
  const ok = bertConfigFromJSON({ ...sizes, id2label: { 0: "ham", 1: "spam", 2: "other" }, use_cache: true }, file);
  assert.equal(ok.num_labels, 3);
  assert.equal(ok.layer_norm_eps, 1e-12);
  assert.equal(ok.hidden_act, "gelu");
  assert.throws(() => new BertModel({ ...tiny, hiddenSize: 8 } as Partial<BertConfig>), /did you mean "hidden_size"/);
});

test("savePretrained / fromPretrained: an HF-layout folder round-trips each class; HF's tied aliases load; a missing or misshapen tensor is named", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-bert-"));
  try {
    manualSeed(4);
    const input = ids([[2, 5, 7, 0]]);
    const mask = ids([[1, 1, 1, 0]]);
    for (const model of [new BertModel(tiny), new BertForMaskedLM(tiny), new BertForPreTraining(tiny), new BertForSequenceClassification({ ...tiny, num_labels: 3 }),
      new BertForTokenClassification({ ...tiny, num_labels: 4 }), new BertForQuestionAnswering(tiny)]) {
      model.eval();
      savePretrained(model, dir);
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
      assert.equal(config.model_type, "bert");
      assert.deepEqual(config.architectures, [model.architecture]);
      const { model: loaded } = fromPretrained(dir);
      assert.equal(loaded.constructor, model.constructor);
      loaded.eval();
      const a = model.forward(input, { attentionMask: mask }) as unknown as Record<string, Tensor | null>;
      const b = (loaded as typeof model).forward(input, { attentionMask: mask }) as unknown as Record<string, Tensor | null>;
      const key = ["logits", "predictionLogits", "startLogits", "lastHiddenState"].find((k) => k in a) as string;
      assert.equal(maxDiff(a[key] as Tensor, b[key] as Tensor), 0);
    }
    // transformers' files carry the tied decoder (weight and bias) and older ones a position_ids buffer.
    const mlm = new BertForMaskedLM(tiny);
    const sd = mlm.stateDict();
    const entry = (t: Tensor): { shape: readonly number[]; data: Float32Array } => ({ shape: t.shape, data: t.toTypedArray() as Float32Array });
    const hf: [string, { shape: readonly number[]; data: Float32Array | Float64Array }][] = [...sd].map(([n, t]) => [n, entry(t)]);
    hf.push(["cls.predictions.decoder.weight", entry(sd.get("bert.embeddings.word_embeddings.weight") as Tensor)]);
    hf.push(["cls.predictions.decoder.bias", entry(sd.get("cls.predictions.bias") as Tensor)]);
    hf.push(["bert.embeddings.position_ids", { shape: [1, 12], data: new Float32Array(12) }]);
    const write = (entries: typeof hf): void => writeFileSync(join(dir, "model.safetensors"), Buffer.concat(encodeSafetensors(entries)));
    savePretrained(mlm, dir);
    write(hf);
    assert.ok(fromPretrained(dir).model instanceof BertForMaskedLM);
    write(hf.filter(([n]) => n !== "bert.encoder.layer.1.output.dense.weight"));
    assert.throws(() => fromPretrained(dir), (e: Error) => e instanceof FormatError && e.file === join(dir, "model.safetensors") && /missing keys: bert\.encoder\.layer\.1\.output\.dense\.weight/.test(e.message));
    write(hf.map(([n, v]) => (n === "cls.predictions.bias" ? [n, { shape: [19], data: new Float32Array(19) }] : [n, v])));
    assert.throws(() => fromPretrained(dir), (e: Error) => e instanceof FormatError && /shape mismatches: cls\.predictions\.bias \(module \[20\], state dict \[19\]\)/.test(e.message));
    // A config.json naming a class loom lacks, or hidden_size not divisible by heads, names the file and field.
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "bert", ...sizes, architectures: ["BertForNextSentencePrediction"] }));
    assert.throws(() => modelFromConfigFile(dir), (e: Error) => e instanceof FormatError && e.field === "architectures");
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "bert", ...sizes, hidden_size: 9 }));
    assert.throws(() => modelFromConfigFile(dir), (e: Error) => e instanceof FormatError && e.file === join(dir, "config.json") && e.field === "num_attention_heads");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
