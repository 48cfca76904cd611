/**
 * RoBERTa parity with an independent PyTorch RoBERTa of Hugging Face's layout (scripts/fixtures/roberta.py
 * → test/fixtures/bert/roberta.json): padding-aware position ids, the base model's outputs, and the
 * masked-LM, classification (3 classes and regression), token-classification and question-answering
 * heads' logits, losses and EVERY parameter gradient, in float64 and float32, with a padded row.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, type Tensor } from "../../../src/index.js";
import { add, mean, mul, sum } from "../../../src/ops/index.js";
import {
  RobertaForMaskedLM, RobertaForQuestionAnswering, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaModel,
  robertaPositionIds, type RobertaConfig,
} from "../../../src/models/roberta/index.js";
import { type Case, type EncoderFixture, type Encoded, assertClose, checkGrads, loadFixture, readFixture } from "../bert/parity-helpers.js";

interface Fixture extends EncoderFixture {
  config: Partial<RobertaConfig>;
  inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][];
  mlmLabels: number[][]; classLabels: number[]; regressionLabels: number[]; tokenLabels: number[][];
  startPositions: number[]; endPositions: number[];
}

const fixture = readFixture<Fixture>("roberta.json");
const int = (rows: number[][] | number[]): Tensor => tensor(rows, { dtype: "int32" });
const ids = (): Tensor => int(fixture.inputIds);
const inputs = (): { attentionMask: Tensor; tokenTypeIds: Tensor } => ({ attentionMask: int(fixture.attentionMask), tokenTypeIds: int(fixture.tokenTypeIds) });

for (const dtype of ["float64", "float32"] as const) {
  const ref = fixture[dtype];

  test(`RobertaModel (${dtype}): position ids, outputs, hidden states, attentions and every gradient`, () => {
    const model = loadFixture(new RobertaModel(fixture.config), fixture, "roberta.", "none", dtype);
    const exp = ref.base as Case & Record<string, Encoded & Encoded[]> & { positionIds: number[][] };
    assert.deepEqual([...robertaPositionIds(ids(), 1).toTypedArray()], exp.positionIds.flat());
    const out = model.forward(ids(), { ...inputs(), outputHiddenStates: true, outputAttentions: true });
    assertClose(out.lastHiddenState, exp.lastHiddenState, dtype, "lastHiddenState");
    assertClose(out.poolerOutput as Tensor, exp.poolerOutput, dtype, "poolerOutput");
    out.hiddenStates?.forEach((h, i) => assertClose(h, exp.hiddenStates[i] as Encoded, dtype, `hiddenStates[${i}]`));
    out.attentions?.forEach((a, i) => assertClose(a, exp.attentions[i] as Encoded, dtype, `attentions[${i}]`));
    const loss = add(mean(mul(out.lastHiddenState, out.lastHiddenState)), sum(out.poolerOutput as Tensor));
    assertClose(loss.item(), exp.loss, dtype, "loss");
    loss.backward();
    checkGrads(model, Object.fromEntries(Object.entries(exp.grads).map(([k, v]) => [k.replace(/^roberta\./, ""), v])), dtype, "base");
  });

  test(`RobertaForMaskedLM (${dtype}): lm_head logits, loss and every gradient (tied decoder)`, () => {
    const model = loadFixture(new RobertaForMaskedLM(fixture.config), fixture, "roberta.", "maskedLM", dtype);
    const exp = ref.maskedLM as Case & { logits: Encoded };
    const out = model.forward(ids(), { ...inputs(), labels: int(fixture.mlmLabels) });
    assertClose(out.logits, exp.logits, dtype, "logits");
    assertClose((out.loss as Tensor).item(), exp.loss, dtype, "loss");
    (out.loss as Tensor).backward();
    checkGrads(model, exp.grads, dtype, "maskedLM");
  });

  test(`RobertaForSequenceClassification (${dtype}): classifier.{dense,out_proj}, 3 classes and regression, every gradient`, () => {
    for (const [head, numLabels, labels] of [["classification", 3, int(fixture.classLabels)], ["regression", 1, tensor(fixture.regressionLabels, { dtype })]] as const) {
      const model = loadFixture(new RobertaForSequenceClassification({ ...fixture.config, num_labels: numLabels }), fixture, "roberta.", head, dtype);
      const exp = ref[head] as Case & { logits: Encoded };
      const out = model.forward(ids(), { ...inputs(), labels });
      assertClose(out.logits, exp.logits, dtype, `${head} logits`);
      assertClose((out.loss as Tensor).item(), exp.loss, dtype, `${head} loss`);
      (out.loss as Tensor).backward();
      checkGrads(model, exp.grads, dtype, head);
    }
  });

  test(`RobertaForTokenClassification and RobertaForQuestionAnswering (${dtype}): logits, losses and every gradient`, () => {
    const tok = loadFixture(new RobertaForTokenClassification({ ...fixture.config, num_labels: 4 }), fixture, "roberta.", "tokenClassification", dtype);
    const expT = ref.tokenClassification as Case & { logits: Encoded };
    const t = tok.forward(ids(), { ...inputs(), labels: int(fixture.tokenLabels) });
    assertClose(t.logits, expT.logits, dtype, "token logits");
    assertClose((t.loss as Tensor).item(), expT.loss, dtype, "token loss");
    (t.loss as Tensor).backward();
    checkGrads(tok, expT.grads, dtype, "tokenClassification");

    const qa = loadFixture(new RobertaForQuestionAnswering(fixture.config), fixture, "roberta.", "questionAnswering", dtype);
    const expQ = ref.questionAnswering as Case & Record<string, Encoded>;
    const q = qa.forward(ids(), { ...inputs(), startPositions: int(fixture.startPositions), endPositions: int(fixture.endPositions) });
    assertClose(q.startLogits, expQ.startLogits, dtype, "startLogits");
    assertClose(q.endLogits, expQ.endLogits, dtype, "endLogits");
    assertClose((q.loss as Tensor).item(), expQ.loss, dtype, "qa loss");
    (q.loss as Tensor).backward();
    checkGrads(qa, expQ.grads, dtype, "questionAnswering");
  });
}
