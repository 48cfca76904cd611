/**
 * The storage pool (src/tensor/storage-pool.ts): the autograd engine returns the gradient buffers it
 * has finished with, allocations reuse them, and nothing anyone still holds is ever handed out again —
 * training runs bit-identical with the pool and without it, checkpointing and dropout included, and with
 * uninitialised arrays poisoned (so a reused buffer that an op fails to overwrite would show).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, autograd, manualSeed, nn, optim, randint, randn } from "../../src/index.js";
import { GPT } from "../../src/models/gpt/index.js";
import { allocateUninitialized, setUninitializedPoison } from "../../src/tensor/dtype.js";
import { clearStoragePool, pooledByteCount, setStoragePoolLimit } from "../../src/tensor/storage-pool.js";

test("a backward returns its finished gradient buffers, and an allocation of that size takes one", () => {
  clearStoragePool();
  const x = randn([64, 64]).requiresGrad_();
  x.mul(2).exp().mul(x).sum().backward();
  const held = pooledByteCount();
  assert.ok(held >= 64 * 64 * 4, `pooled ${held} bytes`);
  allocateUninitialized("float32", 64 * 64);
  assert.equal(pooledByteCount(), held - 64 * 64 * 4);
  // The forward's values and the leaf's gradient are not the pool's: they stay as they were.
  const grad = Array.from((x.grad as Tensor).toTypedArray());
  for (let i = 0; i < 8; i++) allocateUninitialized("float32", 64 * 64).fill(7);
  assert.deepEqual(Array.from((x.grad as Tensor).toTypedArray()), grad);
});

test("a buffer of more than a quarter of the limit is left to the GC; smaller ones are pooled", () => {
  clearStoragePool();
  const previous = setStoragePoolLimit(4 * 64 * 64 * 4); // room for four [64, 64] float32 buffers
  try {
    // [64, 64] gradients (a quarter of the limit): pooled.
    const x = randn([64, 64]).requiresGrad_();
    x.mul(2).exp().sum().backward();
    assert.ok(pooledByteCount() > 0);
    // [64, 65] gradients (just over a quarter): not, though the pool has room.
    clearStoragePool();
    const y = randn([64, 65]).requiresGrad_();
    y.mul(2).exp().sum().backward();
    assert.equal(pooledByteCount(), 0);
  } finally {
    setStoragePoolLimit(previous);
    clearStoragePool();
  }
});

test("a retained gradient and a leaf's gradient are never recycled", () => {
  clearStoragePool();
  const x = randn([40, 40]).requiresGrad_();
  const h = x.mul(3).retainGrad();
  h.exp().mul(h).sum().backward();
  const hGrad = Array.from((h.grad as Tensor).toTypedArray());
  const xGrad = Array.from((x.grad as Tensor).toTypedArray());
  assert.ok(pooledByteCount() > 0);
  for (let i = 0; i < 10; i++) allocateUninitialized("float32", 40 * 40).fill(-1);
  assert.deepEqual(Array.from((h.grad as Tensor).toTypedArray()), hGrad);
  assert.deepEqual(Array.from((x.grad as Tensor).toTypedArray()), xGrad);
});

/** A block wide enough (64) for its arrays to be pooled: attention-like mixing and an MLP, with dropout. */
class Block extends nn.Module {
  ln1 = new nn.LayerNorm(64);
  qkv = new nn.Linear(64, 192);
  proj = new nn.Linear(64, 64);
  ln2 = new nn.LayerNorm(64);
  fc1 = new nn.Linear(64, 128);
  fc2 = new nn.Linear(128, 64);
  drop = new nn.Dropout(0.2);

  forward(x: Tensor): Tensor {
    const [q, k, v] = this.qkv.forward(this.ln1.forward(x)).split(64, -1) as [Tensor, Tensor, Tensor];
    const att = this.drop.forward(q.matmul(k.transpose(-2, -1)).mul(0.125).softmax(-1));
    const h = x.add(this.drop.forward(this.proj.forward(att.matmul(v))));
    return h.add(this.drop.forward(this.fc2.forward(this.fc1.forward(this.ln2.forward(h)).gelu())));
  }
}

class Stack extends nn.Module {
  blocks = new nn.ModuleList([new Block(), new Block(), new Block()]);
  head = new nn.Linear(64, 7);

  forward(x: Tensor): Tensor {
    let h = x;
    let i = 0;
    for (const b of this.blocks) h = i++ === 1 ? autograd.checkpoint((y: Tensor) => b.forward(y), h) : b.forward(h);
    return this.head.forward(h);
  }
}

/** Losses and every parameter's gradient over three AdamW steps of `model` on `batch()`. */
function train(make: () => nn.Module, loss: (m: nn.Module) => Tensor): number[][] {
  manualSeed(99);
  const model = make();
  model.train();
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2 });
  const out: number[][] = [];
  for (let step = 0; step < 3; step++) {
    const l = loss(model);
    l.backward();
    out.push(Array.from(l.toTypedArray()));
    for (const p of model.parameters()) out.push(Array.from((p.grad as Tensor).toTypedArray()));
    opt.step();
    opt.zeroGrad();
  }
  return out;
}

const models: [string, () => nn.Module, (m: nn.Module) => Tensor][] = [
  ["a checkpointed stack with dropout", () => new Stack(), (m) => (m as Stack).forward(randn([4, 24, 64])).square().mean()],
  [
    "GPT with dropout 0.1",
    () => new GPT({ vocab_size: 50, n_positions: 32, n_embd: 64, n_layer: 2, n_head: 4, embd_pdrop: 0.1, attn_pdrop: 0.1, resid_pdrop: 0.1 }),
    (m) => {
      const ids = randint(0, 50, [4, 32], { dtype: "int32" });
      return (m as GPT).forward(ids, { targets: randint(0, 50, [4, 32], { dtype: "int32" }) }).loss as Tensor;
    },
  ],
  [
    "a two-layer bidirectional LSTM",
    () => new nn.LSTM(32, 64, { numLayers: 2, bidirectional: true }),
    (m) => (m as nn.LSTM).forward(randn([10, 16, 32]))[0].square().mean(),
  ],
];

for (const [name, make, loss] of models) {
  test(`${name}: three training steps bit-identical with and without the pool, poisoned`, () => {
    const previousLimit = setStoragePoolLimit(0);
    let without: number[][];
    try {
      without = train(make, loss);
    } finally {
      setStoragePoolLimit(previousLimit);
    }
    clearStoragePool();
    const previousPoison = setUninitializedPoison(true);
    try {
      const withPool = train(make, loss);
      assert.ok(pooledByteCount() > 0, "the pool was used");
      assert.deepEqual(withPool, without);
    } finally {
      setUninitializedPoison(previousPoison);
    }
  });
}
