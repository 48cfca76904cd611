/**
 * checkpoint(fn, ...inputs): values and gradients bit-identical to calling fn directly (dropout on,
 * several optimiser steps of a small transformer-like stack), gradcheck through it, nested use,
 * non-tensor and multiple outputs, inputs that do not require grad, captured tensors, and that the
 * forward really keeps no graph.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { autograd, getRngState, manualSeed, nn, noGrad, optim, randn, tensor, type Tensor } from "../../src/index.js";
import { isGradEnabled } from "../../src/autograd/grad-mode.js";

const { checkpoint, gradcheck } = autograd;

function bitsOf(t: Tensor): number[] {
  const c = t.contiguous();
  const v = new Float32Array(c.storage.subarray(c.offset, c.offset + c.size));
  return [...new Uint32Array(v.buffer)];
}

/** A pre-norm transformer-like block: self-attention mixing over T, then an MLP, both with dropout. */
class Block extends nn.Module {
  ln1 = new nn.LayerNorm(16);
  qkv = new nn.Linear(16, 48);
  proj = new nn.Linear(16, 16);
  ln2 = new nn.LayerNorm(16);
  fc1 = new nn.Linear(16, 32);
  fc2 = new nn.Linear(32, 16);
  drop = new nn.Dropout(0.2);

  forward(x: Tensor): Tensor {
    const [q, k, v] = this.qkv.forward(this.ln1.forward(x)).split(16, -1) as [Tensor, Tensor, Tensor]; // (B, T, 16) each
    const att = this.drop.forward(q.matmul(k.transpose(-2, -1)).mul(0.25).softmax(-1)); // (B, T, T)
    const h = x.add(this.drop.forward(this.proj.forward(att.matmul(v))));
    return h.add(this.drop.forward(this.fc2.forward(this.fc1.forward(this.ln2.forward(h)).gelu())));
  }
}

class Stack extends nn.Module {
  blocks = new nn.ModuleList([new Block(), new Block(), new Block()]);
  head = new nn.Linear(16, 5);

  constructor(readonly checkpointEvery: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    let h = x;
    let i = 0;
    for (const b of this.blocks) {
      h = this.checkpointEvery > 0 && i++ % this.checkpointEvery === 0 ? checkpoint((y: Tensor) => b.forward(y), h) : b.forward(h);
    }
    return this.head.forward(h);
  }
}

function trainSteps(checkpointEvery: number, steps: number): { losses: number[][]; grads: number[][][] } {
  manualSeed(1234);
  const model = new Stack(checkpointEvery);
  model.train();
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2 });
  const losses: number[][] = [];
  const grads: number[][][] = [];
  for (let step = 0; step < steps; step++) {
    manualSeed(100 + step);
    const x = randn([2, 6, 16]);
    const target = randn([2, 6, 5]);
    opt.zeroGrad();
    const loss = model.forward(x).sub(target).square().mean();
    loss.backward();
    losses.push(bitsOf(loss));
    grads.push(model.parameters().map((p) => bitsOf(p.grad!)));
    // The RNG must be left where the run without checkpointing leaves it.
    losses.push([...getRngState().s]);
    opt.step();
  }
  return { losses, grads };
}

test("loss and every gradient are bit-identical with and without checkpointing over 3 AdamW steps, dropout on", () => {
  const plain = trainSteps(0, 3);
  for (const every of [1, 2]) {
    const ckpt = trainSteps(every, 3);
    assert.deepEqual(ckpt.losses, plain.losses, `every ${every}: losses`);
    assert.equal(ckpt.grads.length, plain.grads.length);
    ckpt.grads.forEach((g, step) => assert.deepEqual(g, plain.grads[step], `every ${every}: gradients at step ${step}`));
  }
  // The test can fail: dropout really draws (a different seed changes the loss).
  manualSeed(1);
  assert.notDeepEqual(trainSteps(1, 1).losses[0], plain.losses[2]);
});

test("the forward records no graph and runs fn without grad; backward runs it once more with grad", () => {
  const modes: boolean[] = [];
  const x = randn([3, 4], { dtype: "float64", requiresGrad: true });
  const y = checkpoint((a: Tensor) => {
    modes.push(isGradEnabled());
    return a.tanh().mul(a).exp();
  }, x);
  assert.deepEqual(modes, [false]);
  assert.equal(y.gradFn?.name, "CheckpointOutputBackward");
  assert.equal(y.gradFn?.inputs[0]?.gradFn?.name, "CheckpointBackward");
  assert.deepEqual(y.gradFn?.inputs[0]?.gradFn?.inputs, [x]);
  y.sum().backward();
  assert.deepEqual(modes, [false, true]);
  const direct = x.detach().requiresGrad_();
  direct.tanh().mul(direct).exp().sum().backward();
  assert.deepEqual(x.grad!.toArray(), direct.grad!.toArray());
});

test("gradcheck through checkpoint (float64), with a closed-over weight and a non-tensor input", () => {
  manualSeed(3);
  const w = randn([4, 3], { dtype: "float64", requiresGrad: true });
  const x = randn([2, 4], { dtype: "float64", requiresGrad: true });
  const b = randn([3], { dtype: "float64", requiresGrad: true });
  assert.ok(gradcheck((xi, bi) => checkpoint((a: Tensor, scale: number) => a.matmul(w).add(bi!).mul(scale).tanh(), xi!, 0.7), [x, b]));
  assert.ok(gradcheck((wi) => checkpoint((a: Tensor) => a.matmul(wi!).sigmoid(), x), [w]));
});

test("nested checkpoints give bit-identical gradients", () => {
  manualSeed(5);
  const x = randn([3, 8], { requiresGrad: true });
  const w1 = randn([8, 8], { requiresGrad: true });
  const w2 = randn([8, 8], { requiresGrad: true });
  const inner = (h: Tensor): Tensor => nn.functional.dropout(h.matmul(w2).gelu(), 0.3);
  const outer = (h: Tensor): Tensor => checkpoint(inner, h.matmul(w1).tanh()).add(h);
  const run = (useCheckpoint: boolean): number[][] => {
    for (const t of [x, w1, w2]) t.grad = null;
    manualSeed(9);
    const y = useCheckpoint ? checkpoint(outer, x) : outer(x);
    y.square().sum().backward();
    return [bitsOf(y), ...[x, w1, w2].map((t) => bitsOf(t.grad!))];
  };
  const plainRun = (): number[][] => {
    for (const t of [x, w1, w2]) t.grad = null;
    manualSeed(9);
    const y = nn.functional.dropout(x.matmul(w1).tanh().matmul(w2).gelu(), 0.3).add(x);
    y.square().sum().backward();
    return [bitsOf(y), ...[x, w1, w2].map((t) => bitsOf(t.grad!))];
  };
  const expected = plainRun();
  assert.deepEqual(run(false), expected);
  assert.deepEqual(run(true), expected);
});

test("multiple outputs, non-tensor outputs, an output left unused, and inputs that do not require grad", () => {
  manualSeed(7);
  const w = randn([5, 5], { requiresGrad: true });
  const x = randn([2, 5]); // data: no grad
  const fn = (a: Tensor, label: string) => {
    const h = a.matmul(w);
    return { h, parts: [h.relu(), h.sigmoid()], label, count: 2, ids: tensor([1, 2], { dtype: "int32" }) };
  };
  const direct = fn(x, "x");
  direct.parts[0]!.mul(direct.h).sum().add(direct.parts[1]!.sum()).backward();
  const expected = bitsOf(w.grad!);
  w.grad = null;
  const out = checkpoint(fn, x, "x");
  assert.equal(out.label, "x");
  assert.equal(out.count, 2);
  assert.equal(out.ids.requiresGrad, false);
  assert.deepEqual(out.ids.toArray(), [1, 2]);
  out.parts[0]!.mul(out.h).sum().add(out.parts[1]!.sum()).backward();
  assert.deepEqual(bitsOf(w.grad!), expected);
  assert.equal(x.grad, null);
  // Only one of the outputs used: the others get no gradient.
  w.grad = null;
  checkpoint(fn, x, "x").parts[1]!.sum().backward();
  const w2 = w.detach().requiresGrad_();
  x.matmul(w2).sigmoid().sum().backward();
  assert.deepEqual(bitsOf(w.grad!), bitsOf(w2.grad!));
});

test("a tensor computed outside and closed over gets its gradient through the outer graph", () => {
  const x = tensor([0.5, -1, 2], { requiresGrad: true });
  const scale = x.mul(3); // non-leaf, not passed as an input
  const y = checkpoint((a: Tensor) => a.mul(scale).sin(), x);
  y.sum().backward();
  const x2 = x.detach().requiresGrad_();
  x2.mul(x2.mul(3)).sin().sum().backward();
  assert.deepEqual(bitsOf(x.grad!), bitsOf(x2.grad!));
});

test("under noGrad, or with nothing requiring grad, fn simply runs; retainGraph allows a second backward", () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const calls: number[] = [];
  const fn = (a: Tensor): Tensor => {
    calls.push(1);
    return a.exp();
  };
  const y0 = noGrad(() => checkpoint(fn, x));
  assert.equal(y0.requiresGrad, false);
  const y1 = checkpoint(fn, tensor([1, 2]));
  assert.equal(y1.requiresGrad, false);
  assert.equal(calls.length, 2);
  const y = checkpoint(fn, x).sum();
  y.backward(undefined, { retainGraph: true });
  y.backward();
  assert.deepEqual(x.grad!.toArray(), [1, 2, 3].map((v) => 2 * Math.fround(Math.exp(v))));
  assert.throws(() => y.backward(), /second time/);
});

test("a forward that changes shape when run again is a named AutogradError", () => {
  const x = tensor([1, 2, 3, 4], { requiresGrad: true });
  let n = 4;
  const y = checkpoint((a: Tensor) => a.narrow(0, 0, n).exp(), x);
  n = 2;
  assert.throws(() => y.sum().backward(), (e: Error) => e.name === "AutogradError" && /recomputed output 0 is float32 \[2\], the forward gave float32 \[4\]/.test(e.message));
});
