/**
 * Gradient checkpointing of GPT, BERT and T5 blocks changes nothing numerically: with dropout on, the
 * loss and every parameter's gradient are bit-identical with and without it (every block, and every
 * 2nd), over several AdamW steps; also under autocast(bfloat16). A KV cache is refused under
 * checkpointing in training mode.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, ValueError, autocast, manualSeed, optim, randint } from "../../src/index.js";
import { GPT } from "../../src/models/gpt/model.js";
import { BertModel } from "../../src/models/bert/model.js";
import { T5ForConditionalGeneration } from "../../src/models/t5/model.js";
import type { Module } from "../../src/nn/module.js";

interface Run {
  losses: number[];
  /** Every gradient of every step, as bits. */
  grads: number[][];
}

/** `steps` AdamW steps from seed 7, recording losses and gradients; `setup` switches checkpointing. */
function train(make: () => Module, setup: (m: Module) => void, lossOf: (m: Module, step: number) => Tensor, steps = 3): Run {
  manualSeed(7);
  const model = make();
  setup(model);
  model.train();
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2 });
  const run: Run = { losses: [], grads: [] };
  for (let s = 0; s < steps; s++) {
    const loss = lossOf(model, s);
    loss.backward();
    run.losses.push(loss.item());
    for (const p of model.parameters()) run.grads.push(p.grad ? [...new Uint32Array(new Float32Array(p.grad.contiguousValues()).buffer)] : []);
    opt.step();
    opt.zeroGrad();
  }
  return run;
}

function assertIdentical(a: Run, b: Run, what: string): void {
  assert.deepEqual(a.losses, b.losses, `${what}: losses`);
  assert.equal(a.grads.length, b.grads.length);
  a.grads.forEach((g, i) => assert.deepEqual(g, b.grads[i], `${what}: gradient ${i}`));
}

const gptConfig = { vocab_size: 29, n_positions: 16, n_embd: 16, n_layer: 3, n_head: 2, embd_pdrop: 0.1, attn_pdrop: 0.2, resid_pdrop: 0.1 };
const gptLoss = (m: Module, s: number): Tensor => {
  manualSeed(100 + s);
  const ids = randint(0, 29, [2, 12]);
  return (m as GPT).forward(ids, { targets: ids }).loss!;
};

test("GPT: loss and every gradient bit-identical with checkpointing (every block, every 2nd) over 3 steps with dropout", () => {
  const plain = train(() => new GPT(gptConfig), () => {}, gptLoss);
  for (const every of [1, 2]) {
    const ckpt = train(() => new GPT(gptConfig), (m) => ((m as GPT).gradientCheckpointing = every), gptLoss);
    assertIdentical(plain, ckpt, `GPT every ${every}`);
  }
});

test("GPT under autocast(bfloat16): checkpointing replays the autocast state, bit-identical", () => {
  const loss = (m: Module, s: number): Tensor => autocast("bfloat16", () => gptLoss(m, s));
  const plain = train(() => new GPT(gptConfig), () => {}, loss, 2);
  const ckpt = train(() => new GPT(gptConfig), (m) => ((m as GPT).gradientCheckpointing = 1), loss, 2);
  assertIdentical(plain, ckpt, "GPT bf16");
});

test("BERT: bit-identical with checkpointing over 3 steps with dropout", () => {
  const config = { vocab_size: 20, hidden_size: 8, num_hidden_layers: 3, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 };
  const loss = (m: Module, s: number): Tensor => {
    manualSeed(200 + s);
    const ids = randint(0, 20, [2, 7]);
    const h = (m as BertModel).forward(ids).lastHiddenState;
    return h.mul(h).mean();
  };
  const plain = train(() => new BertModel(config), () => {}, loss);
  for (const every of [1, 2]) {
    const ckpt = train(() => new BertModel(config), (m) => ((m as BertModel).gradientCheckpointing = every), loss);
    assertIdentical(plain, ckpt, `BERT every ${every}`);
  }
});

test("T5: bit-identical with checkpointing of encoder and decoder blocks over 3 steps with dropout", () => {
  const config = {
    vocab_size: 13, d_model: 8, d_kv: 3, d_ff: 10, num_layers: 2, num_decoder_layers: 3, num_heads: 2,
    relative_attention_num_buckets: 8, relative_attention_max_distance: 12, n_positions: 32, dropout_rate: 0.1,
  };
  const loss = (m: Module, s: number): Tensor => {
    manualSeed(300 + s);
    const ids = randint(0, 13, [2, 6]);
    const labels = randint(0, 13, [2, 5]);
    return (m as T5ForConditionalGeneration).forward(ids, { labels }).loss!;
  };
  const enable = (m: Module): void => {
    const t5 = m as T5ForConditionalGeneration;
    t5.encoder.gradientCheckpointing = 1;
    t5.decoder.gradientCheckpointing = 2;
  };
  assertIdentical(train(() => new T5ForConditionalGeneration(config), () => {}, loss), train(() => new T5ForConditionalGeneration(config), enable, loss), "T5");
});

test("GPT refuses a KV cache under checkpointing in training mode, and a bad setting", () => {
  manualSeed(1);
  const m = new GPT(gptConfig);
  m.gradientCheckpointing = 1;
  m.train();
  assert.throws(() => m.forward(randint(0, 29, [1, 3]), { cache: m.newCache() }), ValueError);
  m.eval();
  assert.equal(m.forward(randint(0, 29, [1, 3]), { cache: m.newCache() }).logits.shape[2], 29);
  m.gradientCheckpointing = 1.5;
  m.train();
  assert.throws(() => m.forward(randint(0, 29, [1, 3])), ValueError);
});
