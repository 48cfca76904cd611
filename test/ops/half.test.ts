/**
 * Ops on float16/bfloat16 tensors compute in float32 and round the result once, as PyTorch's CPU
 * kernels do: each op's half result (and the half input's gradient) equals the float32 op on the
 * widened inputs rounded to half, bit for bit (attention with bf16 products within bf16 rounding). Type promotion and the DTypeErrors of ops that need one
 * dtype; the bf16 GEMM path of matmul/addmm (where the backend has one) within one bf16 rounding of the
 * float32 computation.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, Tensor, manualSeed, ops, randn, randint, tensor } from "../../src/index.js";
import { Generator } from "../../src/tensor/rng.js";
import { getBackend } from "../../src/backend/index.js";
import type { HalfDType } from "../../src/tensor/dtype.js";
import { layerNorm } from "../../src/nn/functional/layer-norm.js";
import { rmsNorm } from "../../src/nn/functional/rms-norm.js";
import { embedding } from "../../src/nn/functional/embedding.js";
import { scaledDotProductAttention } from "../../src/nn/functional/attention.js";
import { dropout } from "../../src/nn/functional/dropout.js";
import { crossEntropy } from "../../src/losses/classification.js";

const HALVES: HalfDType[] = ["bfloat16", "float16"];

function bits(t: Tensor): number[] {
  return [...t.contiguousValues()];
}

type Op = (...xs: Tensor[]) => Tensor;

/**
 * Whether this backend runs bfloat16 attention with bf16 products (the native backend's
 * `bf16Attention`: P̃ and dS rounded to bf16 before their products, as torch.autocast), so that it is
 * within bf16 rounding of the float32 op rather than its bits.
 */
function bf16AttentionProducts(dtype: HalfDType): boolean {
  return dtype === "bfloat16" && (getBackend() as { bf16Attention?: boolean }).bf16Attention === true;
}

/** |got − want| ≤ 2⁻⁶·max|want| elementwise (a product of operands rounded to bf16, then rounded itself). */
function withinBf16Products(got: Tensor, want: Tensor, what: string): void {
  const g = ops.to(got, "float32").contiguousValues();
  const w = want.contiguousValues();
  let scale = 0;
  for (let j = 0; j < w.length; j++) scale = Math.max(scale, Math.abs(w[j]!));
  for (let j = 0; j < w.length; j++) assert.ok(Math.abs(g[j]! - w[j]!) <= 2 ** -6 * scale, `${what}[${j}]: ${g[j]} vs ${w[j]}`);
}

/**
 * Runs `op` on half inputs and on their float32 widenings: the half output must equal the float32
 * output rounded to half, and each half input's gradient the float32 gradient rounded to half. With
 * "bf16 products" (attention on a backend that multiplies bf16 operands as bf16), both are within
 * bf16 rounding of the float32 results instead.
 */
function checkOp(name: string, shapes: number[][], op: Op, dtype: HalfDType, gradient: "exact" | "composed" | "bf16 products" = "exact"): void {
  const halves = shapes.map((s) => ops.to(randn(s), dtype).requiresGrad_());
  const wides = halves.map((h) => ops.to(h.detach(), "float32").requiresGrad_());
  const yh = op(...halves);
  const yw = op(...wides);
  assert.equal(yh.dtype, dtype, `${name}: result dtype`);
  if (gradient === "bf16 products") withinBf16Products(yh, yw, `${name} (${dtype}): forward`);
  else assert.deepEqual(bits(yh), bits(ops.to(yw, dtype)), `${name} (${dtype}): forward`);
  const g = ops.to(randn([...yh.shape]), dtype);
  yh.backward(g);
  yw.backward(ops.to(g, "float32"));
  halves.forEach((h, i) => {
    assert.equal(h.grad?.dtype, dtype, `${name}: grad dtype`);
    const expected = ops.to(wides[i]!.grad!, dtype);
    // −0 and +0 count as one gradient value: a float32 sum like −1e−9 + 0 + 0 rounds to half −0, while
    // the half path rounds each part first (−1e−9 → −0) and then adds them (−0 + 0 = +0), as PyTorch's
    // half autograd would.
    const unsignedZero = (t: Tensor): number[] => bits(t).map((b) => (b === 0x8000 ? 0 : b));
    if (gradient === "exact") assert.deepEqual(unsignedZero(h.grad!), unsignedZero(expected), `${name} (${dtype}): gradient of input ${i}`);
    else if (gradient === "bf16 products") withinBf16Products(h.grad!, wides[i]!.grad!, `${name} (${dtype}): gradient of input ${i}`);
    else {
      // A backward rule made of several half ops rounds after each (as PyTorch's autograd formulas do):
      // within a few half ulps of the float32 gradient.
      const ulp = dtype === "bfloat16" ? 2 ** -8 : 2 ** -11;
      const got = ops.to(h.grad!, "float32").contiguousValues();
      const want = wides[i]!.grad!.contiguousValues();
      for (let j = 0; j < want.length; j++) assert.ok(Math.abs(got[j]! - want[j]!) <= 4 * ulp * Math.abs(want[j]!) + 1e-30, `${name}: grad ${i}[${j}] ${got[j]} vs ${want[j]}`);
    }
  });
}

for (const dtype of HALVES) {
  test(`elementwise, unary, reductions, softmax, norms, losses on ${dtype} equal float32 rounded once`, () => {
    manualSeed(11);
    checkOp("add", [[3, 5], [5]], (a, b) => ops.add(a!, b!), dtype);
    checkOp("mul", [[3, 5], [3, 5]], (a, b) => ops.mul(a!, b!), dtype, "composed");
    checkOp("div", [[4, 4], [4, 4]], (a, b) => ops.div(a!, b!), dtype, "composed");
    checkOp("mul by scalar", [[6]], (a) => ops.mul(a!, 0.1), dtype);
    checkOp("neg", [[2, 7]], (a) => ops.neg(a!), dtype);
    checkOp("exp", [[2, 7]], (a) => ops.exp(a!), dtype);
    checkOp("tanh", [[2, 7]], (a) => ops.tanh(a!), dtype);
    checkOp("gelu", [[4, 9]], (a) => ops.gelu(a!, { approximate: "tanh" }), dtype);
    checkOp("sum dim", [[3, 4, 5]], (a) => ops.sum(a!, 1), dtype);
    checkOp("mean", [[6, 5]], (a) => ops.mean(a!), dtype);
    checkOp("amax", [[6, 5]], (a) => ops.amax(a!, 1), dtype);
    checkOp("softmax", [[3, 8]], (a) => ops.softmax(a!, -1), dtype);
    checkOp("logSoftmax", [[3, 8]], (a) => ops.logSoftmax(a!, -1), dtype);
    checkOp("layerNorm", [[4, 8], [8], [8]], (x, w, b) => layerNorm(x!, [8], w!, b!), dtype);
    checkOp("rmsNorm", [[4, 8], [8]], (x, w) => rmsNorm(x!, [8], w!, 1e-6), dtype);
    checkOp("matmul", [[2, 3, 8], [8, 5]], (a, b) => ops.matmul(a!, b!), dtype);
    const attention = bf16AttentionProducts(dtype) ? "bf16 products" : "exact";
    checkOp("attention", [[2, 5, 4], [2, 5, 4], [2, 5, 4]], (q, k, v) => scaledDotProductAttention(q!, k!, v!, { isCausal: true }), dtype, attention);
    checkOp("gelu exact", [[3, 37]], (a) => ops.gelu(a!), dtype);
    checkOp("dropout", [[5, 41]], (a) => dropout(a!, 0.3, true, { generator: new Generator(8) }), dtype);
    // The half attention path: the heads of one fused [B, T, 3·H·D] projection, as GPT's attention
    // sees them — q, k and v permuted views of one buffer, which the path widens once and reads in
    // place — with a boolean padding mask and dropout (a fresh generator per call, so both runs draw
    // one mask).
    const keep = ops.gt(randn([2, 1, 1, 5]), -1);
    checkOp("attention on head views, mask, dropout", [[2, 5, 24]], (x) => {
      const heads = ops.permute(ops.reshape(x!, [2, 5, 3, 2, 4]), [2, 0, 3, 1, 4]); // [3, B, H, T, D]
      const [q, k, v] = [0, 1, 2].map((i) => ops.select(heads, 0, i));
      const out = scaledDotProductAttention(q!, k!, v!, { isCausal: true, mask: keep, dropout: 0.2, generator: new Generator(3) });
      return ops.reshape(ops.permute(out, [0, 2, 1, 3]), [2, 5, 8]); // [B, T, H·D]
    }, dtype, attention);
    checkOp("transpose + reshape + cat", [[3, 4], [3, 4]], (a, b) => ops.reshape(ops.cat([ops.transpose(a!, 0, 1), ops.transpose(b!, 0, 1)], 0), [-1]), dtype);
    const ids = randint(0, 10, [2, 3]);
    checkOp("embedding", [[10, 4]], (w) => embedding(ids, w!), dtype);
    const target = randint(0, 7, [5]);
    checkOp("crossEntropy", [[5, 7]], (x) => crossEntropy(x!, target), dtype);
  });
}

test("float32 ⊕ bfloat16 of one shape (a residual stream plus a bf16 branch) equals the op on the widened operand, value and gradients", () => {
  manualSeed(12);
  for (const [name, op] of [["add", ops.add], ["sub", ops.sub], ["mul", ops.mul], ["div", ops.div]] as const) {
    for (const halfFirst of [false, true]) {
      const wide = randn([6, 33]).requiresGrad_();
      const half = ops.to(randn([6, 33]), "bfloat16").requiresGrad_();
      const widened = ops.to(half.detach(), "float32").requiresGrad_();
      const y = halfFirst ? op(half, wide) : op(wide, half);
      const wideCopy = wide.detach().requiresGrad_();
      const expected = halfFirst ? op(widened, wideCopy) : op(wideCopy, widened);
      assert.equal(y.dtype, "float32");
      assert.deepEqual(bits(y), bits(expected), `${name} (bf16 first: ${halfFirst})`);
      const g = randn([6, 33]);
      y.backward(g);
      expected.backward(g);
      assert.deepEqual(bits(wide.grad!), bits(wideCopy.grad!), `${name}: float32 operand's gradient`);
      assert.equal(half.grad?.dtype, "bfloat16");
      assert.deepEqual(bits(half.grad!), bits(ops.to(widened.grad!, "bfloat16")), `${name}: bf16 operand's gradient`);
    }
  }
});

test("promotion as PyTorch: half ⊕ float32 → float32, half ⊕ number stays half, float16 ⊕ bfloat16 → float32", () => {
  const b = tensor([1, 2, 3], { dtype: "bfloat16" });
  const h = tensor([1, 2, 3], { dtype: "float16" });
  assert.equal(ops.add(b, tensor([1, 1, 1])).dtype, "float32");
  assert.equal(ops.mul(b, 0.1).dtype, "bfloat16");
  assert.equal(ops.add(b, tensor(0.5)).dtype, "bfloat16");
  assert.equal(ops.add(h, b).dtype, "float32");
  assert.equal(ops.div(h, 3).dtype, "float16");
  assert.equal(ops.where(ops.gt(b, 1.5), b, 0).dtype, "bfloat16");
  assert.deepEqual(ops.where(ops.gt(b, 1.5), b, -1).toArray(), [-1, 2, 3]);
  // A number keeps float32 precision inside (opmath): 3 · 0.1 rounds once, to bf16(0.3).
  assert.deepEqual(ops.mul(tensor([3], { dtype: "bfloat16" }), 0.1).toArray(), ops.to(tensor([Math.fround(3 * Math.fround(0.1))]), "bfloat16").toArray());
});

test("ops that need one dtype name the dtypes in a DTypeError", () => {
  const b = tensor([[1, 2], [3, 4]], { dtype: "bfloat16" });
  const f = tensor([[1, 2], [3, 4]]);
  assert.throws(() => ops.matmul(b, f), (e: unknown) => e instanceof DTypeError && /matmul: expected operands of one dtype, got bfloat16, float32/.test(e.message));
  assert.throws(() => ops.addmm(tensor([1, 2]), b, b), DTypeError);
  assert.throws(() => ops.linear(b, f), DTypeError);
  assert.throws(() => scaledDotProductAttention(b, f, f), DTypeError);
});

test("bf16 matmul and addmm (bf16 GEMM where the backend has one) are within one bf16 rounding of the float32 product", () => {
  manualSeed(5);
  const a = ops.to(randn([3, 17, 40]), "bfloat16");
  const w = ops.to(randn([24, 40]), "bfloat16");
  const bias = ops.to(randn([24]), "bfloat16");
  const exact = (x: Tensor): Float32Array => ops.to(x, "float32").contiguousValues() as Float32Array;
  const check = (got: Tensor, want: Tensor, what: string): void => {
    assert.equal(got.dtype, "bfloat16");
    const g = exact(got);
    const e = want.contiguousValues() as Float32Array;
    for (let i = 0; i < e.length; i++) {
      // float32 sums in another order round to the same bf16 or a neighbour: within 2^-7 relative.
      assert.ok(Math.abs(g[i]! - e[i]!) <= Math.abs(e[i]!) * 2 ** -7 + 1e-6, `${what}[${i}]: ${g[i]} vs ${e[i]} on ${getBackend().name}`);
    }
  };
  const a32 = ops.to(a, "float32");
  const w32 = ops.to(w, "float32");
  check(ops.linear(a, w, bias), ops.linear(a32, w32, ops.to(bias, "float32")), "linear");
  check(ops.matmul(a, ops.transpose(w, 0, 1)), ops.matmul(a32, ops.transpose(w32, 0, 1)), "matmul transB");
  check(ops.matmul(ops.transpose(a, 1, 2), a), ops.matmul(ops.transpose(a32, 1, 2), a32), "matmul transA");
  check(ops.matmul(a, ops.transpose(a, 1, 2)), ops.matmul(a32, ops.transpose(a32, 1, 2)), "batched");
});

test("where the backend has half row kernels, layerNorm and softmax of half tensors run on them, without a float32 copy", () => {
  const be = getBackend();
  if (!be.layerNormForwardHalf || !be.softmaxForwardHalf) return; // the wasm and reference backends widen instead
  const calls: string[] = [];
  const { layerNormForwardHalf, softmaxForwardHalf } = be;
  be.layerNormForwardHalf = (...args) => { calls.push(`layerNorm ${args[0]}`); layerNormForwardHalf.apply(be, args); };
  be.softmaxForwardHalf = (...args) => { calls.push(`softmax ${args[0]}`); softmaxForwardHalf.apply(be, args); };
  try {
    for (const dtype of HALVES) {
      const x = ops.to(randn([5, 8]), dtype);
      layerNorm(x, [8], ops.to(randn([8]), dtype), ops.to(randn([8]), dtype));
      ops.softmax(x, -1);
    }
  } finally {
    be.layerNormForwardHalf = layerNormForwardHalf;
    be.softmaxForwardHalf = softmaxForwardHalf;
  }
  assert.deepEqual(calls, ["layerNorm bfloat16", "softmax bfloat16", "layerNorm float16", "softmax float16"]);
});
