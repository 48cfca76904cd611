import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, ShapeError, ValueError, manualSeed, noGrad, randint, tensor, type Tensor } from "../../../src/index.js";
import { decode, decodeSources, resolveGenerateOptions, sampleSteps } from "../../../src/generate/index.js";
import { encodeSafetensors, loadSafetensors } from "../../../src/io/safetensors.js";
import { fromPretrained, savePretrained } from "../../../src/models/index.js";
import { T5ForConditionalGeneration, t5ConfigFromJSON, type T5Config } from "../../../src/models/t5/index.js";

const tiny: Partial<T5Config> = {
  vocab_size: 13, d_model: 8, d_kv: 3, d_ff: 10, num_layers: 2, num_decoder_layers: 3, num_heads: 2,
  relative_attention_num_buckets: 8, relative_attention_max_distance: 12, n_positions: 32, dropout_rate: 0,
};

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "loom-t5-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("T5: transformers' parameter names and shapes; relative bias in block 0 only; gated feed-forward names", () => {
  manualSeed(0);
  const names = (m: T5ForConditionalGeneration) => [...m.namedParameters()].map(([n, p]) => `${n}:${p.shape.join("x")}`);
  const relu = names(new T5ForConditionalGeneration(tiny));
  assert.deepEqual(relu.slice(0, 10), [
    "shared.weight:13x8",
    "encoder.block.0.layer.0.SelfAttention.q.weight:6x8", "encoder.block.0.layer.0.SelfAttention.k.weight:6x8",
    "encoder.block.0.layer.0.SelfAttention.v.weight:6x8", "encoder.block.0.layer.0.SelfAttention.o.weight:8x6",
    "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight:8x2",
    "encoder.block.0.layer.0.layer_norm.weight:8",
    "encoder.block.0.layer.1.DenseReluDense.wi.weight:10x8", "encoder.block.0.layer.1.DenseReluDense.wo.weight:8x10",
    "encoder.block.0.layer.1.layer_norm.weight:8",
  ]);
  assert.equal(relu.filter((n) => n.includes("relative_attention_bias")).length, 2);
  assert.ok(relu.includes("decoder.block.2.layer.1.EncDecAttention.o.weight:8x6"));
  assert.ok(relu.includes("decoder.block.2.layer.2.DenseReluDense.wo.weight:8x10"));
  assert.ok(relu.includes("decoder.final_layer_norm.weight:8"));
  assert.ok(!relu.some((n) => n.startsWith("lm_head")) && !relu.some((n) => n.includes("bias:") && !n.includes("relative")));
  const gated = names(new T5ForConditionalGeneration({ ...tiny, feed_forward_proj: "gated-gelu", tie_word_embeddings: false }));
  assert.ok(gated.includes("encoder.block.1.layer.1.DenseReluDense.wi_0.weight:10x8"));
  assert.ok(gated.includes("encoder.block.1.layer.1.DenseReluDense.wi_1.weight:10x8"));
  assert.equal(gated.at(-1), "lm_head.weight:13x8");
});

test("T5.forward: named outputs and shapes; labels shifted right with the start id, −100 → pad and ignored", () => {
  manualSeed(1);
  const m = new T5ForConditionalGeneration({ ...tiny, decoder_start_token_id: 2, pad_token_id: 3 });
  const labels = tensor([[5, 6, 7, 1], [8, 1, -100, -100]], { dtype: "int32" });
  assert.deepEqual(m.shiftRight(labels).toArray(), [[2, 5, 6, 7], [2, 8, 1, 3]]);
  const ids = randint(2, 13, [2, 6]).to("int32");
  const out = m.forward(ids, { labels });
  assert.deepEqual(out.logits.shape, [2, 4, 13]);
  assert.deepEqual(out.encoderLastHiddenState.shape, [2, 6, 8]);
  assert.deepEqual(out.decoderLastHiddenState.shape, [2, 4, 8]);
  // The loss is the mean over the 6 real labels of −log p, from the logits with explicit decoder inputs.
  const logits = noGrad(() => m.forward(ids, { decoderInputIds: m.shiftRight(labels) }).logits.toArray()) as number[][][];
  let total = 0;
  let count = 0;
  (labels.toArray() as number[][]).forEach((row, b) => row.forEach((y, t) => {
    if (y === -100) return;
    const z = (logits[b] as number[][])[t] as number[];
    const max = Math.max(...z);
    total += max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) - (z[y] as number);
    count++;
  }));
  assert.ok(Math.abs((out.loss as Tensor).item() - total / count) < 1e-5);
  assert.throws(() => m.forward(ids), /decoderInputIds or labels/);
});

test("T5: padded encoder positions change nothing; decoder position t ignores later decoder tokens", () => {
  manualSeed(2);
  const m = new T5ForConditionalGeneration(tiny);
  const dec = tensor([[0, 4, 5, 6]], { dtype: "int32" });
  const short = noGrad(() => m.forward(tensor([[4, 5, 6]], { dtype: "int32" }), { decoderInputIds: dec }).logits.toTypedArray());
  const padded = noGrad(() => m.forward(tensor([[4, 5, 6, 9, 9]], { dtype: "int32" }), {
    decoderInputIds: dec, attentionMask: tensor([[1, 1, 1, 0, 0]], { dtype: "int32" }),
  }).logits.toTypedArray());
  short.forEach((v, i) => assert.ok(Math.abs(v - (padded[i] as number)) < 1e-5));
  const src = tensor([[4, 5, 6]], { dtype: "int32" });
  const a = noGrad(() => m.forward(src, { decoderInputIds: dec }).logits.toArray()) as number[][][];
  const b = noGrad(() => m.forward(src, { decoderInputIds: tensor([[0, 4, 11, 12]], { dtype: "int32" }) }).logits.toArray()) as number[][][];
  assert.deepEqual(a[0]?.slice(0, 2), b[0]?.slice(0, 2));
  assert.notDeepEqual(a[0]?.[2], b[0]?.[2]);
});

test("T5 config.json: required sizes, field errors, transformers' derived fields must agree", () => {
  const base = { vocab_size: 13, d_model: 8, d_kv: 3, d_ff: 10, num_layers: 2, num_heads: 2 };
  assert.equal(t5ConfigFromJSON({ ...base, feed_forward_proj: "gated-gelu", dense_act_fn: "gelu_new", is_gated_act: true }, "c.json").feed_forward_proj, "gated-gelu");
  // t5-small's config.json as transformers writes it (keys loom does not use are ignored).
  const small = t5ConfigFromJSON({
    architectures: ["T5ForConditionalGeneration"], d_ff: 2048, d_kv: 64, d_model: 512, decoder_start_token_id: 0, dense_act_fn: "relu",
    dropout_rate: 0.1, eos_token_id: 1, feed_forward_proj: "relu", initializer_factor: 1.0, is_encoder_decoder: true, is_gated_act: false,
    layer_norm_epsilon: 1e-6, model_type: "t5", n_positions: 512, num_decoder_layers: 6, num_heads: 8, num_layers: 6, output_past: true,
    pad_token_id: 0, relative_attention_max_distance: 128, relative_attention_num_buckets: 32, classifier_dropout: 0.0, use_cache: true,
    task_specific_params: { translation_en_to_de: { prefix: "translate English to German: " } }, transformers_version: "4.26.0", vocab_size: 32128,
  }, "config.json");
  assert.equal(small.num_decoder_layers, 6);
  assert.equal(small.vocab_size, 32128);
  assert.throws(() => t5ConfigFromJSON({ ...base, d_kv: undefined }, "c.json"), (e: unknown) => e instanceof FormatError && /d_kv/.test(e.message));
  assert.throws(() => t5ConfigFromJSON({ ...base, feed_forward_proj: "gated-foo" }, "c.json"), /feed_forward_proj/);
  assert.throws(() => t5ConfigFromJSON({ ...base, feed_forward_proj: "relu", is_gated_act: true }, "c.json"), /is_gated_act/);
  assert.throws(() => t5ConfigFromJSON({ ...base, eos_token_id: 13 }, "c.json"), /eos_token_id/);
  assert.throws(() => t5ConfigFromJSON({ ...base, num_layers: 100000 }, "c.json"), /num_layers/);
  assert.throws(() => new T5ForConditionalGeneration({ ...tiny, numHeads: 2 } as Partial<T5Config>), (e: unknown) => e instanceof ValueError && /num_heads/.test(e.message));
});

test("T5: savePretrained → fromPretrained round trip (registry model_type t5), tied and untied", () => {
  for (const tie of [true, false]) {
    manualSeed(3);
    const m = new T5ForConditionalGeneration({ ...tiny, tie_word_embeddings: tie, feed_forward_proj: tie ? "relu" : "gated-gelu" });
    withDir((dir) => {
      savePretrained(m, dir);
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
      assert.equal(config.model_type, "t5");
      const { model } = fromPretrained(dir);
      assert.ok(model instanceof T5ForConditionalGeneration);
      const ids = tensor([[4, 5, 6, 7]], { dtype: "int32" });
      const dec = tensor([[0, 3]], { dtype: "int32" });
      const a = noGrad(() => m.forward(ids, { decoderInputIds: dec }).logits.toArray());
      const b = noGrad(() => model.forward(ids, { decoderInputIds: dec }).logits.toArray());
      assert.deepEqual(a, b);
    });
  }
});

test("T5: a transformers state dict with embed_tokens (and tied lm_head) aliases of shared and the old decoder cross-attention bias loads", () => {
  manualSeed(7);
  const m = new T5ForConditionalGeneration(tiny);
  withDir((dir) => {
    savePretrained(m, dir);
    const st = loadSafetensors(join(dir, "model.safetensors"));
    const shared = st.tensors.get("shared.weight");
    assert.ok(shared !== undefined);
    const extra: [string, { shape: number[]; data: Float32Array }][] = [
      ["encoder.embed_tokens.weight", { shape: shared.shape, data: shared.data as Float32Array }],
      ["decoder.embed_tokens.weight", { shape: shared.shape, data: shared.data as Float32Array }],
      ["lm_head.weight", { shape: shared.shape, data: shared.data as Float32Array }],
      ["decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight", { shape: [8, 2], data: new Float32Array(16) }],
    ];
    const all = [...[...st.tensors].map(([n, e]): [string, { shape: number[]; data: Float32Array }] => [n, { shape: e.shape, data: e.data as Float32Array }]), ...extra];
    writeFileSync(join(dir, "model.safetensors"), Buffer.concat(encodeSafetensors(all)));
    const { model } = fromPretrained(dir);
    assert.ok(model instanceof T5ForConditionalGeneration);
    const ids = tensor([[4, 5]], { dtype: "int32" });
    const dec = tensor([[0]], { dtype: "int32" });
    assert.deepEqual(noGrad(() => model.forward(ids, { decoderInputIds: dec }).logits.toArray()), noGrad(() => m.forward(ids, { decoderInputIds: dec }).logits.toArray()));
  });
});

test("T5: named errors for d_kv·num_heads against the weights, a missing relative_attention_bias, and inputs past n_positions", () => {
  manualSeed(4);
  const m = new T5ForConditionalGeneration(tiny);
  withDir((dir) => {
    savePretrained(m, dir);
    const configFile = join(dir, "config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
    writeFileSync(configFile, JSON.stringify({ ...config, d_kv: 4 }));
    assert.throws(() => fromPretrained(dir), (e: unknown) => e instanceof FormatError && /d_kv·num_heads = 4·2 = 8/.test(e.message) && /q\.weight is \[6,8\]/.test(e.message));
    writeFileSync(configFile, JSON.stringify(config));
    const st = loadSafetensors(join(dir, "model.safetensors"));
    const kept = [...st.tensors].filter(([n]) => n !== "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight");
    writeFileSync(join(dir, "model.safetensors"), Buffer.concat(encodeSafetensors(kept.map(([n, e]) => [n, { shape: e.shape, data: e.data }]))));
    assert.throws(() => fromPretrained(dir), (e: unknown) => e instanceof FormatError && /decoder\.block\.0\.layer\.0\.SelfAttention\.relative_attention_bias\.weight is missing/.test(e.message));
  });
  const long = tensor([Array.from({ length: 33 }, () => 4)], { dtype: "int32" });
  assert.throws(() => m.forward(long, { decoderInputIds: tensor([[0]], { dtype: "int32" }) }), (e: unknown) => e instanceof ShapeError && /33 positions exceed n_positions=32/.test(e.message));
  assert.throws(() => m.forward(tensor([[4]], { dtype: "int32" }), { decoderInputIds: tensor([[0, 13]], { dtype: "int32" }) }), /outside the vocabulary/);
});

test("T5 generation through the decoder step: cached equals uncached (greedy, sampling, beam search)", () => {
  manualSeed(5);
  const m = new T5ForConditionalGeneration({ ...tiny, feed_forward_proj: "gated-gelu" });
  m.train(false);
  const src = tensor([[4, 5, 6, 7, 8, 9], [10, 11, 12, 0, 0, 0]], { dtype: "int32" });
  const lengths = [6, 3];
  const o = { maxNewTokens: 12, stopIds: [] as number[] };
  noGrad(() => {
    const greedy = (useCache: boolean) => decode(m.decoderStep(src, lengths, { useCache }), [[0], [0]], 13, { ...o, temperature: 0 });
    const [cached, uncached] = [greedy(true), greedy(false)];
    assert.deepEqual(cached.map((r) => r.tokens), uncached.map((r) => r.tokens));
    cached.forEach((r, i) => assert.ok(Math.abs(r.score - (uncached[i]?.score as number)) < 1e-4));
    assert.equal(cached[0]?.tokens.length, 12);
    const sample = (useCache: boolean) => decode(m.decoderStep(src, lengths, { useCache }), [[0], [0]], 13, { ...o, temperature: 1, seed: 7 });
    assert.deepEqual(sample(true).map((r) => r.tokens), sample(false).map((r) => r.tokens));
    const one = tensor([[4, 5, 6, 7, 8, 9]], { dtype: "int32" });
    const beam = (useCache: boolean) => decode(m.decoderStep(one, [6], { useCache }), [[0]], 13, { ...o, numBeams: 3, earlyStopping: "never" });
    const [bc, bu] = [beam(true), beam(false)];
    assert.equal(bc.length, 3);
    assert.deepEqual(bc.map((h) => h.tokens), bu.map((h) => h.tokens));
    bc.forEach((h, i) => assert.ok(Math.abs(h.score - (bu[i]?.score as number)) < 1e-4));
  });
  // decodeSources (the shared encoder–decoder entry point) drives T5 as it drives Seq2Seq.
  const viaSources = decodeSources(m, src, lengths, { maxNewTokens: 12, stopIds: [] });
  const direct = noGrad(() => decode(m.decoderStep(src, lengths, { useCache: false }), [[0], [0]], 13, { ...o, temperature: 0 }));
  assert.deepEqual(viaSources.map((r) => r[0]?.tokens), direct.map((r) => r.tokens));
});

test("T5: the step's cross-attention K/V are set once; self-attention cache grows by one per step", () => {
  manualSeed(6);
  const m = new T5ForConditionalGeneration(tiny);
  const step = m.decoderStep(tensor([[4, 5, 6]], { dtype: "int32" }), [3]);
  noGrad(() => {
    step.next([[0]]);
    const cache = (step as unknown as { cache: import("../../../src/nn/attention/kv-cache.js").KVCache }).cache;
    const cross = cache.crossLayer(0).get()?.keys;
    assert.equal(cache.length, 1);
    step.next([[0, 5]]);
    step.next([[0, 5, 7]]);
    assert.equal(cache.length, 3);
    assert.equal(cache.crossLayer(0).get()?.keys, cross);
  });
});

test("T5 streaming: the decoder step yields tokens one step at a time (sampleSteps), equal to the whole greedy result's prefix", () => {
  manualSeed(8);
  const m = new T5ForConditionalGeneration(tiny);
  m.train(false);
  const src = tensor([[4, 5, 6, 7]], { dtype: "int32" });
  noGrad(() => {
    const whole = decode(m.decoderStep(src, [4]), [[0]], 13, { maxNewTokens: 8, stopIds: [], temperature: 0 })[0]?.tokens ?? [];
    const streamed: number[] = [];
    for (const { tokens } of sampleSteps(m.decoderStep(src, [4]), [[0]], resolveGenerateOptions({ maxNewTokens: 8, stopIds: [], temperature: 0 }, 13))) {
      streamed.push(tokens[0] as number);
      if (streamed.length === 3) break; // a consumer may stop early
    }
    assert.equal(whole.length, 8);
    assert.deepEqual(streamed, whole.slice(0, 3));
  });
});
