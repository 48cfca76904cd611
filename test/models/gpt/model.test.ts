import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, randint, tensor, noGrad, cat, Tensor, FormatError, ShapeError, autograd } from "../../../src/index.js";
import { GPT, configFromJSON, configToJSON, gptConfig } from "../../../src/models/gpt/index.js";
import { AdamW } from "../../../src/optim/index.js";

const tiny = { vocab_size: 11, n_positions: 16, n_embd: 8, n_layer: 2, n_head: 2, embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 };

test("GPT-2 parameter names and shapes; lm_head tied to wte", () => {
  manualSeed(0);
  const m = new GPT(tiny);
  const names = [...m.namedParameters()].map(([n, p]) => `${n}:${p.shape.join("x")}`);
  assert.deepEqual(names.slice(0, 14), [
    "transformer.wte.weight:11x8", "transformer.wpe.weight:16x8",
    "transformer.h.0.ln_1.weight:8", "transformer.h.0.ln_1.bias:8",
    "transformer.h.0.attn.c_attn.weight:8x24", "transformer.h.0.attn.c_attn.bias:24",
    "transformer.h.0.attn.c_proj.weight:8x8", "transformer.h.0.attn.c_proj.bias:8",
    "transformer.h.0.ln_2.weight:8", "transformer.h.0.ln_2.bias:8",
    "transformer.h.0.mlp.c_fc.weight:8x32", "transformer.h.0.mlp.c_fc.bias:32",
    "transformer.h.0.mlp.c_proj.weight:32x8", "transformer.h.0.mlp.c_proj.bias:8",
  ]);
  assert.equal(names.at(-1), "transformer.ln_f.bias:8");
  assert.equal(m.outputWeight, m.transformer.wte.weight);
});

test("forward shapes, initial loss ≈ ln V, and targets shape check", () => {
  manualSeed(1);
  const m = new GPT(tiny);
  const ids = randint(0, 11, [3, 5]);
  const { logits, loss } = m.forward(ids, { targets: randint(0, 11, [3, 5]) });
  assert.deepEqual(logits.shape, [3, 5, 11]);
  assert.ok(Math.abs((loss as Tensor).item() - Math.log(11)) < 0.15, String(loss?.item()));
  assert.throws(() => m.forward(ids, { targets: randint(0, 11, [3, 4]) }), ShapeError);
  assert.throws(() => m.forward(randint(0, 11, [1, 17])), /exceed n_positions/);
});

test("causality: logits at position t do not depend on later tokens", () => {
  manualSeed(2);
  const m = new GPT(tiny);
  const a = tensor([[1, 2, 3, 4, 5]], { dtype: "int32" });
  const b = tensor([[1, 2, 3, 9, 0]], { dtype: "int32" });
  const la = noGrad(() => m.forward(a).logits.toArray()) as number[][][];
  const lb = noGrad(() => m.forward(b).logits.toArray()) as number[][][];
  assert.deepEqual(la[0]!.slice(0, 3), lb[0]!.slice(0, 3));
  assert.notDeepEqual(la[0]![3], lb[0]![3]);
});

const variants = [
  {},
  { norm_placement: "post" as const, norm_type: "rmsnorm" as const, activation_function: "swiglu" as const, bias: false },
  { position_encoding: "rope" as const, activation_function: "gelu" as const },
  { position_encoding: "alibi" as const, activation_function: "relu" as const },
  { position_encoding: "sinusoidal" as const },
];
for (const variant of variants) {
  test(`KV-cache decoding equals the full forward ${JSON.stringify(variant)}`, () => {
    manualSeed(3);
    const m = new GPT({ ...tiny, ...variant });
    m.eval();
    const ids = randint(0, 11, [2, 7]);
    noGrad(() => {
      const full = m.forward(ids).logits;
      const cache = m.newCache();
      const parts: Tensor[] = [m.forward(ids.slice(1, 0, 3), { cache }).logits];
      for (let t = 3; t < 7; t++) parts.push(m.forward(ids.slice(1, t, t + 1), { cache }).logits);
      assert.equal(cache.length, 7);
      const stepped = cat(parts, 1).toTypedArray();
      const expected = full.toTypedArray();
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs((stepped[i] as number) - (expected[i] as number)) < 1e-5);
    });
  });
}

test("the KV cache appends in place during generation, and a forked cache does not disturb its source", () => {
  manualSeed(5);
  const m = new GPT({ ...tiny });
  m.eval();
  const ids = randint(0, 11, [1, 6]);
  noGrad(() => {
    const cache = m.newCache();
    m.forward(ids.slice(1, 0, 3), { cache });
    const before = cache.layer(0).get();
    m.forward(ids.slice(1, 3, 4), { cache });
    const after = cache.layer(0).get();
    assert.equal(after?.keys.storage, before?.keys.storage, "the step wrote into the same storage (one growing buffer per layer)");
    // Fork at 4 positions: the source goes on with ids[4], the fork with ids[5]; each equals its full forward.
    const fork = cache.fork();
    const source = m.forward(ids.slice(1, 4, 5), { cache }).logits.toTypedArray();
    const forked = m.forward(ids.slice(1, 5, 6), { cache: fork }).logits.toTypedArray();
    const full = (tokens: Tensor) => m.forward(tokens).logits.slice(1, 4, 5).toTypedArray();
    const expectSource = full(ids.slice(1, 0, 5));
    const expectFork = full(cat([ids.slice(1, 0, 4), ids.slice(1, 5, 6)], 1));
    for (let i = 0; i < expectSource.length; i++) {
      assert.ok(Math.abs((source[i] as number) - (expectSource[i] as number)) < 1e-5);
      assert.ok(Math.abs((forked[i] as number) - (expectFork[i] as number)) < 1e-5);
    }
  });
});

test("with gradients recorded, cached keys/values stay differentiable (concatenated, not buffered)", () => {
  manualSeed(6);
  const m = new GPT({ ...tiny, embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 });
  const ids = randint(0, 11, [2, 5]);
  const cache = m.newCache();
  m.forward(ids.slice(1, 0, 3), { cache });
  const last = m.forward(ids.slice(1, 3, 5), { cache }).logits;
  assert.ok(cache.layer(0).get()?.keys.requiresGrad, "cached keys carry the graph");
  last.sum().backward();
  const cachedGrad = m.transformer.wte.weight.grad?.toTypedArray() as Float32Array;
  m.zeroGrad();
  m.forward(ids).logits.slice(1, 3, 5).sum().backward();
  const fullGrad = m.transformer.wte.weight.grad?.toTypedArray() as Float32Array;
  for (let i = 0; i < fullGrad.length; i++) assert.ok(Math.abs((cachedGrad[i] as number) - (fullGrad[i] as number)) < 1e-4);
});

for (const variant of [{}, { norm_type: "rmsnorm" as const }]) test(`a tiny GPT learns a repeating sequence (loss falls below 0.3) ${JSON.stringify(variant)}`, () => {
  manualSeed(4);
  const m = new GPT({ ...tiny, n_embd: 16, ...variant });
  const opt = new AdamW(m.parameters(), { lr: 1e-2, weightDecay: 0 });
  const seq = Array.from({ length: 9 }, (_, i) => [3, 1, 4, 1, 5, 9, 2, 6, 5, 3][i] as number);
  const ids = tensor([seq.slice(0, 8), seq.slice(0, 8)], { dtype: "int32" });
  const targets = tensor([seq.slice(1, 9), seq.slice(1, 9)], { dtype: "int32" });
  let loss = Infinity;
  for (let step = 0; step < 80; step++) {
    const out = m.forward(ids, { targets });
    loss = (out.loss as Tensor).item();
    out.loss?.backward();
    opt.step();
    opt.zeroGrad();
  }
  assert.ok(loss < 0.3, `final loss ${loss}`);
});

test("config.json: HF GPT-2 names round trip, errors name the file and field", () => {
  const c = gptConfig(tiny);
  const json = configToJSON(c);
  assert.equal(json.model_type, "gpt2");
  assert.deepEqual(configFromJSON(JSON.parse(JSON.stringify(json)), "config.json"), c);
  assert.throws(() => configFromJSON({ ...json, n_head: 3 }, "runs/x/config.json"), (e: unknown) => e instanceof FormatError && /runs\/x\/config.json: n_head/.test(e.message));
  assert.throws(() => configFromJSON({ ...json, n_layer: "4" }, "config.json"), /config.json: n_layer: expected a positive integer/);
});

test("gradcheck (float64) of the loss through every kind of GPT weight", () => {
  manualSeed(5);
  for (const variant of [{}, { position_encoding: "rope" as const, norm_type: "rmsnorm" as const, activation_function: "swiglu" as const }]) {
    const m = new GPT({ ...tiny, n_layer: 1, ...variant });
    m.to("float64");
    const ids = randint(0, 11, [2, 4]);
    const targets = randint(0, 11, [2, 4]);
    const named = new Map(m.namedParameters());
    for (const name of ["transformer.wte.weight", "transformer.h.0.attn.c_attn.weight", "transformer.h.0.mlp.c_proj.weight", "transformer.h.0.ln_1.weight"]) {
      const w = named.get(name);
      assert.ok(w, name);
      assert.equal(autograd.gradcheck(() => m.forward(ids, { targets }).loss as Tensor, [w]), true, name);
    }
  }
});
