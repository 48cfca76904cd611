/**
 * ALBERT parity with an independent PyTorch ALBERT of Hugging Face's layout (scripts/fixtures/albert.py →
 * test/fixtures/bert/albert.json): 4 steps over 2 layer groups of 2 inner layers each (shared weights
 * collect gradient from every step), factorised embeddings (E = 6, C = 8), gelu_new, padding and token
 * types; the pretraining (MLM + SOP), masked-LM and classification/regression heads' logits, losses and
 * EVERY parameter gradient, in float64 and float32.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, type Tensor } from "../../../src/index.js";
import { AlbertForMaskedLM, AlbertForPreTraining, AlbertForSequenceClassification, type AlbertConfig } from "../../../src/models/albert/index.js";
import { type Case, type EncoderFixture, type Encoded, assertClose, checkGrads, loadFixture, readFixture } from "../bert/parity-helpers.js";

interface Fixture extends EncoderFixture {
  config: Partial<AlbertConfig>;
  inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][];
  mlmLabels: number[][]; sentenceOrderLabel: number[]; classLabels: number[]; regressionLabels: number[];
}

const fixture = readFixture<Fixture>("albert.json");
const int = (rows: number[][] | number[]): Tensor => tensor(rows, { dtype: "int32" });
const ids = (): Tensor => int(fixture.inputIds);
const inputs = (): { attentionMask: Tensor; tokenTypeIds: Tensor } => ({ attentionMask: int(fixture.attentionMask), tokenTypeIds: int(fixture.tokenTypeIds) });

for (const dtype of ["float64", "float32"] as const) {
  const ref = fixture[dtype];

  test(`AlbertForPreTraining (${dtype}): shared-layer outputs, hidden states, attentions, MLM/SOP logits, loss and every gradient`, () => {
    const model = loadFixture(new AlbertForPreTraining(fixture.config), fixture, "albert.", "pretraining", dtype);
    const exp = ref.pretraining as Case & Record<string, Encoded & Encoded[]>;
    const out = model.forward(ids(), {
      ...inputs(), outputHiddenStates: true, outputAttentions: true,
      labels: int(fixture.mlmLabels), sentenceOrderLabel: int(fixture.sentenceOrderLabel),
    });
    const base = model.albert.forward(ids(), inputs());
    assertClose(base.lastHiddenState, exp.lastHiddenState, dtype, "lastHiddenState");
    assertClose(base.poolerOutput as Tensor, exp.poolerOutput, dtype, "poolerOutput");
    assert.equal(out.hiddenStates?.length, 5, "mapped embeddings + one per step");
    out.hiddenStates?.forEach((h, i) => assertClose(h, exp.hiddenStates[i] as Encoded, dtype, `hiddenStates[${i}]`));
    assert.equal(out.attentions?.length, 8, "one per layer applied: 4 steps × 2 inner layers");
    out.attentions?.forEach((a, i) => assertClose(a, exp.attentions[i] as Encoded, dtype, `attentions[${i}]`));
    assertClose(out.predictionLogits, exp.predictionLogits, dtype, "predictionLogits");
    assertClose(out.sopLogits, exp.sopLogits, dtype, "sopLogits");
    assertClose((out.loss as Tensor).item(), exp.loss, dtype, "loss");
    (out.loss as Tensor).backward();
    checkGrads(model, exp.grads, dtype, "pretraining");
  });

  test(`AlbertForMaskedLM (${dtype}): logits, loss (−100 ignored) and every gradient (tied decoder [V, E])`, () => {
    const model = loadFixture(new AlbertForMaskedLM(fixture.config), fixture, "albert.", "pretraining", dtype);
    const exp = ref.maskedLM as Case & { logits: Encoded };
    const out = model.forward(ids(), { ...inputs(), labels: int(fixture.mlmLabels) });
    assertClose(out.logits, exp.logits, dtype, "logits");
    assertClose((out.loss as Tensor).item(), exp.loss, dtype, "loss");
    (out.loss as Tensor).backward();
    checkGrads(model, exp.grads, dtype, "maskedLM");
  });

  test(`AlbertForSequenceClassification (${dtype}): 3 classes and regression, every gradient`, () => {
    for (const [head, numLabels, labels] of [["classification", 3, int(fixture.classLabels)], ["regression", 1, tensor(fixture.regressionLabels, { dtype })]] as const) {
      const model = loadFixture(new AlbertForSequenceClassification({ ...fixture.config, num_labels: numLabels }), fixture, "albert.", head, dtype);
      const exp = ref[head] as Case & { logits: Encoded };
      const out = model.forward(ids(), { ...inputs(), labels });
      assertClose(out.logits, exp.logits, dtype, `${head} logits`);
      assertClose((out.loss as Tensor).item(), exp.loss, dtype, `${head} loss`);
      (out.loss as Tensor).backward();
      checkGrads(model, exp.grads, dtype, head);
    }
  });
}
