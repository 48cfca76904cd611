/**
 * Self-attention over one packed projection qkv [B, T, 3C] (nn.packedSelfAttention, GPT-2's c_attn
 * layout): the same output and the same qkv gradient as multiHeadAttention on qkv's three column blocks
 * (narrow, so autograd sums three zero-padded gradients), for float64 (gradcheck too), float32 and
 * bfloat16, with causal and padding masks, ALiBi, dropout, an additive mask, and non-contiguous qkv.
 * Shapes: B batch, T positions, H heads, D head dim, C = H·D.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, autocast, manualSeed, nn, ops, tensor } from "../../../src/index.js";
import { check, flat, randn64 } from "../../ops/helpers.js";

type Options = Parameters<typeof nn.packedSelfAttention>[1];

/** The packed path's output and qkv gradient, and the split path's (three narrows of qkv). */
function both(qkv: Tensor, options: Options, weights: Tensor): { packed: [Tensor, Tensor]; split: [Tensor, Tensor] } {
  const C = (qkv.shape[2] as number) / 3;
  const run = (packed: boolean): [Tensor, Tensor] => {
    const x = qkv.detach().requiresGrad_();
    manualSeed(7); // dropout's seed
    const out = packed
      ? nn.packedSelfAttention(x, options).output
      : nn.multiHeadAttention(ops.narrow(x, 2, 0, C), { k: ops.narrow(x, 2, C, C), v: ops.narrow(x, 2, 2 * C, C) }, options).output;
    ops.sum(ops.mul(out.to(weights.dtype), weights)).backward();
    return [out, x.grad as Tensor];
  };
  return { packed: run(true), split: run(false) };
}

function near(a: Tensor, b: Tensor, tol: number, what: string): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const [x, y] = [flat(a.to("float64")), flat(b.to("float64"))];
  x.forEach((v, i) => assert.ok(Math.abs(v - (y[i] as number)) <= tol * (1 + Math.abs(y[i] as number)), `${what}[${i}]: ${v} vs ${y[i]}`));
}

const [B, T, H, D] = [2, 5, 2, 3];
const C = H * D;
const keep = tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], { dtype: "bool" }).reshape([B, 1, 1, T]);

const CASES: [string, Options][] = [
  ["causal", { numHeads: H, isCausal: true }],
  ["padding mask, scale", { numHeads: H, mask: keep, scale: 0.5 }],
  ["causal + ALiBi", { numHeads: H, isCausal: true, alibiSlopes: [0.5, 0.25] }],
  ["causal + dropout 0.3", { numHeads: H, isCausal: true, dropout: 0.3 }],
];

describe("packedSelfAttention", () => {
  test("float64: the split path's output and qkv gradient, every case; gradcheck", () => {
    const weights = randn64([B, T, C], 2);
    for (const [name, options] of CASES) {
      const { packed, split } = both(randn64([B, T, 3 * C], 1), options, weights);
      near(packed[0], split[0], 1e-12, `${name}: output`);
      near(packed[1], split[1], 1e-12, `${name}: qkv gradient`);
    }
    const qkv = randn64([B, T, 3 * C], 3).requiresGrad_();
    check((x) => nn.packedSelfAttention(x, { numHeads: H, isCausal: true, mask: keep }).output, [qkv]);
  });

  test("an additive mask and a non-contiguous qkv (a transposed view) give the split path's values", () => {
    const weights = randn64([B, T, C], 5);
    const additive = randn64([1, H, T, T], 6);
    const source = randn64([B, 3 * C, T], 4);
    const qkv = ops.transpose(source, 1, 2); // [B, T, 3C], not contiguous
    const { packed, split } = both(qkv, { numHeads: H, mask: additive }, weights);
    near(packed[0], split[0], 1e-12, "output");
    near(packed[1], split[1], 1e-12, "qkv gradient");
  });

  test("float32 and bfloat16 (under autocast and as bf16 input) match the split path", () => {
    const weights = randn64([B, T, C], 8).to("float32");
    const qkv32 = randn64([B, T, 3 * C], 9).to("float32");
    const f32 = both(qkv32, CASES[0]![1], weights);
    near(f32.packed[0], f32.split[0], 1e-6, "float32 output");
    near(f32.packed[1], f32.split[1], 1e-6, "float32 qkv gradient");
    // bf16 operands: both paths run the same kernels on the same bits, so the bits agree.
    const bf = both(qkv32.to("bfloat16"), CASES[0]![1], weights);
    assert.equal(bf.packed[0].dtype, "bfloat16");
    assert.deepEqual(flat(bf.packed[0].to("float32")), flat(bf.split[0].to("float32")), "bf16 output");
    near(bf.packed[1], bf.split[1], 1e-2, "bf16 qkv gradient");
    const cast = autocast("bfloat16", () => nn.packedSelfAttention(qkv32, CASES[0]![1]).output);
    assert.equal(cast.dtype, "bfloat16");
    assert.deepEqual(flat(cast.to("float32")), flat(bf.packed[0].to("float32")), "autocast output");
  });

  test("captured attention weights are recorded (the general path), and bad shapes name the op", () => {
    const qkv = randn64([B, T, 3 * C], 10);
    const { result, attentions } = nn.captureAttention(() => nn.packedSelfAttention(qkv, { numHeads: H, isCausal: true }).output);
    assert.equal(attentions.length, 1);
    assert.deepEqual(attentions[0]!.weights.shape, [B, H, T, T]);
    near(result, nn.packedSelfAttention(qkv, { numHeads: H, isCausal: true }).output, 1e-12, "captured output");
    assert.throws(() => nn.packedSelfAttention(randn64([B, T, 3 * C + 1], 1), { numHeads: H }), /packed qkv must be \[B, T, 3C\]/);
    assert.throws(() => nn.packedSelfAttention(randn64([B, T, 9], 1), { numHeads: 2 }), /C divisible by 2 heads/);
  });
});
