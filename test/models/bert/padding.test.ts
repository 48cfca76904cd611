/**
 * A row that is entirely padding (attention mask all 0) gives finite outputs and gradients in every
 * encoder family, in float32 and float64: the attention path never forms 0/0 from a fully masked row
 * (nn's scaledDotProductAttention gives such a query output 0 and gradient 0), and the other rows of the
 * batch are the same as when computed alone.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, tensor, type Tensor } from "../../../src/index.js";
import type { Module } from "../../../src/nn/module.js";
import { BertForPreTraining } from "../../../src/models/bert/index.js";
import { RobertaForMaskedLM } from "../../../src/models/roberta/index.js";
import { AlbertForPreTraining } from "../../../src/models/albert/index.js";
import { DistilBertForMaskedLM } from "../../../src/models/distilbert/index.js";

const sizes = { vocab_size: 20, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12 };
const int = (rows: number[][] | number[]): Tensor => tensor(rows, { dtype: "int32" });

function allFinite(t: Tensor, what: string): void {
  const values = t.toTypedArray();
  for (let i = 0; i < values.length; i++) assert.ok(Number.isFinite(values[i] as number), `${what}[${i}] = ${values[i]}`);
}

type MlmForward = (ids: Tensor, options: { attentionMask: Tensor; labels: Tensor }) => { loss: Tensor | null; logits?: Tensor; predictionLogits?: Tensor };

for (const dtype of ["float32", "float64"] as const) {
  test(`an all-padding row gives finite logits, loss and gradients, and leaves the other row unchanged (${dtype})`, () => {
    manualSeed(7);
    type Model = Module & { forward: MlmForward };
    // [name, model, pad id, the pair labels of a batch of B rows (NSP / SOP) or none]
    const models: [string, Model, number, (B: number) => Record<string, Tensor>][] = [
      ["BERT", new BertForPreTraining({ ...sizes, pad_token_id: 0 }) as unknown as Model, 0, (B) => ({ nextSentenceLabel: int(new Array<number>(B).fill(0)) })],
      ["RoBERTa", new RobertaForMaskedLM({ ...sizes, pad_token_id: 1 }) as unknown as Model, 1, () => ({})],
      ["ALBERT", new AlbertForPreTraining({ ...sizes, embedding_size: 4 }) as unknown as Model, 0, (B) => ({ sentenceOrderLabel: int(new Array<number>(B).fill(0)) })],
      ["DistilBERT", new DistilBertForMaskedLM({ vocab_size: 20, dim: 8, n_layers: 2, n_heads: 2, hidden_dim: 16, max_position_embeddings: 12 }) as unknown as Model, 0, () => ({})],
    ];
    for (const [name, model, pad, extra] of models) {
      model.to(dtype).eval();
      const ids = int([[3, 5, 7, 9], [pad, pad, pad, pad]]);
      const attentionMask = int([[1, 1, 1, 1], [0, 0, 0, 0]]);
      const labels = int([[-100, 6, -100, 4], [-100, -100, -100, -100]]);
      const out = model.forward(ids, { attentionMask, labels, ...extra(2) });
      const logits = (out.logits ?? out.predictionLogits) as Tensor;
      allFinite(logits, `${name} logits`);
      allFinite(out.loss as Tensor, `${name} loss`);
      (out.loss as Tensor).backward();
      for (const [p, param] of model.namedParameters()) if (param.grad !== null) allFinite(param.grad, `${name} grad ${p}`);
      const alone = model.forward(int([[3, 5, 7, 9]]), { attentionMask: int([[1, 1, 1, 1]]), labels: int([[-100, 6, -100, 4]]), ...extra(1) });
      const aloneLogits = (alone.logits ?? alone.predictionLogits) as Tensor;
      const row = logits.slice(0, 0, 1).toTypedArray();
      const ref = aloneLogits.toTypedArray();
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs((row[i] as number) - (ref[i] as number)));
      assert.ok(worst < (dtype === "float64" ? 1e-12 : 1e-5), `${name}: the real row changes by ${worst} next to an all-padding row`);
    }
  });
}
