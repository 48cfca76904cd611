/**
 * DistilBERT parity with an independent PyTorch DistilBERT of Hugging Face's layout
 * (scripts/fixtures/distilbert.py → test/fixtures/bert/distilbert.json), float64 and float32, with a
 * padded row: the base model's outputs, the masked-LM (tied vocab_projector), sequence-classification,
 * token-classification and question-answering heads' logits, losses and EVERY parameter gradient; the
 * sinusoidal position table (fixed, no gradient); and the distillation loss (T²·KL + MLM + cosine, HF's
 * distiller) with its three terms and the student's gradients.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, type Tensor } from "../../../src/index.js";
import { distillationLoss } from "../../../src/losses/index.js";
import {
  DistilBertForMaskedLM, DistilBertForQuestionAnswering, DistilBertForSequenceClassification, DistilBertForTokenClassification, type DistilBertConfig,
} from "../../../src/models/distilbert/index.js";
import { type Case, type EncoderFixture, type Encoded, assertClose, checkGrads, decode, loadFixture, readFixture } from "../bert/parity-helpers.js";

interface Fixture extends EncoderFixture {
  config: Partial<DistilBertConfig>;
  inputIds: number[][]; attentionMask: number[][]; mlmLabels: number[][]; classLabels: number[]; tokenLabels: number[][];
  startPositions: number[]; endPositions: number[];
  distillation: { temperature: number; alphaCe: number; alphaMlm: number; alphaCos: number };
}

const fixture = readFixture<Fixture>("distilbert.json");
const int = (rows: number[][] | number[]): Tensor => tensor(rows, { dtype: "int32" });
const ids = (): Tensor => int(fixture.inputIds);
const attentionMask = (): Tensor => int(fixture.attentionMask);

for (const dtype of ["float64", "float32"] as const) {
  const ref = fixture[dtype];

  test(`DistilBertForMaskedLM (${dtype}): base outputs, hidden states, attentions, logits, loss and every gradient`, () => {
    const model = loadFixture(new DistilBertForMaskedLM(fixture.config), fixture, "distilbert.", "maskedLM", dtype);
    const exp = ref.maskedLM as Case & Record<string, Encoded & Encoded[]>;
    const out = model.forward(ids(), { attentionMask: attentionMask(), labels: int(fixture.mlmLabels), outputHiddenStates: true, outputAttentions: true });
    out.hiddenStates?.forEach((h, i) => assertClose(h, exp.hiddenStates[i] as Encoded, dtype, `hiddenStates[${i}]`));
    assertClose(out.hiddenStates?.at(-1) as Tensor, exp.lastHiddenState, dtype, "lastHiddenState");
    assert.equal(out.attentions?.length, 2);
    out.attentions?.forEach((a, i) => assertClose(a, exp.attentions[i] as Encoded, dtype, `attentions[${i}]`));
    assertClose(out.logits, exp.logits, dtype, "logits");
    assertClose((out.loss as Tensor).item(), exp.loss, dtype, "loss");
    (out.loss as Tensor).backward();
    checkGrads(model, exp.grads, dtype, "maskedLM");
  });

  test(`DistilBERT classification heads (${dtype}): sequence (pre_classifier → ReLU → classifier), token and QA; logits, losses, every gradient`, () => {
    const seq = loadFixture(new DistilBertForSequenceClassification({ ...fixture.config, num_labels: 3 }), fixture, "distilbert.", "classification", dtype);
    const expS = ref.classification as Case & { logits: Encoded };
    const s = seq.forward(ids(), { attentionMask: attentionMask(), labels: int(fixture.classLabels) });
    assertClose(s.logits, expS.logits, dtype, "sequence logits");
    assertClose((s.loss as Tensor).item(), expS.loss, dtype, "sequence loss");
    (s.loss as Tensor).backward();
    checkGrads(seq, expS.grads, dtype, "classification");

    const tok = loadFixture(new DistilBertForTokenClassification({ ...fixture.config, num_labels: 4 }), fixture, "distilbert.", "tokenClassification", dtype);
    const expT = ref.tokenClassification as Case & { logits: Encoded };
    const t = tok.forward(ids(), { attentionMask: attentionMask(), labels: int(fixture.tokenLabels) });
    assertClose(t.logits, expT.logits, dtype, "token logits");
    assertClose((t.loss as Tensor).item(), expT.loss, dtype, "token loss");
    (t.loss as Tensor).backward();
    checkGrads(tok, expT.grads, dtype, "tokenClassification");

    const qa = loadFixture(new DistilBertForQuestionAnswering(fixture.config), fixture, "distilbert.", "questionAnswering", dtype);
    const expQ = ref.questionAnswering as Case & Record<string, Encoded>;
    const q = qa.forward(ids(), { attentionMask: attentionMask(), startPositions: int(fixture.startPositions), endPositions: int(fixture.endPositions) });
    assertClose(q.startLogits, expQ.startLogits, dtype, "startLogits");
    assertClose(q.endLogits, expQ.endLogits, dtype, "endLogits");
    assertClose((q.loss as Tensor).item(), expQ.loss, dtype, "qa loss");
    (q.loss as Tensor).backward();
    checkGrads(qa, expQ.grads, dtype, "questionAnswering");
  });

  test(`DistilBERT sinusoidal_pos_embds (${dtype}): transformers' table, fixed (no gradient), logits and the other gradients`, () => {
    const exp = ref.sinusoidal as Case & { table: Encoded; logits: Encoded };
    const fresh = new DistilBertForMaskedLM({ ...fixture.config, sinusoidal_pos_embds: true }).to(dtype);
    const table = fresh.distilbert.embeddings.position_embeddings.weight;
    // The table is built in the default float32 and then cast: compare at float32's tolerance.
    assertClose(table, exp.table, "float32", "table");
    assert.equal(table.requiresGrad, false);
    const model = loadFixture(fresh, { ...fixture, params: { ...fixture.params, "embeddings.position_embeddings.weight": exp.table } }, "distilbert.", "maskedLM", dtype);
    const out = model.forward(ids(), { attentionMask: attentionMask(), labels: int(fixture.mlmLabels) });
    assertClose(out.logits, exp.logits, dtype, "logits");
    assertClose((out.loss as Tensor).item(), exp.loss, dtype, "loss");
    (out.loss as Tensor).backward();
    assert.equal(table.grad, null, "the fixed table gets no gradient");
    checkGrads(model, exp.grads, dtype, "sinusoidal");
  });

  test(`distillationLoss (${dtype}): T²·KL + MLM + cosine against HF's distiller, each term and the student's every gradient`, () => {
    const exp = ref.distillation as Case & { teacherLogits: Encoded; teacherHidden: Encoded; ce: number; mlm: number; cos: number };
    const student = loadFixture(new DistilBertForMaskedLM(fixture.config), fixture, "distilbert.", "maskedLM", dtype);
    const out = student.forward(ids(), { attentionMask: attentionMask(), outputHiddenStates: true });
    const d = distillationLoss({
      studentLogits: out.logits, teacherLogits: decode(exp.teacherLogits, dtype), labels: int(fixture.mlmLabels),
      studentHidden: out.hiddenStates?.at(-1) as Tensor, teacherHidden: decode(exp.teacherHidden, dtype), mask: attentionMask(),
    }, fixture.distillation);
    assertClose((d.ce as Tensor).item(), exp.ce, dtype, "ce (T²·KL)");
    assertClose((d.mlm as Tensor).item(), exp.mlm, dtype, "mlm");
    assertClose((d.cos as Tensor).item(), exp.cos, dtype, "cos");
    assertClose(d.loss.item(), exp.loss, dtype, "loss");
    d.loss.backward();
    checkGrads(student, exp.grads, dtype, "distillation");
  });
}
