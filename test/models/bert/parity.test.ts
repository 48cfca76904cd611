/**
 * BERT parity with an independent PyTorch BERT of Hugging Face's layout (scripts/fixtures/bert.py →
 * test/fixtures/bert/bert.json): a tiny config with padding masks and token types, in float64 and
 * float32: the base model's last hidden state, pooler output, hidden states and attentions; the
 * pretraining (MLM + NSP), masked-LM, classification, regression, token-classification and
 * question-answering (clamped positions) heads' logits and losses; the gradient of EVERY parameter of
 * each; mean-pooled sentence embeddings with their cosine similarity; and ten AdamW steps of the
 * pretraining loss (float32 trajectory tolerance 10× the one-step one). Tolerance |loom − torch| ≤ atol + rtol·|torch|:
 * float64 atol 1e-10, rtol 1e-8; float32 atol 2e-5, rtol 2e-4.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { tensor, type Tensor } from "../../../src/index.js";
import { reshape } from "../../../src/ops/index.js";
import {
  BertForMaskedLM, BertForPreTraining, BertForQuestionAnswering, BertForSequenceClassification, BertForTokenClassification, BertModel,
  bertSentenceEmbeddings, type BertConfig,
} from "../../../src/models/bert/index.js";
import { cosineSimilarity } from "../../../src/nn/functional/index.js";
import { AdamW } from "../../../src/optim/index.js";
import type { Module } from "../../../src/nn/module.js";

interface Encoded { shape: number[]; data: number[] }
interface Case { logits?: Encoded; loss: number; grads: Record<string, Encoded>; [k: string]: unknown }
interface Fixture {
  config: Partial<BertConfig>;
  inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][];
  mlmLabels: number[][]; nextSentenceLabel: number[]; classLabels: number[]; regressionLabels: number[];
  tokenLabels: number[][]; startPositions: number[]; endPositions: number[];
  params: Record<string, Encoded>;
  headParams: Record<string, Record<string, Encoded>>;
  float64: Record<string, Case>;
  float32: Record<string, Case>;
}

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/bert/bert.json", import.meta.url), "utf8")) as Fixture;
type Dtype = "float64" | "float32";
const TOLERANCE: Record<Dtype, { atol: number; rtol: number }> = { float64: { atol: 1e-10, rtol: 1e-8 }, float32: { atol: 2e-5, rtol: 2e-4 } };

function decode(e: Encoded, dtype: Dtype): Tensor {
  return reshape(tensor(e.data, { dtype }), e.shape);
}

function assertClose(actual: Tensor | number, expected: Encoded | number, dtype: Dtype, what: string): void {
  const { atol, rtol } = TOLERANCE[dtype];
  const exp = typeof expected === "number" ? { shape: [], data: [expected] } : expected;
  const act = typeof actual === "number" ? [actual] : [...actual.toTypedArray()].map(Number);
  if (typeof actual !== "number") assert.deepEqual(actual.shape, exp.shape, `${what}: shape`);
  assert.equal(act.length, exp.data.length, `${what}: size`);
  for (let i = 0; i < act.length; i++) {
    const e = exp.data[i] as number;
    const diff = Math.abs((act[i] as number) - e);
    assert.ok(diff <= atol + rtol * Math.abs(e), `${what}[${i}]: loom ${act[i]}, torch ${e} (|Δ| = ${diff}, ${dtype})`);
  }
}

/** Loads the fixture's weights (base under `bert.` plus the head's) into `model`, in `dtype`, strictly. */
function load<M extends Module>(model: M, head: string, dtype: Dtype): M {
  model.to(dtype).eval(); // the config carries BERT's dropout 0.1; the reference runs in eval mode
  const sd = new Map<string, Tensor>();
  const expected = new Set(model.stateDict().keys());
  const prefix = expected.has("embeddings.word_embeddings.weight") ? "" : "bert.";
  for (const [k, v] of Object.entries(fixture.params)) if (expected.has(prefix + k)) sd.set(prefix + k, decode(v, dtype));
  for (const [k, v] of Object.entries(fixture.headParams[head] ?? {})) if (expected.has(k)) sd.set(k, decode(v, dtype));
  model.loadStateDict(sd, { strict: true });
  return model;
}

function checkGrads(model: Module, expected: Record<string, Encoded>, dtype: Dtype, what: string): void {
  const params = new Map(model.namedParameters());
  assert.deepEqual([...params.keys()].sort(), Object.keys(expected).sort(), `${what}: every parameter has a reference gradient`);
  for (const [name, p] of params) {
    assert.ok(p.grad !== null, `${what}: ${name} has no gradient`);
    assertClose(p.grad as Tensor, expected[name] as Encoded, dtype, `${what} grad ${name}`);
  }
}

const inputs = (): { attentionMask: Tensor; tokenTypeIds: Tensor } => ({
  attentionMask: tensor(fixture.attentionMask, { dtype: "int32" }),
  tokenTypeIds: tensor(fixture.tokenTypeIds, { dtype: "int32" }),
});
const ids = (): Tensor => tensor(fixture.inputIds, { dtype: "int32" });

for (const dtype of ["float64", "float32"] as const) {
  const ref = fixture[dtype];

  test(`BertForPreTraining (${dtype}): base outputs, hidden states, attentions, MLM/NSP logits, loss and every gradient`, () => {
    const model = load(new BertForPreTraining(fixture.config), "pretraining", dtype);
    const exp = ref.pretraining as Case & Record<string, Encoded & Encoded[]>;
    const base = model.bert.forward(ids(), { ...inputs(), outputHiddenStates: true, outputAttentions: true });
    assertClose(base.lastHiddenState, exp.lastHiddenState, dtype, "lastHiddenState");
    assertClose(base.poolerOutput as Tensor, exp.poolerOutput, dtype, "poolerOutput");
    assert.equal(base.hiddenStates?.length, 3);
    base.hiddenStates?.forEach((h, i) => assertClose(h, exp.hiddenStates[i] as Encoded, dtype, `hiddenStates[${i}]`));
    assert.equal(base.attentions?.length, 2);
    base.attentions?.forEach((a, i) => assertClose(a, exp.attentions[i] as Encoded, dtype, `attentions[${i}]`));
    const out = model.forward(ids(), {
      ...inputs(),
      labels: tensor(fixture.mlmLabels, { dtype: "int32" }),
      nextSentenceLabel: tensor(fixture.nextSentenceLabel, { dtype: "int32" }),
    });
    assertClose(out.predictionLogits, exp.predictionLogits, dtype, "predictionLogits");
    assertClose(out.seqRelationshipLogits, exp.seqRelationshipLogits, dtype, "seqRelationshipLogits");
    assertClose((out.loss as Tensor).item(), exp.loss, dtype, "loss");
    (out.loss as Tensor).backward();
    checkGrads(model, exp.grads, dtype, "pretraining");
  });

  test(`BertForMaskedLM (${dtype}): logits, loss (−100 ignored) and every gradient`, () => {
    const model = load(new BertForMaskedLM(fixture.config), "pretraining", dtype);
    const exp = ref.maskedLM as Case;
    const out = model.forward(ids(), { ...inputs(), labels: tensor(fixture.mlmLabels, { dtype: "int32" }) });
    assertClose(out.logits, exp.logits as Encoded, dtype, "logits");
    assertClose((out.loss as Tensor).item(), exp.loss, dtype, "loss");
    (out.loss as Tensor).backward();
    checkGrads(model, exp.grads, dtype, "maskedLM");
  });

  test(`BertForSequenceClassification (${dtype}): 3 classes (cross-entropy) and num_labels = 1 (MSE regression), every gradient`, () => {
    const classifier = load(new BertForSequenceClassification({ ...fixture.config, num_labels: 3 }), "classification", dtype);
    const c = classifier.forward(ids(), { ...inputs(), labels: tensor(fixture.classLabels, { dtype: "int32" }) });
    const expC = ref.classification as Case;
    assertClose(c.logits, expC.logits as Encoded, dtype, "classification logits");
    assertClose((c.loss as Tensor).item(), expC.loss, dtype, "classification loss");
    (c.loss as Tensor).backward();
    checkGrads(classifier, expC.grads, dtype, "classification");

    const regressor = load(new BertForSequenceClassification({ ...fixture.config, num_labels: 1 }), "regression", dtype);
    const r = regressor.forward(ids(), { ...inputs(), labels: tensor(fixture.regressionLabels, { dtype }) });
    const expR = ref.regression as Case;
    assertClose(r.logits, expR.logits as Encoded, dtype, "regression logits");
    assertClose((r.loss as Tensor).item(), expR.loss, dtype, "regression loss");
    (r.loss as Tensor).backward();
    checkGrads(regressor, expR.grads, dtype, "regression");
  });

  test(`BertForTokenClassification (${dtype}): logits, loss (−100 ignored) and every gradient`, () => {
    const model = load(new BertForTokenClassification({ ...fixture.config, num_labels: 4 }), "tokenClassification", dtype);
    const exp = ref.tokenClassification as Case;
    const out = model.forward(ids(), { ...inputs(), labels: tensor(fixture.tokenLabels, { dtype: "int32" }) });
    assertClose(out.logits, exp.logits as Encoded, dtype, "logits");
    assertClose((out.loss as Tensor).item(), exp.loss, dtype, "loss");
    (out.loss as Tensor).backward();
    checkGrads(model, exp.grads, dtype, "tokenClassification");
  });

  test(`BertForQuestionAnswering (${dtype}): start/end logits, transformers' clamped-position loss and every gradient`, () => {
    const model = load(new BertForQuestionAnswering(fixture.config), "questionAnswering", dtype);
    const exp = ref.questionAnswering as Case & Record<string, Encoded>;
    const out = model.forward(ids(), {
      ...inputs(),
      startPositions: tensor(fixture.startPositions, { dtype: "int32" }),
      endPositions: tensor(fixture.endPositions, { dtype: "int32" }),
    });
    assertClose(out.startLogits, exp.startLogits, dtype, "startLogits");
    assertClose(out.endLogits, exp.endLogits, dtype, "endLogits");
    assertClose((out.loss as Tensor).item(), exp.loss, dtype, "loss");
    (out.loss as Tensor).backward();
    checkGrads(model, exp.grads, dtype, "questionAnswering");
  });

  test(`sentence embeddings (${dtype}): mean over real tokens and cosine similarity`, () => {
    const model = load(new BertModel(fixture.config), "none", dtype);
    const exp = ref.sentenceEmbeddings as unknown as { embeddings: Encoded; cosine: number };
    const embeddings = bertSentenceEmbeddings(model, ids(), inputs());
    assertClose(embeddings, exp.embeddings, dtype, "embeddings");
    assertClose(cosineSimilarity(embeddings.slice(0, 0, 1), embeddings.slice(0, 1, 2)).item(), exp.cosine, dtype, "cosine");
  });
}

for (const dtype of ["float64", "float32"] as const) {
  test(`BertForPreTraining (${dtype}): ten AdamW steps follow PyTorch's loss trajectory`, () => {
    const model = load(new BertForPreTraining(fixture.config), "pretraining", dtype);
    const exp = fixture[dtype].adamwTrajectory as unknown as { lr: number; weightDecay: number; losses: number[] };
    const opt = new AdamW(model.parameters(), { lr: exp.lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: exp.weightDecay });
    const labels = tensor(fixture.mlmLabels, { dtype: "int32" });
    const nextSentenceLabel = tensor(fixture.nextSentenceLabel, { dtype: "int32" });
    exp.losses.forEach((expected, step) => {
      const { loss } = model.forward(ids(), { ...inputs(), labels, nextSentenceLabel });
      // Errors compound over steps: float32 gets 10× its one-step tolerance.
      const scale = dtype === "float32" ? 10 : 1;
      const { atol, rtol } = TOLERANCE[dtype];
      const got = (loss as Tensor).item();
      assert.ok(Math.abs(got - expected) <= scale * (atol + rtol * Math.abs(expected)), `step ${step}: loom ${got}, torch ${expected}`);
      opt.zeroGrad();
      loss?.backward();
      opt.step();
    });
  });
}
