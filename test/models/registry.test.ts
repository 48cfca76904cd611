/**
 * The model registry and the shared config validators: families found by model_type / architectures /
 * fields, refused configs (size bombs before allocation, unknown model types, misspelt keys) with the
 * file and field named, and savePretrained → fromPretrained round trips for every registered family.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormatError, ValueError, manualSeed, randint, noGrad, tensor } from "../../src/index.js";
import { GPT, Seq2Seq, RecurrentLM, familyOfConfig, fromPretrained, savePretrained, nearestName } from "../../src/models/index.js";
import { configFromJSON } from "../../src/models/gpt/index.js";

const tinyGPT = { vocab_size: 11, n_positions: 8, n_embd: 8, n_layer: 1, n_head: 2 };

function refused(fn: () => unknown, field: string, detail: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FormatError, `a FormatError, got ${String(e)}`);
    assert.equal(e.field, field, e.message);
    assert.match(e.message, detail);
    assert.match(e.message, /^runs\/x\/config\.json: /);
    return true;
  });
}

test("size bombs are refused before anything is allocated, naming the file, field and limit", () => {
  const file = "runs/x/config.json";
  refused(() => configFromJSON({ ...tinyGPT, n_layer: 100000 }, file), "n_layer", /positive integer ≤ 1,024, got 100000/);
  refused(() => configFromJSON({ ...tinyGPT, n_positions: 2e7 }, file), "n_positions", /≤ 1,048,576, got 20000000/);
  refused(() => configFromJSON({ ...tinyGPT, vocab_size: 1e8 }, file), "vocab_size", /≤ 4,194,304, got 100000000/);
  // Each size within its limit, the whole far beyond memory: the parameter budget names the biggest part.
  refused(() => configFromJSON({ ...tinyGPT, n_embd: 65536, n_head: 64, n_layer: 1000 }, file), "n_layer", /parameters, above the limit of 2\.1e\+9/);
  refused(() => configFromJSON({ ...tinyGPT, n_embd: 8192, n_head: 64, vocab_size: 4_000_000 }, file), "vocab_size", /above the limit/);
  // A config that states no size must not build GPT-2's 124M parameters.
  refused(() => configFromJSON({ model_type: "gpt2" }, file), "vocab_size", /missing/);
  refused(() => familyOfConfig({}, file), "model_type", /missing, and neither architectures nor the fields identify/);
});

test("model_type: an unknown family is a named error; absent, only GPT-2's architectures or fields identify GPT-2", () => {
  const file = "runs/x/config.json";
  refused(() => familyOfConfig({ model_type: "llama", hidden_size: 64, num_hidden_layers: 2 }, file), "model_type", /"llama" is not a model family loom has/);
  refused(() => familyOfConfig({ hidden_size: 64, num_hidden_layers: 2, vocab_size: 32000 }, file), "model_type", /missing/);
  assert.equal(familyOfConfig({ ...tinyGPT }, file).modelType, "gpt2");
  assert.equal(familyOfConfig({ architectures: ["GPT2LMHeadModel"] }, file).modelType, "gpt2");
  assert.equal(familyOfConfig({ model_type: "loom-rnnlm" }, file).modelType, "loom-rnnlm");
});

test("unknown config keys name the nearest valid one (constructor, config.json typos, Seq2Seq)", () => {
  assert.throws(() => new GPT({ nLayer: 1 } as never), (e: unknown) => e instanceof ValueError && /^GPT config: unknown key "nLayer" \(did you mean "n_layer"\?\)$/.test(e.message));
  assert.throws(() => new RecurrentLM({ hiddenSize: 8 } as never), /RecurrentLM config: unknown key "hiddenSize" \(did you mean "hidden_size"\?\)/);
  assert.throws(() => new GPT({ ...tinyGPT, n_embed: 8 } as never), /did you mean "n_embd"/);
  refused(() => configFromJSON({ ...tinyGPT, n_layers: 2 }, "runs/x/config.json"), "n_layers", /did you mean "n_layer"/);
  // transformers' own fields (bos_token_id, use_cache, …) are not typos: ignored.
  assert.equal(configFromJSON({ ...tinyGPT, bos_token_id: 0, use_cache: true, n_ctx: 8 }, "c.json").n_layer, 1);
  assert.throws(() => new Seq2Seq({ srcVocab: 5, tgtVocab: 5, hidenSize: 8 } as never), /did you mean "hiddenSize"/);
  assert.equal(nearestName("numHeads", ["n_head", "n_layer", "n_embd"]), "n_head");
  assert.equal(nearestName("temperature", ["n_head", "n_layer", "n_embd"]), undefined);
  assert.equal(nearestName("nHead", ["n_head", "n_layer", "n_embd"]), "n_head");
});

test("savePretrained → fromPretrained round trips for every registered family (same outputs)", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-registry-"));
  manualSeed(1);
  const ids = randint(0, 11, [2, 5]);
  const models = [
    new GPT({ ...tinyGPT, tie_word_embeddings: false, activation_function: "swiglu" }),
    new RecurrentLM({ vocab_size: 11, n_embd: 6, hidden_size: 6, n_layer: 1, cell: "gru" }),
  ];
  for (const [i, m] of models.entries()) {
    m.eval();
    savePretrained(m, join(dir, String(i)), { metadata: { note: "x" } });
    const { model, metadata } = fromPretrained(join(dir, String(i)));
    assert.equal(model.modelType, m.modelType);
    assert.equal(metadata.note, "x");
    model.eval();
    const run = (x: GPT | RecurrentLM) => noGrad(() => x.forward(ids).logits.toTypedArray());
    assert.deepEqual(run(model as GPT | RecurrentLM), run(m));
  }
  const s2s = new Seq2Seq({ srcVocab: 7, tgtVocab: 6, embedDim: 4, hiddenSize: 5 });
  savePretrained(s2s, join(dir, "s2s"));
  const loaded = fromPretrained(join(dir, "s2s")).model as Seq2Seq;
  assert.deepEqual(loaded.config, s2s.config);
  const src = tensor([[3, 4, 5]], { dtype: "int32" });
  const tgt = tensor([[1, 3, 4]], { dtype: "int32" });
  s2s.eval();
  loaded.eval();
  assert.deepEqual(noGrad(() => loaded.forward(src, [3], tgt).logits.toTypedArray()), noGrad(() => s2s.forward(src, [3], tgt).logits.toTypedArray()));
  // A LLaMA folder is refused by name, not loaded as GPT-2.
  mkdirSync(join(dir, "llama"));
  writeFileSync(join(dir, "llama", "config.json"), JSON.stringify({ model_type: "llama", hidden_size: 8 }));
  assert.throws(() => fromPretrained(join(dir, "llama")), /model_type: "llama" is not a model family/);
});
