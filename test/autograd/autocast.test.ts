/**
 * autocast (torch.autocast semantics): matrix products run in the scope's half dtype on casts of their
 * float32 operands, float32-only ops (norms, softmax, reductions, losses) cast half inputs up, gradients
 * reach the float32 parameters in float32, and a parameter is cast once per scope.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, ValueError, autocast, manualSeed, nn, ops, randn, randint, tensor } from "../../src/index.js";
import { layerNorm } from "../../src/nn/functional/layer-norm.js";
import { crossEntropy } from "../../src/losses/classification.js";
import { GPT } from "../../src/models/gpt/model.js";

function bits(t: Tensor): number[] {
  return [...t.contiguousValues()];
}

for (const dtype of ["bfloat16", "float16"] as const) {
  test(`Linear under autocast(${dtype}) equals the product of half casts; gradients float32 on the masters`, () => {
    manualSeed(1);
    const layer = new nn.Linear(6, 4);
    const x = randn([3, 6]);
    const y = autocast(dtype, () => layer.forward(x));
    assert.equal(y.dtype, dtype);
    const w = layer.weight.detach().requiresGrad_();
    const b = layer.bias!.detach().requiresGrad_();
    const manual = ops.linear(ops.to(x, dtype), ops.to(w, dtype), ops.to(b, dtype));
    assert.deepEqual(bits(y), bits(manual));
    const g = ops.to(randn([3, 4]), dtype);
    y.backward(g);
    manual.backward(g);
    assert.equal(layer.weight.grad?.dtype, "float32");
    assert.deepEqual(bits(layer.weight.grad!), bits(w.grad!));
    assert.deepEqual(bits(layer.bias!.grad!), bits(b.grad!));
  });
}

test("float32 ops under autocast: softmax, layerNorm, sum and crossEntropy of half inputs give float32", () => {
  manualSeed(2);
  const h = ops.to(randn([4, 5]), "bfloat16");
  autocast("bfloat16", () => {
    assert.equal(ops.softmax(h, -1).dtype, "float32");
    assert.equal(layerNorm(h, [5]).dtype, "float32");
    assert.equal(ops.sum(h).dtype, "float32");
    assert.equal(crossEntropy(h, randint(0, 5, [4])).dtype, "float32");
    assert.deepEqual(bits(ops.softmax(h, -1)), bits(ops.softmax(ops.to(h, "float32"), -1)));
    // Elementwise ops follow promotion: half + float32 is float32.
    assert.equal(ops.add(h, randn([4, 5])).dtype, "float32");
  });
  // Outside a scope the same ops keep half.
  assert.equal(ops.softmax(h, -1).dtype, "bfloat16");
});

test("a parameter used twice in one scope is cast once (the scope's cast cache); nested enabled:false runs float32", () => {
  manualSeed(3);
  const layer = new nn.Linear(4, 4, { bias: false });
  const x = randn([2, 4]);
  const y = autocast("bfloat16", () => layer.forward(layer.forward(x)));
  // Walk the graph: every cast node reading the weight.
  const seen = new Set<unknown>();
  let weightCasts = 0;
  const stack: Tensor[] = [y];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const node = t.gradFn;
    if (!node || seen.has(node)) continue;
    seen.add(node);
    if (node.name === "to" && node.inputs[0] === layer.weight) weightCasts++;
    stack.push(...node.inputs);
  }
  assert.equal(weightCasts, 1);
  const inner = autocast("bfloat16", () => autocast("bfloat16", () => layer.forward(x), { enabled: false }));
  assert.equal(inner.dtype, "float32");
  assert.throws(() => autocast("float64" as never, () => 0), ValueError);
});

test("crossEntropy of bfloat16 logits under autocast: the float32 loss of the widened logits, the gradient rounded to bf16", () => {
  manualSeed(6);
  for (const weighted of [false, true]) {
    const logits = ops.to(randn([9, 13]), "bfloat16").requiresGrad_();
    const widened = ops.to(logits.detach(), "float32").requiresGrad_();
    const target = tensor([0, 3, 12, 5, -100, 7, 1, 1, 2], { dtype: "int32" });
    const options = { ignoreIndex: -100, ...(weighted ? { weight: ops.add(randn([13]), 3) } : {}) };
    const loss = autocast("bfloat16", () => crossEntropy(logits, target, options));
    const expected = crossEntropy(widened, target, options);
    assert.equal(loss.dtype, "float32");
    assert.deepEqual(bits(loss), bits(expected));
    loss.backward();
    expected.backward();
    assert.equal(logits.grad?.dtype, "bfloat16");
    assert.deepEqual(bits(logits.grad!), bits(ops.to(widened.grad!, "bfloat16")));
  }
});

test("an activation read by several products is converted once but cast per use, each use's gradient widened on its own", () => {
  manualSeed(5);
  const a = new nn.Linear(6, 5);
  const b = new nn.Linear(6, 3);
  const x = randn([4, 6]).requiresGrad_();
  const h = ops.tanh(x); // an activation (not a leaf)
  const [ya, yb] = autocast("bfloat16", () => [a.forward(h), b.forward(h)]);
  // The casts of h in each output's graph.
  const castsOf = (y: Tensor): Tensor[] => {
    const found: Tensor[] = [];
    const stack = [y];
    const seen = new Set<unknown>();
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (!t.gradFn || seen.has(t.gradFn)) continue;
      seen.add(t.gradFn);
      if (t.gradFn.name === "to" && t.gradFn.inputs[0] === h) found.push(t);
      else stack.push(...t.gradFn.inputs);
    }
    return found;
  };
  const [ca, cb] = [castsOf(ya!), castsOf(yb!)];
  assert.equal(ca.length, 1);
  assert.equal(cb.length, 1);
  assert.notEqual(ca[0]!.gradFn, cb[0]!.gradFn, "one recorded cast per use");
  assert.equal(ca[0]!.storage, cb[0]!.storage, "sharing one converted storage");
  ops.add(ops.sum(ya!), ops.sum(yb!)).backward();
  // The same with an explicit cast per use.
  const x2 = x.detach().requiresGrad_();
  const h2 = ops.tanh(x2);
  const wa = a.weight.detach(), ba = a.bias!.detach(), wb = b.weight.detach(), bb = b.bias!.detach();
  const half = (t: Tensor): Tensor => ops.to(t, "bfloat16");
  const za = ops.linear(half(h2), half(wa), half(ba));
  const zb = ops.linear(half(h2), half(wb), half(bb));
  ops.add(ops.sum(za), ops.sum(zb)).backward();
  assert.deepEqual(bits(x.grad!), bits(x2.grad!));
});

test("a GPT step under autocast(bfloat16): float32 loss near the float32 one, float32 gradients on every parameter", () => {
  manualSeed(4);
  const model = new GPT({ vocab_size: 32, n_positions: 16, n_embd: 16, n_layer: 2, n_head: 2, embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 });
  const ids = randint(0, 32, [2, 8]);
  const ref = model.forward(ids, { targets: ids }).loss!;
  const { loss } = autocast("bfloat16", () => model.forward(ids, { targets: ids }));
  assert.equal(loss!.dtype, "float32");
  assert.ok(Math.abs(loss!.item() - ref.item()) < 0.02, `${loss!.item()} vs ${ref.item()}`);
  const ref32 = new Map([...model.namedParameters()].map(([n]) => [n, [] as number[]]));
  ref.backward();
  for (const [name, p] of model.namedParameters()) ref32.set(name, [...p.grad!.contiguousValues()]);
  model.zeroGrad();
  loss!.backward();
  for (const [name, p] of model.namedParameters()) {
    assert.equal(p.grad?.dtype, "float32", name);
    // Gradients through bf16 products point where the float32 ones do (cosine > 0.99).
    const a = [...p.grad!.contiguousValues()];
    const b = ref32.get(name)!;
    const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
    const cos = dot / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
    assert.ok(cos > 0.99, `${name}: cosine ${cos}`);
  }
});

test("gradients into half tensors from float32 ops, half accumulation and a half root are converted by value", () => {
  const h = tensor([0.5, -1.25, 3], { dtype: "bfloat16", requiresGrad: true });
  // add(float32, bfloat16) is float32: h's gradient arrives as float32 and is rounded to bfloat16.
  ops.sum(ops.mul(ops.add(tensor([1, 2, 3]), h), tensor([0.1, 0.2, 0.3]))).backward();
  assert.equal(h.grad?.dtype, "bfloat16");
  assert.deepEqual(h.grad?.toArray(), ops.to(tensor([0.1, 0.2, 0.3]), "bfloat16").toArray());
  const k = tensor([1, 2], { dtype: "float16", requiresGrad: true });
  ops.sum(ops.add(ops.mul(k, 3), ops.mul(k, 0.5))).backward(); // a half root, two half contributions
  assert.deepEqual(k.grad?.toArray(), [3.5, 3.5]);
});

test("Module.to(bfloat16) makes a pure half model (PyTorch's model.bfloat16()): half logits near the float32 ones", () => {
  manualSeed(5);
  const model = new GPT({ vocab_size: 32, n_positions: 16, n_embd: 16, n_layer: 1, n_head: 2, embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 });
  const ids = randint(0, 32, [1, 6]);
  const ref = model.forward(ids).logits;
  model.to("bfloat16");
  for (const p of model.parameters()) assert.equal(p.dtype, "bfloat16");
  const logits = model.forward(ids).logits;
  assert.equal(logits.dtype, "bfloat16");
  const a = ops.to(logits, "float32").contiguousValues();
  const b = ref.contiguousValues();
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 0.05, `${a[i]} vs ${b[i]}`);
});
