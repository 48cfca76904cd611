/**
 * ALBERT's wiring: Hugging Face's names and shapes (factorised embeddings, layer groups), the parameter
 * count formula against the built model, cross-layer sharing (one group serves every step: the parameter
 * count does not grow with num_hidden_layers, the output does change), config errors naming file and field,
 * and an HF-layout folder round trip through the registry.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, ShapeError, ValueError, manualSeed, tensor, type Tensor } from "../../../src/index.js";
import { fromPretrained, savePretrained } from "../../../src/models/index.js";
import { encodeSafetensors } from "../../../src/io/safetensors.js";
import {
  AlbertForMaskedLM, AlbertForPreTraining, AlbertForSequenceClassification, AlbertModel, albertConfig, albertConfigFromJSON, albertParameterCount,
  type AlbertConfig,
} from "../../../src/models/albert/index.js";

const tiny: Partial<AlbertConfig> = {
  vocab_size: 20, embedding_size: 4, hidden_size: 8, num_hidden_layers: 4, num_hidden_groups: 2, inner_group_num: 2,
  num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12,
};
const int = (rows: number[][] | number[]): Tensor => tensor(rows, { dtype: "int32" });

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  return worst;
}

test("ALBERT: HF names and shapes (embedding_size, embedding_hidden_mapping_in, albert_layer_groups.G.albert_layers.I), parameter count", () => {
  manualSeed(0);
  const names = (m: { namedParameters(): [string, Tensor][] }): string[] => m.namedParameters().map(([n, p]) => `${n}:${p.shape.join("x")}`);
  const base = names(new AlbertModel(tiny));
  assert.deepEqual(base.slice(0, 3), ["embeddings.word_embeddings.weight:20x4", "embeddings.position_embeddings.weight:12x4", "embeddings.token_type_embeddings.weight:2x4"]);
  assert.ok(base.includes("encoder.embedding_hidden_mapping_in.weight:8x4"));
  const layer = base.filter((n) => n.startsWith("encoder.albert_layer_groups.1.albert_layers.1.")).map((n) => n.slice("encoder.albert_layer_groups.1.albert_layers.1.".length)).sort();
  assert.deepEqual(layer, [
    "attention.LayerNorm.bias:8", "attention.LayerNorm.weight:8", "attention.dense.bias:8", "attention.dense.weight:8x8",
    "attention.key.bias:8", "attention.key.weight:8x8", "attention.query.bias:8", "attention.query.weight:8x8", "attention.value.bias:8", "attention.value.weight:8x8",
    "ffn.bias:16", "ffn.weight:16x8", "ffn_output.bias:8", "ffn_output.weight:8x16", "full_layer_layer_norm.bias:8", "full_layer_layer_norm.weight:8",
  ]);
  assert.ok(!base.some((n) => n.includes("albert_layer_groups.2")), "two groups");
  assert.deepEqual(base.slice(-2), ["pooler.weight:8x8", "pooler.bias:8"]);
  assert.equal(albertParameterCount(albertConfig(tiny)), new AlbertModel(tiny).numParameters());
  const pre = names(new AlbertForPreTraining(tiny)).filter((n) => !n.startsWith("albert.")).sort();
  assert.deepEqual(pre, ["predictions.LayerNorm.bias:4", "predictions.LayerNorm.weight:4", "predictions.bias:20", "predictions.dense.bias:4", "predictions.dense.weight:4x8",
    "sop_classifier.classifier.bias:2", "sop_classifier.classifier.weight:2x8"]);
  assert.ok(!names(new AlbertForMaskedLM(tiny)).some((n) => n.startsWith("albert.pooler")));
});

test("ALBERT sharing: more steps over one group add no parameters but change the output", () => {
  manualSeed(1);
  const shallow = new AlbertModel({ ...tiny, num_hidden_layers: 1, num_hidden_groups: 1, inner_group_num: 1 }).eval();
  const deep = new AlbertModel({ ...tiny, num_hidden_layers: 3, num_hidden_groups: 1, inner_group_num: 1 }).eval();
  assert.equal(shallow.numParameters(), deep.numParameters());
  deep.loadStateDict(shallow.stateDict());
  const input = int([[2, 5, 7, 9]]);
  const once = shallow.forward(input).lastHiddenState;
  const thrice = deep.forward(input, { outputHiddenStates: true });
  assert.ok(maxDiff(thrice.hiddenStates?.[1] as Tensor, once) < 1e-6, "step 1 of the deep model is the shallow model");
  assert.ok(maxDiff(thrice.lastHiddenState, once) > 1e-3);
});

test("ALBERT bad input: heads not dividing hidden_size, more groups than layers, long input, SOP labels, a bad tensor", () => {
  const file = "a/config.json";
  const sizes = { vocab_size: 20, embedding_size: 4, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16 };
  assert.throws(() => albertConfigFromJSON({ ...sizes, hidden_size: 10, num_attention_heads: 3 }, file),
    (e: Error) => e instanceof FormatError && e.file === file && e.field === "num_attention_heads" && /hidden_size \(10\) must be a multiple of num_attention_heads \(3\)/.test(e.message));
  assert.throws(() => albertConfigFromJSON({ ...sizes, num_hidden_groups: 3 }, file), (e: Error) => e instanceof FormatError && e.field === "num_hidden_groups");
  assert.throws(() => albertConfigFromJSON({ ...sizes, embeding_size: 4 }, file), /did you mean "embedding_size"/);
  const m = new AlbertForPreTraining(tiny);
  assert.throws(() => m.forward(int([Array.from({ length: 13 }, () => 3)])), (e: Error) => e instanceof ShapeError && /13 tokens exceeds max_position_embeddings = 12/.test(e.message));
  assert.throws(() => m.forward(int([[1, 2]]), { labels: int([[-100, 4]]), sentenceOrderLabel: int([2]) }),
    (e: Error) => e instanceof ValueError && /AlbertForPreTraining\.forward: sentenceOrderLabel\[0\] = 2 is outside \[0, 2\)/.test(e.message));
  const c = new AlbertForSequenceClassification({ ...tiny, num_labels: 3 });
  assert.throws(() => c.forward(int([[1, 2]]), { labels: int([5]) }), /labels\[0\] = 5 is outside \[0, 3\)/);
});

test("ALBERT savePretrained / fromPretrained: each class round-trips as model_type albert; HF's tied decoder aliases load", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-albert-"));
  try {
    manualSeed(2);
    const input = int([[2, 5, 7, 0]]);
    const mask = int([[1, 1, 1, 0]]);
    for (const model of [new AlbertModel(tiny), new AlbertForPreTraining(tiny), new AlbertForMaskedLM(tiny), new AlbertForSequenceClassification({ ...tiny, num_labels: 3 })]) {
      model.eval();
      savePretrained(model, dir);
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
      assert.equal(config.model_type, "albert");
      assert.equal(config.num_hidden_groups, 2);
      const { model: loaded } = fromPretrained(dir);
      assert.equal(loaded.constructor, model.constructor);
      loaded.eval();
      const a = model.forward(input, { attentionMask: mask }) as unknown as Record<string, Tensor>;
      const b = (loaded as typeof model).forward(input, { attentionMask: mask }) as unknown as Record<string, Tensor>;
      const key = ["logits", "predictionLogits", "lastHiddenState"].find((k) => k in a) as string;
      assert.equal(maxDiff(a[key] as Tensor, b[key] as Tensor), 0);
    }
    const mlm = new AlbertForMaskedLM(tiny);
    savePretrained(mlm, dir);
    const sd = mlm.stateDict();
    const entry = (t: Tensor): { shape: readonly number[]; data: Float32Array } => ({ shape: t.shape, data: t.toTypedArray() as Float32Array });
    const hf: [string, { shape: readonly number[]; data: Float32Array }][] = [...sd].map(([n, t]) => [n, entry(t)]);
    hf.push(["predictions.decoder.weight", entry(sd.get("albert.embeddings.word_embeddings.weight") as Tensor)]);
    hf.push(["predictions.decoder.bias", entry(sd.get("predictions.bias") as Tensor)]);
    writeFileSync(join(dir, "model.safetensors"), Buffer.concat(encodeSafetensors(hf)));
    assert.ok(fromPretrained(dir).model instanceof AlbertForMaskedLM);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
