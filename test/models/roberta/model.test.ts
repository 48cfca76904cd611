/**
 * RoBERTa's wiring: Hugging Face's names and defaults, padding-aware positions (padding changes nothing at
 * the real tokens, wherever it sits), the position-table length limit as a named error, and an HF-layout
 * folder round trip through the registry (model_type "roberta", the tied lm_head.decoder aliases).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, ShapeError, manualSeed, tensor, type Tensor } from "../../../src/index.js";
import { fromPretrained, savePretrained } from "../../../src/models/index.js";
import { encodeSafetensors } from "../../../src/io/safetensors.js";
import {
  RobertaForMaskedLM, RobertaForQuestionAnswering, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaModel,
  defaultRobertaConfig, robertaConfigFromJSON, robertaPositionIds, type RobertaConfig,
} from "../../../src/models/roberta/index.js";

const tiny: Partial<RobertaConfig> = {
  vocab_size: 20, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16,
  max_position_embeddings: 10, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0,
};
const int = (rows: number[][] | number[]): Tensor => tensor(rows, { dtype: "int32" });

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  assert.equal(x.length, y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  return worst;
}

test("RoBERTa: roberta-base defaults, HF names (roberta., lm_head., classifier.dense/out_proj), no pooler under the heads", () => {
  assert.deepEqual([defaultRobertaConfig.vocab_size, defaultRobertaConfig.max_position_embeddings, defaultRobertaConfig.type_vocab_size, defaultRobertaConfig.pad_token_id, defaultRobertaConfig.layer_norm_eps], [50265, 514, 1, 1, 1e-5]);
  manualSeed(0);
  const names = (m: { namedParameters(): [string, Tensor][] }): string[] => m.namedParameters().map(([n, p]) => `${n}:${p.shape.join("x")}`);
  const base = names(new RobertaModel(tiny));
  assert.ok(base.includes("embeddings.token_type_embeddings.weight:1x8"));
  assert.deepEqual(base.slice(-2), ["pooler.dense.weight:8x8", "pooler.dense.bias:8"]);
  const mlm = names(new RobertaForMaskedLM(tiny));
  assert.deepEqual(mlm.filter((n) => !n.startsWith("roberta.")).sort(), [
    "lm_head.bias:20", "lm_head.dense.bias:8", "lm_head.dense.weight:8x8", "lm_head.layer_norm.bias:8", "lm_head.layer_norm.weight:8",
  ]);
  assert.ok(!mlm.some((n) => n.startsWith("roberta.pooler.")));
  const cls = names(new RobertaForSequenceClassification({ ...tiny, num_labels: 3 }));
  assert.deepEqual(cls.filter((n) => !n.startsWith("roberta.")), ["classifier.dense.weight:8x8", "classifier.dense.bias:8", "classifier.out_proj.weight:3x8", "classifier.out_proj.bias:3"]);
  // The pad row of the position table starts at zero, as PyTorch's padding_idx.
  const positions = new RobertaModel(tiny).embeddings.position_embeddings.weight.slice(0, 1, 2);
  assert.deepEqual([...positions.toTypedArray()], new Array(8).fill(0));
});

test("RoBERTa positions: pad + running count of real tokens; padding at pad; left and right padding give the same real outputs", () => {
  assert.deepEqual([...robertaPositionIds(int([[0, 5, 2, 1, 1], [1, 1, 0, 5, 2]]), 1).toTypedArray()], [2, 3, 4, 1, 1, 1, 1, 2, 3, 4]);
  manualSeed(1);
  const m = new RobertaModel(tiny).eval();
  const alone = m.forward(int([[0, 7, 9, 2]])).lastHiddenState;
  const right = m.forward(int([[0, 7, 9, 2, 1, 1]]), { attentionMask: int([[1, 1, 1, 1, 0, 0]]) }).lastHiddenState;
  const left = m.forward(int([[1, 1, 0, 7, 9, 2]]), { attentionMask: int([[0, 0, 1, 1, 1, 1]]) }).lastHiddenState;
  assert.ok(maxDiff(right.slice(1, 0, 4), alone) < 1e-5);
  assert.ok(maxDiff(left.slice(1, 2, 6), alone) < 1e-5, "left padding shifts no position");
});

test("RoBERTa bad input: a sequence past max_position_embeddings − pad − 1, and a table too short for pad + 1, are named", () => {
  const m = new RobertaModel(tiny);
  m.forward(int([Array.from({ length: 8 }, () => 5)]));
  assert.throws(() => m.forward(int([Array.from({ length: 9 }, () => 5)])),
    (e: Error) => e instanceof ShapeError && /RobertaModel\.forward: a sequence of 9 tokens exceeds max_position_embeddings − pad_token_id − 1 = 10 − 1 − 1 = 8/.test(e.message));
  assert.throws(() => robertaConfigFromJSON({ ...tiny, max_position_embeddings: 2 }, "r/config.json"),
    (e: Error) => e instanceof FormatError && e.file === "r/config.json" && e.field === "max_position_embeddings");
  assert.throws(() => robertaConfigFromJSON({ ...tiny, hidden_size: 9 }, "r/config.json"),
    (e: Error) => e instanceof FormatError && e.field === "num_attention_heads" && /hidden_size \(9\) must be a multiple of num_attention_heads \(2\)/.test(e.message));
});

test("RoBERTa savePretrained / fromPretrained: each class round-trips as model_type roberta; HF's tied lm_head.decoder aliases load", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-roberta-"));
  try {
    manualSeed(2);
    const input = int([[0, 5, 7, 2, 1]]);
    const mask = int([[1, 1, 1, 1, 0]]);
    for (const model of [new RobertaModel(tiny), new RobertaForMaskedLM(tiny), new RobertaForSequenceClassification({ ...tiny, num_labels: 3 }),
      new RobertaForTokenClassification({ ...tiny, num_labels: 4 }), new RobertaForQuestionAnswering(tiny)]) {
      model.eval();
      savePretrained(model, dir);
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
      assert.equal(config.model_type, "roberta");
      assert.deepEqual(config.architectures, [model.architecture]);
      const { model: loaded } = fromPretrained(dir);
      assert.equal(loaded.constructor, model.constructor);
      loaded.eval();
      const a = model.forward(input, { attentionMask: mask }) as unknown as Record<string, Tensor>;
      const b = (loaded as typeof model).forward(input, { attentionMask: mask }) as unknown as Record<string, Tensor>;
      const key = ["logits", "startLogits", "lastHiddenState"].find((k) => k in a) as string;
      assert.equal(maxDiff(a[key] as Tensor, b[key] as Tensor), 0);
    }
    const mlm = new RobertaForMaskedLM(tiny);
    savePretrained(mlm, dir);
    const sd = mlm.stateDict();
    const entry = (t: Tensor): { shape: readonly number[]; data: Float32Array } => ({ shape: t.shape, data: t.toTypedArray() as Float32Array });
    const hf: [string, { shape: readonly number[]; data: Float32Array }][] = [...sd].map(([n, t]) => [n, entry(t)]);
    hf.push(["lm_head.decoder.weight", entry(sd.get("roberta.embeddings.word_embeddings.weight") as Tensor)]);
    hf.push(["lm_head.decoder.bias", entry(sd.get("lm_head.bias") as Tensor)]);
    writeFileSync(join(dir, "model.safetensors"), Buffer.concat(encodeSafetensors(hf)));
    assert.ok(fromPretrained(dir).model instanceof RobertaForMaskedLM);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
