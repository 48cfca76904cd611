/**
 * classifier_pooling "mean" (BERT and RoBERTa sequence classifiers): the logits equal an independent
 * computation from the encoder's last hidden states (mean over the real tokens, then the pooler or
 * RoBERTa's head, written out here with plain arithmetic), padding changes nothing, "cls" stays
 * transformers' first-token pooling, and the field round-trips through config.json and is checked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, manualSeed, noGrad, tensor, type Tensor } from "../../../src/index.js";
import { fromPretrained, savePretrained } from "../../../src/models/index.js";
import { BertForSequenceClassification, bertConfigFromJSON, type BertConfig } from "../../../src/models/bert/index.js";
import { RobertaForSequenceClassification } from "../../../src/models/roberta/index.js";

const tiny: Partial<BertConfig> = {
  vocab_size: 20, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16,
  max_position_embeddings: 12, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, num_labels: 3,
};
const ids = (rows: number[][]): Tensor => tensor(rows, { dtype: "int32" });
const values = (t: Tensor): number[] => Array.from(t.toTypedArray() as Float32Array);

/** y = W·x + b for a Linear's weight [out, in] and bias [out], in doubles. */
function affine(weight: Tensor, bias: Tensor, x: number[]): number[] {
  const [rows, cols] = weight.shape as [number, number];
  const w = values(weight);
  const b = values(bias);
  return Array.from({ length: rows }, (_, r) => x.reduce((s, v, c) => s + (w[r * cols + c] as number) * v, b[r] as number));
}

/** The mean over the first `length` positions of row `row` of hidden [B, T, C]. */
function meanRow(hidden: Tensor, row: number, length: number): number[] {
  const [, T, C] = hidden.shape as [number, number, number];
  const h = values(hidden);
  return Array.from({ length: C }, (_, c) => {
    let s = 0;
    for (let t = 0; t < length; t++) s += h[(row * T + t) * C + c] as number;
    return s / length;
  });
}

function close(actual: number[], expected: number[], tolerance: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - (expected[i] as number)) <= tolerance, `[${i}] ${v} vs ${expected[i]}`));
}

test("BERT classifier_pooling mean: logits = classifier(tanh(pooler(mean of the real tokens))), padding-invariant; cls is unchanged", () => {
  manualSeed(11);
  const model = new BertForSequenceClassification({ ...tiny, classifier_pooling: "mean" }).eval();
  const input = ids([[2, 9, 4, 7, 0], [5, 3, 0, 0, 0]]);
  const mask = ids([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]]);
  noGrad(() => {
    const { logits } = model.forward(input, { attentionMask: mask });
    const hidden = model.bert.forward(input, { attentionMask: mask }).lastHiddenState;
    const pooler = model.bert.pooler!;
    [4, 2].forEach((length, row) => {
      const pooled = affine(pooler.dense.weight, pooler.dense.bias!, meanRow(hidden, row, length)).map(Math.tanh);
      close(values(logits).slice(row * 3, row * 3 + 3), affine(model.classifier.weight, model.classifier.bias!, pooled), 1e-5);
    });
    // The same sequences unpadded give the same logits: padding is left out of the mean.
    close(values(model.forward(ids([[5, 3]])).logits), values(logits).slice(3, 6), 1e-5);
    // cls pooling with the same weights reads the first token: different logits.
    const cls = new BertForSequenceClassification({ ...tiny, classifier_pooling: "cls" }).eval();
    cls.loadStateDict(model.stateDict());
    const first = values(cls.forward(input, { attentionMask: mask }).logits);
    const pooledFirst = values(cls.bert.forward(input, { attentionMask: mask }).poolerOutput!).slice(0, 8);
    close(first.slice(0, 3), affine(cls.classifier.weight, cls.classifier.bias!, pooledFirst), 1e-5);
    assert.ok(Math.abs((first[0] as number) - (values(logits)[0] as number)) > 1e-4);
  });
  // Gradients reach every real position's hidden state through the mean (a loss on row 1 moves row 1's embeddings only).
  const { loss } = model.forward(ids([[5, 3, 0]]), { attentionMask: ids([[1, 1, 0]]), labels: ids([[2]]).reshape([1]) });
  loss!.backward();
  const grad = values(model.bert.embeddings.word_embeddings.weight.grad!);
  const rowNorm = (id: number): number => Math.hypot(...grad.slice(id * 8, id * 8 + 8));
  assert.ok(rowNorm(5) > 0 && rowNorm(3) > 0);
  assert.equal(rowNorm(9), 0);
});

test("RoBERTa classifier_pooling mean: the classification head reads the mean of the real tokens", () => {
  manualSeed(12);
  const model = new RobertaForSequenceClassification({ ...tiny, vocab_size: 20, pad_token_id: 1, max_position_embeddings: 14, type_vocab_size: 1, classifier_pooling: "mean" }).eval();
  const input = ids([[0, 9, 4, 2, 1, 1]]);
  const mask = ids([[1, 1, 1, 1, 0, 0]]);
  noGrad(() => {
    const { logits } = model.forward(input, { attentionMask: mask });
    const hidden = model.roberta.forward(input, { attentionMask: mask }).lastHiddenState;
    const head = model.classifier;
    const dense = affine(head.dense.weight, head.dense.bias!, meanRow(hidden, 0, 4)).map(Math.tanh);
    close(values(logits), affine(head.out_proj.weight, head.out_proj.bias!, dense), 1e-5);
    close(values(model.forward(ids([[0, 9, 4, 2]])).logits), values(logits), 1e-5);
  });
});

test("classifier_pooling: config.json round trip, transformers' default cls when absent, a named error otherwise", () => {
  manualSeed(13);
  const dir = mkdtempSync(join(tmpdir(), "loom-pooling-"));
  try {
    const model = new BertForSequenceClassification({ ...tiny, classifier_pooling: "mean" }).eval();
    savePretrained(model, dir);
    const { model: loaded } = fromPretrained(dir);
    assert.equal((loaded as BertForSequenceClassification).config.classifier_pooling, "mean");
    const input = ids([[2, 9, 4]]);
    noGrad(() => close(values((loaded as BertForSequenceClassification).forward(input).logits), values(model.forward(input).logits), 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sizes = { vocab_size: 20, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 };
  assert.equal(bertConfigFromJSON(sizes, "c.json").classifier_pooling, "cls");
  assert.throws(() => bertConfigFromJSON({ ...sizes, classifier_pooling: "max" }, "dir/config.json"),
    (e: Error) => e instanceof FormatError && e.file === "dir/config.json" && e.field === "classifier_pooling" && /cls, mean/.test(e.message));
});
