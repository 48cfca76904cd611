import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manualSeed, randint, tensor, noGrad, cat, Tensor, FormatError } from "../../../src/index.js";
import { RecurrentLM } from "../../../src/models/rnnlm/index.js";
import { AdamW } from "../../../src/optim/index.js";
import { saveModel, loadLanguageModel } from "../../../src/train/checkpoint.js";
import { generate } from "../../../src/generate/index.js";

const base = { vocab_size: 13, n_embd: 8, hidden_size: 12, n_layer: 2 };

for (const cell of ["lstm", "gru", "rnn"] as const) {
  test(`${cell}: shapes; stepping with the recurrent cache equals the full forward`, () => {
    manualSeed(1);
    const m = new RecurrentLM({ ...base, cell });
    m.eval();
    const ids = randint(0, 13, [2, 6]);
    noGrad(() => {
      const full = m.forward(ids).logits;
      assert.deepEqual(full.shape, [2, 6, 13]);
      const cache = m.newCache();
      const parts: Tensor[] = [m.forward(ids.slice(1, 0, 2), { cache }).logits];
      for (let t = 2; t < 6; t++) parts.push(m.forward(ids.slice(1, t, t + 1), { cache }).logits);
      assert.equal(cache.length, 6);
      const a = cat(parts, 1).toTypedArray();
      const b = full.toTypedArray();
      for (let i = 0; i < b.length; i++) assert.ok(Math.abs((a[i] as number) - (b[i] as number)) < 1e-5);
      // Generation with the cache equals generation recomputing from scratch.
      assert.deepEqual(generate(m, [1, 2, 3], { maxNewTokens: 8, temperature: 0 }), generate(m, [1, 2, 3], { maxNewTokens: 8, temperature: 0, useCache: false }));
    });
  });
}

test("an LSTM language model learns a repeating sequence; its run folder reloads", () => {
  manualSeed(2);
  const m = new RecurrentLM({ ...base, cell: "lstm", n_layer: 1, hidden_size: 24 });
  const opt = new AdamW(m.parameters(), { lr: 2e-2, weightDecay: 0 });
  const seq = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
  const ids = tensor([seq.slice(0, 9)], { dtype: "int32" });
  const targets = tensor([seq.slice(1, 10)], { dtype: "int32" });
  let loss = Infinity;
  for (let step = 0; step < 120; step++) {
    const out = m.forward(ids, { targets });
    loss = (out.loss as Tensor).item();
    out.loss?.backward();
    opt.step();
    opt.zeroGrad();
  }
  assert.ok(loss < 0.2, `loss ${loss}`);
  const dir = mkdtempSync(join(tmpdir(), "loom-rnnlm-"));
  saveModel(dir, m, 120);
  const { model, step } = loadLanguageModel(dir);
  assert.equal(step, 120);
  assert.ok(model instanceof RecurrentLM && model.config.cell === "lstm");
  const a = noGrad(() => m.forward(ids).logits.toTypedArray());
  const b = noGrad(() => model.forward(ids).logits.toTypedArray());
  assert.deepEqual(b, a);
});

test("config errors name the field", () => {
  assert.throws(() => new RecurrentLM({ ...base, tie_word_embeddings: true }), (e: unknown) => e instanceof FormatError && /tie_word_embeddings/.test(e.message));
  assert.throws(() => new RecurrentLM({ ...base, cell: "tcn" as "lstm" }), /cell/);
});
