import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { captureModelAttention, stacksFromCapture } from "../../src/analysis/capture.js";
import { captureAttention } from "../../src/nn/attention/attention.js";
import { manualSeed } from "../../src/tensor/rng.js";
import { tensor } from "../../src/tensor/factory.js";
import { GPT } from "../../src/models/gpt/index.js";
import { BertModel } from "../../src/models/bert/index.js";
import { T5ForConditionalGeneration } from "../../src/models/t5/index.js";
import { assertClose } from "./helpers.js";

const labels = (n: number, prefix = "t"): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Layer 0 of a GPT-2 block computed directly in float64: LayerNorm(wte + wpe) → q, k → causal softmax(q·k/√D). */
function gptLayer0(model: GPT, ids: number[]): number[][][] {
  const C = model.config.n_embd;
  const H = model.config.n_head;
  const D = C / H;
  const T = ids.length;
  const wte = model.transformer.wte.weight.toTypedArray();
  const wpe = model.transformer.wpe!.weight.toTypedArray();
  const block = [...model.transformer.h][0]!;
  const lnW = block.ln_1.weight!.toTypedArray();
  const lnB = (block.ln_1 as { bias: { toTypedArray(): ArrayLike<number> } | null }).bias?.toTypedArray();
  const Wa = block.attn.c_attn.weight.toTypedArray(); // [C, 3C]
  const ba = block.attn.c_attn.bias?.toTypedArray();
  const eps = model.config.layer_norm_epsilon;
  const h = ids.map((id, t) => {
    const x = Array.from({ length: C }, (_, c) => Number(wte[id * C + c]) + Number(wpe[t * C + c]));
    const mean = x.reduce((s, v) => s + v, 0) / C;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / C;
    return x.map((v, c) => ((v - mean) / Math.sqrt(variance + eps)) * Number(lnW[c]) + (lnB ? Number(lnB[c]) : 0));
  });
  const project = (row: number[], block3: number): number[] =>
    Array.from({ length: C }, (_, j) => row.reduce((s, v, c) => s + v * Number(Wa[c * 3 * C + block3 * C + j]), ba ? Number(ba[block3 * C + j]) : 0));
  const q = h.map((row) => project(row, 0));
  const k = h.map((row) => project(row, 1));
  return Array.from({ length: H }, (_, head) =>
    Array.from({ length: T }, (_, i) => {
      const scores = Array.from({ length: i + 1 }, (_, j) => {
        let s = 0;
        for (let d = 0; d < D; d++) s += q[i]![head * D + d]! * k[j]![head * D + d]!;
        return s / Math.sqrt(D);
      });
      const max = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - max));
      const z = e.reduce((a, b) => a + b, 0);
      return Array.from({ length: T }, (_, j) => (j <= i ? e[j]! / z : 0));
    }),
  );
}

describe("analysis/capture", () => {
  test("GPT: one causal stack with a layer per block; layer 0 equals a direct float64 computation", () => {
    manualSeed(11);
    const model = new GPT({ vocab_size: 17, n_positions: 16, n_embd: 12, n_layer: 3, n_head: 3 });
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const stacks = captureModelAttention(model, { ids, tokens: { source: labels(ids.length) } });
    assert.deepEqual(stacks.map((s) => s.kind), ["decoder"]);
    const maps = stacks[0]!.maps;
    assert.equal(maps.layers, 3);
    assert.equal(maps.heads, 3);
    assert.equal(maps.causal, true);
    const expected = gptLayer0(model, ids);
    for (let h = 0; h < 3; h++) {
      for (let i = 0; i < ids.length; i++) {
        for (let j = 0; j < ids.length; j++) assertClose(maps.weights[0]![h]![i * ids.length + j]!, expected[h]![i]![j]!, 2e-5, `head ${h} [${i},${j}]`);
      }
    }
    assert.equal(model.training, true, "the model's mode is restored");
  });

  test("a capture scope leaves outputs unchanged (to float32 rounding), records nothing outside it, and nests", () => {
    manualSeed(12);
    const model = new GPT({ vocab_size: 11, n_positions: 8, n_embd: 8, n_layer: 2, n_head: 2 }).eval();
    const ids = tensor([[1, 2, 3, 4]], { dtype: "int32" });
    const plain = model.forward(ids).logits.toTypedArray();
    const outer = captureAttention(() => {
      const inner = captureAttention(() => model.forward(ids).logits.toTypedArray());
      assert.equal(inner.attentions.length, 2);
      model.forward(ids);
      return inner.result;
    });
    // The weights-returning kernel may round differently in the last bit; the outputs agree to float32 precision.
    Array.from(outer.result).forEach((x, i) => assertClose(Number(x), Number(plain[i]), 1e-6, `logit ${i}`));
    assert.equal(outer.attentions.length, 4, "the outer scope sees the inner scope's calls and its own");
    const after = captureAttention(() => 0);
    model.forward(ids);
    assert.equal(after.attentions.length, 0, "a closed scope records no later call");
  });

  test("BERT: one non-causal stack equal to outputAttentions, [CLS]/[SEP] labels kept", () => {
    manualSeed(13);
    const model = new BertModel({ vocab_size: 20, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12 });
    const ids = [1, 5, 6, 7, 2];
    const tokens = ["[CLS]", "a", "b", "c", "[SEP]"];
    const stacks = captureModelAttention(model, { ids, tokens: { source: tokens } });
    assert.deepEqual(stacks.map((s) => s.kind), ["encoder"]);
    const maps = stacks[0]!.maps;
    assert.equal(maps.causal, false);
    assert.deepEqual(maps.keyTokens, tokens);
    model.eval();
    const reference = model.forward(tensor([ids], { dtype: "int32" }), { outputAttentions: true }).attentions!;
    assert.equal(reference.length, maps.layers);
    reference.forEach((w, l) => {
      const data = w.toTypedArray();
      for (let h = 0; h < 2; h++) for (let i = 0; i < 25; i++) assertClose(maps.weights[l]![h]![i]!, Number(data[h * 25 + i]), 1e-6, `layer ${l} head ${h} [${i}]`);
    });
  });

  test("T5: encoder, decoder (causal) and cross stacks with the right shapes and tokens", () => {
    manualSeed(14);
    const model = new T5ForConditionalGeneration({ vocab_size: 13, d_model: 8, d_kv: 3, d_ff: 10, num_layers: 2, num_decoder_layers: 3, num_heads: 2 });
    const ids = [4, 5, 6, 7, 1];
    const targetIds = [0, 8, 9];
    const stacks = captureModelAttention(model, { ids, targetIds, tokens: { source: labels(5, "s"), target: labels(3, "d") } });
    assert.deepEqual(stacks.map((s) => s.kind), ["encoder", "decoder", "cross"]);
    const [encoder, decoder, cross] = stacks.map((s) => s.maps);
    assert.deepEqual([encoder!.layers, encoder!.queries, encoder!.keys, encoder!.causal], [2, 5, 5, false]);
    assert.deepEqual([decoder!.layers, decoder!.queries, decoder!.keys, decoder!.causal], [3, 3, 3, true]);
    assert.deepEqual([cross!.layers, cross!.queries, cross!.keys, cross!.causal], [3, 3, 5, false]);
    assert.deepEqual(cross!.queryTokens, labels(3, "d"));
    assert.deepEqual(cross!.keyTokens, labels(5, "s"));
    // Without target ids the decoder reads the start token alone.
    const alone = captureModelAttention(model, { ids, tokens: { source: labels(5, "s") } });
    assert.equal(alone.find((s) => s.kind === "cross")!.maps.queries, 1);
  });

  test("bad input is named", () => {
    const model = new GPT({ vocab_size: 11, n_positions: 8, n_embd: 8, n_layer: 1, n_head: 2 });
    assert.throws(() => captureModelAttention(model, { ids: [], tokens: { source: [] } }), /ids is empty/);
    assert.throws(() => captureModelAttention(model, { ids: [1, 2], tokens: { source: ["a"] } }), /1 source labels for 2 ids/);
    assert.throws(() => stacksFromCapture([{ kind: "self", causal: false, weights: tensor([[[0.5, 0.5]]]) }], { source: ["a", "b"] }), /expected \[1, H, T, S\]/);
  });
});
