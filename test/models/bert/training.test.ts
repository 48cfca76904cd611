/**
 * BERT trains: a tiny BertForPreTraining (dropout on, as in training) fits a fixed masked batch with
 * AdamW: the MLM + NSP loss falls from about ln V + ln 2 to below 0.3. The masked positions see only
 * [MASK] (id 1) and their context, so the model must use bidirectional attention through the padding mask.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, tensor, type Tensor } from "../../../src/index.js";
import { BertForPreTraining } from "../../../src/models/bert/index.js";
import { AdamW } from "../../../src/optim/index.js";

test("a tiny BertForPreTraining fits a masked batch (MLM + NSP loss < 0.3 after 60 AdamW steps)", () => {
  manualSeed(5);
  const model = new BertForPreTraining({
    vocab_size: 16, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 8,
    hidden_dropout_prob: 0.05, attention_probs_dropout_prob: 0.05,
  });
  const opt = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0 });
  const ids = tensor([[2, 5, 1, 7, 3, 9, 1, 3], [2, 6, 8, 1, 3, 11, 3, 0]], { dtype: "int32" });
  const attentionMask = tensor([[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 0]], { dtype: "int32" });
  const tokenTypeIds = tensor([[0, 0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 1, 1, 0]], { dtype: "int32" });
  const labels = tensor([[-100, -100, 6, -100, -100, -100, 10, -100], [-100, -100, -100, 12, -100, -100, -100, -100]], { dtype: "int32" });
  const nextSentenceLabel = tensor([0, 1], { dtype: "int32" });
  let first = NaN;
  let loss = Infinity;
  for (let step = 0; step < 60; step++) {
    const out = model.forward(ids, { attentionMask, tokenTypeIds, labels, nextSentenceLabel });
    loss = (out.loss as Tensor).item();
    if (step === 0) first = loss;
    out.loss?.backward();
    opt.step();
    opt.zeroGrad();
  }
  assert.ok(Math.abs(first - (Math.log(16) + Math.log(2))) < 0.5, `initial loss ${first}`);
  assert.ok(loss < 0.3, `final loss ${loss}`);
});
