import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, Generator, ShapeError, ValueError, manualSeed, noGrad, tensor, type Tensor } from "../../../src/index.js";
import { decode, decodeSources, type EncoderDecoderModel } from "../../../src/generate/index.js";
import { encodeSafetensors, loadSafetensors } from "../../../src/io/safetensors.js";
import { fromPretrained, savePretrained } from "../../../src/models/index.js";
import { Transformer, transformerConfigFromJSON, transformerParameterCount, type TransformerConfig } from "../../../src/models/transformer/index.js";
import { sinusoidalTable } from "../../../src/nn/attention/sinusoidal.js";
import { AdamW } from "../../../src/optim/index.js";

const tiny: Partial<TransformerConfig> = {
  src_vocab_size: 13, tgt_vocab_size: 13, d_model: 8, nhead: 2, num_encoder_layers: 2, num_decoder_layers: 2,
  dim_feedforward: 12, dropout: 0, max_position_embeddings: 24,
};

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "loom-transformer-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("Transformer: torch.nn.Transformer's names under transformer., shared / separate embeddings, generator when untied", () => {
  manualSeed(0);
  const m = new Transformer(tiny);
  const names = [...m.namedParameters()].map(([n, p]) => `${n}:${p.shape.join("x")}`);
  assert.equal(names[0], "shared.weight:13x8");
  assert.ok(names.includes("transformer.encoder.layers.0.self_attn.in_proj_weight:24x8"));
  assert.ok(names.includes("transformer.encoder.layers.1.linear1.weight:12x8"));
  assert.ok(names.includes("transformer.encoder.norm.bias:8"));
  assert.ok(names.includes("transformer.decoder.layers.1.multihead_attn.out_proj.weight:8x8"));
  assert.ok(names.includes("transformer.decoder.layers.0.norm3.weight:8"));
  assert.ok(names.includes("transformer.decoder.norm.weight:8"));
  assert.ok(!names.some((n) => n.startsWith("generator")));
  assert.equal(names.length, 1 + 2 * 12 + 2 + 2 * 18 + 2); // encoder layers 12 tensors each, decoder layers 18, two final norms
  assert.equal([...m.parameters()].reduce((s, p) => s + p.size, 0), transformerParameterCount(m.config));
  const separate = new Transformer({ ...tiny, src_vocab_size: 11, share_embeddings: false, tie_word_embeddings: false });
  const sepNames = [...separate.namedParameters()].map(([n, p]) => `${n}:${p.shape.join("x")}`);
  assert.deepEqual(sepNames.slice(0, 2), ["src_embed.weight:11x8", "tgt_embed.weight:13x8"]);
  assert.equal(sepNames.at(-1), "generator.weight:13x8");
  assert.equal([...separate.parameters()].reduce((s, p) => s + p.size, 0), transformerParameterCount(separate.config));
});

test("Transformer: embeddings scaled by √d_model plus sinusoidal positions feed the first encoder layer", () => {
  manualSeed(1);
  const m = new Transformer(tiny);
  m.train(false);
  const ids = tensor([[4, 5, 6]], { dtype: "int32" });
  let seen: Tensor | null = null;
  const layer = m.transformer.encoder.layers.at(0);
  const original = layer.forward.bind(layer);
  layer.forward = (x, options) => {
    seen = x;
    return original(x, options);
  };
  noGrad(() => m.encode(ids));
  const W = m.shared?.weight.toArray() as number[][];
  const pe = sinusoidalTable(3, 8).toArray() as number[][];
  const got = (seen as unknown as Tensor).toArray() as number[][][];
  [4, 5, 6].forEach((id, t) => {
    for (let c = 0; c < 8; c++) {
      const want = (W[id] as number[])[c] as number * Math.sqrt(8) + ((pe[t] as number[])[c] as number);
      assert.ok(Math.abs(((got[0] as number[][])[t] as number[])[c] as number - want) < 1e-5);
    }
  });
});

test("Transformer.forward: shapes; encoder padding changes nothing; decoder position t ignores later tokens", () => {
  manualSeed(2);
  const m = new Transformer(tiny);
  m.train(false);
  const labels = tensor([[5, 6, 7, 2], [8, 2, -100, -100]], { dtype: "int32" });
  assert.deepEqual(m.shiftRight(labels).toArray(), [[1, 5, 6, 7], [1, 8, 2, 0]]);
  const out = m.forward(tensor([[4, 5, 6, 7, 8], [9, 10, 11, 0, 0]], { dtype: "int32" }), {
    attentionMask: tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], { dtype: "int32" }), labels,
  });
  assert.deepEqual(out.logits.shape, [2, 4, 13]);
  assert.deepEqual(out.encoderLastHiddenState.shape, [2, 5, 8]);
  assert.ok(Number.isFinite((out.loss as Tensor).item()));
  const dec = tensor([[1, 4, 5, 6]], { dtype: "int32" });
  const short = noGrad(() => m.forward(tensor([[4, 5, 6]], { dtype: "int32" }), { decoderInputIds: dec }).logits.toTypedArray());
  const padded = noGrad(() => m.forward(tensor([[4, 5, 6, 9, 9]], { dtype: "int32" }), {
    decoderInputIds: dec, attentionMask: tensor([[1, 1, 1, 0, 0]], { dtype: "int32" }),
  }).logits.toTypedArray());
  short.forEach((v, i) => assert.ok(Math.abs(v - (padded[i] as number)) < 1e-5));
  const src = tensor([[4, 5, 6]], { dtype: "int32" });
  const a = noGrad(() => m.forward(src, { decoderInputIds: dec }).logits.toArray()) as number[][][];
  const b = noGrad(() => m.forward(src, { decoderInputIds: tensor([[1, 4, 11, 12]], { dtype: "int32" }) }).logits.toArray()) as number[][][];
  assert.deepEqual(a[0]?.slice(0, 2), b[0]?.slice(0, 2));
  assert.notDeepEqual(a[0]?.[2], b[0]?.[2]);
  assert.throws(() => m.forward(src), /decoderInputIds or labels/);
});

test("Transformer: label smoothing ε gives (1 − ε)·NLL + ε·mean(−log p) over the real labels", () => {
  manualSeed(3);
  const m = new Transformer({ ...tiny, label_smoothing: 0.2 });
  m.train(false);
  const src = tensor([[4, 5, 6]], { dtype: "int32" });
  const labels = tensor([[7, 8, 2, -100]], { dtype: "int32" });
  const { logits, loss } = noGrad(() => m.forward(src, { labels }));
  const z = logits.toArray() as number[][][];
  let total = 0;
  [7, 8, 2].forEach((y, t) => {
    const row = (z[0] as number[][])[t] as number[];
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    const logp = row.map((v) => v - lse);
    total += 0.8 * -(logp[y] as number) + 0.2 * -logp.reduce((s, v) => s + v, 0) / row.length;
  });
  assert.ok(Math.abs((loss as Tensor).item() - total / 3) < 1e-5);
});

test("Transformer: savePretrained → fromPretrained round trip through the registry (model_type transformer)", () => {
  for (const shared of [true, false]) {
    manualSeed(4);
    const m = new Transformer({ ...tiny, share_embeddings: shared, tie_word_embeddings: shared, tgt_vocab_size: 13, src_vocab_size: shared ? 13 : 9 });
    withDir((dir) => {
      savePretrained(m, dir);
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
      assert.equal(config.model_type, "transformer");
      assert.equal(config.nhead, 2);
      const { model } = fromPretrained(dir);
      assert.ok(model instanceof Transformer);
      const ids = tensor([[4, 5, 6, 7]], { dtype: "int32" });
      const dec = tensor([[1, 3]], { dtype: "int32" });
      assert.deepEqual(noGrad(() => model.forward(ids, { decoderInputIds: dec }).logits.toArray()), noGrad(() => m.forward(ids, { decoderInputIds: dec }).logits.toArray()));
    });
  }
});

test("Transformer: named errors for inputs past max_position_embeddings, bad configs and mismatched weights", () => {
  manualSeed(5);
  const m = new Transformer(tiny);
  const long = tensor([Array.from({ length: 25 }, () => 4)], { dtype: "int32" });
  assert.throws(() => m.forward(long, { decoderInputIds: tensor([[1]], { dtype: "int32" }) }),
    (e: unknown) => e instanceof ShapeError && /encoder: 25 positions exceed max_position_embeddings=24/.test(e.message));
  const longDec = tensor([Array.from({ length: 25 }, () => 4)], { dtype: "int32" });
  assert.throws(() => m.forward(tensor([[4]], { dtype: "int32" }), { decoderInputIds: longDec }), /decoder: 25 positions exceed max_position_embeddings=24/);
  assert.throws(() => m.forward(tensor([[4]], { dtype: "int32" }), { decoderInputIds: tensor([[1, 13]], { dtype: "int32" }) }), /outside the vocabulary \[0, 13\)/);
  const base = { src_vocab_size: 13, tgt_vocab_size: 13, d_model: 8, nhead: 2, num_encoder_layers: 1, num_decoder_layers: 1, dim_feedforward: 8 };
  assert.throws(() => transformerConfigFromJSON({ ...base, nhead: 3 }, "c.json"), (e: unknown) => e instanceof FormatError && /nhead/.test(e.message) && /c\.json/.test(e.message));
  assert.throws(() => transformerConfigFromJSON({ ...base, tgt_vocab_size: 14 }, "c.json"), /share_embeddings/);
  assert.throws(() => transformerConfigFromJSON({ ...base, dim_feedforward: undefined }, "c.json"), /dim_feedforward/);
  assert.throws(() => transformerConfigFromJSON({ ...base, activation: "swish" }, "c.json"), /activation/);
  assert.throws(() => transformerConfigFromJSON({ ...base, num_encoder_layers: 100000 }, "c.json"), /num_encoder_layers/);
  assert.throws(() => new Transformer({ ...tiny, n_head: 2 } as Partial<TransformerConfig>), (e: unknown) => e instanceof ValueError && /nhead/.test(e.message));
  withDir((dir) => {
    savePretrained(m, dir);
    const configFile = join(dir, "config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
    writeFileSync(configFile, JSON.stringify({ ...config, dim_feedforward: 16 }));
    assert.throws(() => fromPretrained(dir), (e: unknown) => e instanceof FormatError && /linear1\.weight/.test(e.message) && /model\.safetensors/.test(e.message));
    writeFileSync(configFile, JSON.stringify(config));
    const st = loadSafetensors(join(dir, "model.safetensors"));
    const kept = [...st.tensors].filter(([n]) => n !== "transformer.decoder.norm.weight");
    writeFileSync(join(dir, "model.safetensors"), Buffer.concat(encodeSafetensors(kept.map(([n, e]) => [n, { shape: e.shape, data: e.data }]))));
    assert.throws(() => fromPretrained(dir), (e: unknown) => e instanceof FormatError && /transformer\.decoder\.norm\.weight/.test(e.message));
  });
});

test("Transformer generation: cached equals uncached (greedy, sampling, beam search); decodeSources honours useCache", () => {
  manualSeed(6);
  const m = new Transformer({ ...tiny, share_embeddings: false, tie_word_embeddings: false, src_vocab_size: 11 });
  m.train(false);
  const src = tensor([[4, 5, 6, 7, 8, 9], [10, 3, 4, 0, 0, 0]], { dtype: "int32" });
  const lengths = [6, 3];
  const o = { maxNewTokens: 12, stopIds: [] as number[] };
  noGrad(() => {
    const greedy = (useCache: boolean) => decode(m.decoderStep(src, lengths, { useCache }), [[1], [1]], 13, { ...o, temperature: 0 });
    const [cached, uncached] = [greedy(true), greedy(false)];
    assert.deepEqual(cached.map((r) => r.tokens), uncached.map((r) => r.tokens));
    cached.forEach((r, i) => assert.ok(Math.abs(r.score - (uncached[i]?.score as number)) < 1e-4));
    assert.equal(cached[0]?.tokens.length, 12);
    const sample = (useCache: boolean) => decode(m.decoderStep(src, lengths, { useCache }), [[1], [1]], 13, { ...o, temperature: 1, seed: 7 });
    assert.deepEqual(sample(true).map((r) => r.tokens), sample(false).map((r) => r.tokens));
    const one = tensor([[4, 5, 6, 7, 8, 9]], { dtype: "int32" });
    const beam = (useCache: boolean) => decode(m.decoderStep(one, [6], { useCache }), [[1]], 13, { ...o, numBeams: 3, earlyStopping: "never" });
    const [bc, bu] = [beam(true), beam(false)];
    assert.equal(bc.length, 3);
    assert.deepEqual(bc.map((h) => h.tokens), bu.map((h) => h.tokens));
    bc.forEach((h, i) => assert.ok(Math.abs(h.score - (bu[i]?.score as number)) < 1e-4));
  });
  // decodeSources passes useCache on to the model's step (a spy records it), and both give the same result.
  const seen: (boolean | undefined)[] = [];
  const spy: EncoderDecoderModel = {
    decoding: m.decoding,
    decoderStep: (s, l, options) => {
      seen.push(options?.useCache);
      return m.decoderStep(s, l, options);
    },
  };
  for (const numBeams of [1, 2]) {
    const withCache = decodeSources(spy, src, lengths, { maxNewTokens: 8, stopIds: [], numBeams });
    const without = decodeSources(spy, src, lengths, { maxNewTokens: 8, stopIds: [], numBeams, useCache: false });
    assert.deepEqual(withCache.map((r) => r.map((h) => h.tokens)), without.map((r) => r.map((h) => h.tokens)));
  }
  assert.deepEqual(seen, [true, false, true, true, false, false]);
});

test("Transformer: the cache grows by one position per step and cross-attention K/V are computed once", () => {
  manualSeed(7);
  const m = new Transformer(tiny);
  const step = m.decoderStep(tensor([[4, 5, 6]], { dtype: "int32" }), [3]);
  noGrad(() => {
    step.next([[1]]);
    const cache = (step as unknown as { cache: import("../../../src/nn/attention/kv-cache.js").KVCache }).cache;
    const cross = cache.crossLayer(1).get()?.keys;
    step.next([[1, 5]]);
    step.next([[1, 5, 7]]);
    assert.equal(cache.length, 3);
    assert.equal(cache.crossLayer(1).get()?.keys, cross);
  });
});

test("Transformer learns to reverse short sequences (AdamW, 200 steps): the last 20 losses average below 0.4 and greedy decoding reverses", () => {
  manualSeed(8);
  const m = new Transformer({ ...tiny, d_model: 16, dim_feedforward: 32, label_smoothing: 0 });
  const opt = new AdamW(m.parameters(), { lr: 1e-2, weightDecay: 0 });
  const g = new Generator(8);
  const batch = (): { src: number[][]; labels: number[][] } => {
    const src: number[][] = [];
    const labels: number[][] = [];
    for (let b = 0; b < 16; b++) {
      const row = Array.from({ length: 4 }, () => g.randint(3, 13));
      src.push(row);
      labels.push([...row].reverse().concat([2]));
    }
    return { src, labels };
  };
  const losses: number[] = [];
  for (let step = 0; step < 200; step++) {
    const { src, labels } = batch();
    const out = m.forward(tensor(src, { dtype: "int32" }), { labels: tensor(labels, { dtype: "int32" }) });
    opt.zeroGrad();
    (out.loss as Tensor).backward();
    opt.step();
    losses.push((out.loss as Tensor).item());
  }
  const last = losses.slice(-20).reduce((a, b) => a + b) / 20;
  assert.ok(last < 0.4 && (losses[0] as number) > 2, `first loss ${losses[0]}, last 20 average ${last}`);
  const decoded = decodeSources(m, tensor([[3, 7, 9, 12]], { dtype: "int32" }), [4], { maxNewTokens: 6 });
  assert.deepEqual(decoded[0]?.[0]?.tokens, [12, 9, 7, 3, 2]);
});
