/**
 * The fused scaledDotProductAttention against an independent composition of ops
 * (matmul → scale → mask → softmax → matmul), forward and backward, plus float64 gradchecks.
 * Shapes: B batch, H heads, T query length, S key length, D head dim.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, Tensor, manualSeed, ops, tensor, zeros } from "../../../src/index.js";
import { attentionDropoutKeep } from "../../../src/backend/reference/attention.js";
import { scaledDotProductAttention as sdpa } from "../../../src/nn/functional/attention.js";
import { alibiBias, alibiSlopes } from "../../../src/nn/attention/alibi.js";
import { check, flat, leaf, randn64 } from "../../ops/helpers.js";

/** softmax(q kᵀ · scale + bias) v built from separate ops; boolMask true = keep, causal top-left + offset. */
function composed(q: Tensor, k: Tensor, v: Tensor, opts: { scale?: number; mask?: Tensor; causalOffset?: number; additive?: Tensor } = {}): Tensor {
  const D = q.shape[q.ndim - 1] as number;
  const T = q.shape[q.ndim - 2] as number;
  const S = k.shape[k.ndim - 2] as number;
  let scores = ops.mul(ops.matmul(q, ops.transpose(k, -2, -1)), opts.scale ?? 1 / Math.sqrt(D));
  if (opts.additive) scores = ops.add(scores, opts.additive);
  if (opts.mask) scores = ops.maskedFill(scores, ops.eq(opts.mask, 0), -Infinity);
  if (opts.causalOffset !== undefined) {
    const future = zeros([T, S], { dtype: "bool" });
    for (let i = 0; i < T; i++) for (let j = 0; j < S; j++) future.storage[i * S + j] = j > i + opts.causalOffset ? 1 : 0;
    scores = ops.maskedFill(scores, future, -Infinity);
  }
  return ops.matmul(ops.softmax(scores, -1), v);
}

function assertAllClose(a: Tensor, b: Tensor, tol: number, what: string): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const x = flat(a);
  const y = flat(b);
  for (let i = 0; i < x.length; i++) {
    assert.ok(Math.abs((x[i] as number) - (y[i] as number)) <= tol * (1 + Math.abs(y[i] as number)), `${what}[${i}]: ${x[i]} vs ${y[i]}`);
  }
}

/** Compares values and gradients of q, k, v (and extra leaves) between the fused op and the composition. */
function compare(fused: (...xs: Tensor[]) => Tensor, reference: (...xs: Tensor[]) => Tensor, inputs: Tensor[], tol = 1e-10): void {
  const direction = randn64(fused(...inputs).shape, 99);
  const grads = (fn: (...xs: Tensor[]) => Tensor): { y: Tensor; g: Tensor[] } => {
    for (const x of inputs) x.grad = null;
    const y = fn(...inputs);
    ops.sum(ops.mul(y, direction)).backward();
    return { y: y.detach(), g: inputs.map((x) => x.grad ?? zeros(x.shape, { dtype: "float64" })) };
  };
  const a = grads(fused);
  const b = grads(reference);
  assertAllClose(a.y, b.y, tol, "output");
  a.g.forEach((g, i) => assertAllClose(g, b.g[i] as Tensor, tol, `grad ${i}`));
}

describe("scaledDotProductAttention", () => {
  test("output shapes: [B,H,T,D], [B,T,D], 5-d leading dims, Dv ≠ D", () => {
    assert.deepEqual(sdpa(randn64([2, 3, 4, 5]), randn64([2, 3, 6, 5]), randn64([2, 3, 6, 7])).shape, [2, 3, 4, 7]);
    assert.deepEqual(sdpa(randn64([2, 4, 5]), randn64([2, 6, 5]), randn64([2, 6, 5])).shape, [2, 4, 5]);
    assert.deepEqual(sdpa(randn64([2, 1, 3, 4, 5]), randn64([2, 1, 3, 6, 5]), randn64([2, 1, 3, 6, 2])).shape, [2, 1, 3, 4, 2]);
    const w = sdpa(randn64([2, 3, 4, 5]), randn64([2, 3, 6, 5]), randn64([2, 3, 6, 7]), { returnWeights: true });
    assert.deepEqual(w.weights.shape, [2, 3, 4, 6]);
    assert.deepEqual(w.output.shape, [2, 3, 4, 7]);
  });

  test("rejects mismatched shapes and dtypes", () => {
    assert.throws(() => sdpa(randn64([2, 4, 5]), randn64([2, 6, 4]), randn64([2, 6, 5])), /head dim/);
    assert.throws(() => sdpa(randn64([2, 4, 5]), randn64([2, 6, 5]), randn64([2, 5, 5])), /length/);
    assert.throws(() => sdpa(randn64([2, 4, 5]), randn64([3, 6, 5]), randn64([3, 6, 5])), /broadcast/i);
    assert.throws(() => sdpa(randn64([2, 4, 5]), randn64([2, 6, 5]), randn64([2, 6, 5]), { mask: randn64([5, 6]) }), /broadcast/i);
    assert.throws(() => sdpa(randn64([2, 4, 5]), randn64([2, 6, 5]), randn64([2, 6, 5]), { dropout: 1 }), /dropout/);
  });

  test("matches the composition of ops: plain, scale, T ≠ S", () => {
    compare((q, k, v) => sdpa(q, k, v), (q, k, v) => composed(q, k, v), [leaf([2, 2, 4, 3], 1), leaf([2, 2, 5, 3], 2), leaf([2, 2, 5, 4], 3)]);
    compare((q, k, v) => sdpa(q, k, v, { scale: 0.7 }), (q, k, v) => composed(q, k, v, { scale: 0.7 }), [leaf([2, 3, 3], 4), leaf([2, 3, 3], 5), leaf([2, 3, 3], 6)]);
  });

  test("matches the composition: causal top-left (PyTorch is_causal) and bottom-right (causalOffset = S − T)", () => {
    const inputs = [leaf([2, 2, 3, 3], 7), leaf([2, 2, 5, 3], 8), leaf([2, 2, 5, 3], 9)];
    compare((q, k, v) => sdpa(q, k, v, { isCausal: true }), (q, k, v) => composed(q, k, v, { causalOffset: 0 }), inputs);
    compare((q, k, v) => sdpa(q, k, v, { isCausal: true, causalOffset: 2 }), (q, k, v) => composed(q, k, v, { causalOffset: 2 }), inputs);
  });

  test("matches the composition: boolean padding mask [B,1,1,S] combined with causal, and a [T,S] mask", () => {
    const pad = tensor([[[[1, 1, 1, 0, 0]]], [[[1, 1, 1, 1, 1]]]], { dtype: "bool" });
    const inputs = [leaf([2, 2, 5, 3], 10), leaf([2, 2, 5, 3], 11), leaf([2, 2, 5, 3], 12)];
    compare((q, k, v) => sdpa(q, k, v, { mask: pad }), (q, k, v) => composed(q, k, v, { mask: pad }), inputs);
    compare((q, k, v) => sdpa(q, k, v, { mask: pad, isCausal: true }), (q, k, v) => composed(q, k, v, { mask: pad, causalOffset: 0 }), inputs);
    const m2 = tensor([[1, 0, 1, 1, 0], [1, 1, 0, 1, 1], [0, 1, 1, 1, 1], [1, 1, 1, 0, 1], [1, 0, 0, 0, 1]], { dtype: "bool" });
    compare((q, k, v) => sdpa(q, k, v, { mask: m2 }), (q, k, v) => composed(q, k, v, { mask: m2 }), inputs);
  });

  test("additive float mask gets its gradient (summed over broadcast dims)", () => {
    const bias = leaf([2, 1, 4], 13); // broadcast over B and T: [H, 1, S]
    compare(
      (q, k, v, b) => sdpa(q, k, v, { mask: b as Tensor }),
      (q, k, v, b) => composed(q, k, v, { additive: b as Tensor }),
      [leaf([2, 2, 3, 3], 14), leaf([2, 2, 4, 3], 15), leaf([2, 2, 4, 3], 16), bias],
    );
  });

  test("in-kernel ALiBi equals the materialised alibiBias as an additive mask (values and gradients)", () => {
    const inputs = [leaf([2, 3, 3, 3], 60), leaf([2, 3, 5, 3], 61), leaf([2, 3, 5, 3], 62)];
    const slopes = alibiSlopes(3);
    const pad = tensor([[[[1, 1, 1, 1, 0]]], [[[1, 1, 1, 1, 1]]]], { dtype: "bool" });
    const bias = ops.where(pad, alibiBias(3, 3, 5, { dtype: "float64" }), -Infinity); // offset S − T = 2
    compare(
      (q, k, v) => sdpa(q, k, v, { alibiSlopes: slopes, mask: pad, isCausal: true, causalOffset: 2 }),
      (q, k, v) => composed(q, k, v, { additive: bias, causalOffset: 2 }),
      inputs,
    );
    check((q, k, v) => sdpa(q, k, v, { alibiSlopes: slopes, alibiOffset: 0 }), inputs);
    assert.throws(() => sdpa(inputs[0] as Tensor, inputs[1] as Tensor, inputs[2] as Tensor, { alibiSlopes: [0.5, 0.25] }), /slopes/);
  });

  test("broadcast k/v over heads are read in place and get summed gradients", () => {
    compare((q, k, v) => sdpa(q, k, v), (q, k, v) => composed(q, ops.expand(k, [2, 3, 4, 3]), ops.expand(v, [2, 3, 4, 3])), [
      leaf([2, 3, 2, 3], 17), leaf([2, 1, 4, 3], 18), leaf([2, 1, 4, 3], 19),
    ]);
  });

  test("non-contiguous inputs (transposed views) give the same result", () => {
    const q = leaf([2, 3, 2, 4], 20); // [B,T,H,D] → view [B,H,T,D]
    const k = leaf([2, 5, 2, 4], 21);
    const v = leaf([2, 4, 2, 5], 22); // → [B,H,Dv,S] → transposed to [B,H,S,Dv]: last dim not contiguous
    compare(
      (a, b, c) => sdpa(ops.transpose(a, 1, 2), ops.transpose(b, 1, 2), ops.transpose(ops.transpose(c, 1, 2), 2, 3)),
      (a, b, c) => composed(ops.transpose(a, 1, 2), ops.transpose(b, 1, 2), ops.transpose(ops.transpose(c, 1, 2), 2, 3)),
      [q, k, v],
    );
  });

  test("returned weights are the softmax probabilities and rows sum to 1", () => {
    const q = randn64([2, 2, 3, 3], 23);
    const k = randn64([2, 2, 4, 3], 24);
    const v = randn64([2, 2, 4, 3], 25);
    const { weights } = sdpa(q, k, v, { returnWeights: true, isCausal: true });
    const ref = ops.softmax(ops.maskedFill(ops.mul(ops.matmul(q, ops.transpose(k, -2, -1)), 1 / Math.sqrt(3)), ops.triu(ops.eq(zeros([3, 4]), 0), 1), -Infinity), -1);
    assertAllClose(weights, ref, 1e-12, "weights");
  });

  test("a fully masked query row gives output 0 and zero gradient, others unaffected", () => {
    const mask = tensor([[1, 1, 0], [0, 0, 0]], { dtype: "bool" });
    const q = leaf([2, 3], 26);
    const k = leaf([3, 3], 27);
    const v = leaf([3, 3], 28);
    const y = sdpa(q, k, v, { mask });
    assert.deepEqual(flat(y).slice(3), [0, 0, 0]);
    ops.sum(y).backward();
    assert.deepEqual(flat(q.grad as Tensor).slice(3), [0, 0, 0]);
    assert.ok(flat(q.grad as Tensor).every(Number.isFinite));
  });

  test("gradcheck (float64): causal, padding mask, scale, T ≠ S", () => {
    const pad = tensor([[[[1, 1, 1, 0]]], [[[1, 1, 0, 0]]]], { dtype: "bool" });
    check((q, k, v) => sdpa(q, k, v, { isCausal: true }), [leaf([2, 2, 4, 3], 30), leaf([2, 2, 4, 3], 31), leaf([2, 2, 4, 3], 32)]);
    check((q, k, v) => sdpa(q, k, v, { mask: pad, scale: 0.3 }), [leaf([2, 2, 3, 3], 33), leaf([2, 2, 4, 3], 34), leaf([2, 2, 4, 3], 35)]);
    check((q, k, v) => sdpa(q, k, v, { isCausal: true, causalOffset: 2 }), [leaf([2, 2, 3, 3], 36), leaf([2, 2, 5, 3], 37), leaf([2, 2, 5, 3], 38)]);
    check((q, k, v, b) => sdpa(q, k, v, { mask: b as Tensor }), [leaf([2, 2, 3, 3], 39), leaf([2, 2, 4, 3], 40), leaf([2, 2, 4, 3], 41), leaf([1, 1, 3, 4], 42)]);
  });

  test("dropout: seeded, reproducible in backward (gradcheck with a fixed generator seed)", () => {
    const inputs = [leaf([2, 2, 4, 3], 43), leaf([2, 2, 5, 3], 44), leaf([2, 2, 5, 3], 45)];
    // A fresh generator per call makes every evaluation draw the same mask.
    check((q, k, v) => sdpa(q, k, v, { dropout: 0.3, generator: new Generator(7), isCausal: true }), inputs);
    manualSeed(5);
    const a = flat(sdpa(inputs[0] as Tensor, inputs[1] as Tensor, inputs[2] as Tensor, { dropout: 0.5 }));
    manualSeed(5);
    const b = flat(sdpa(inputs[0] as Tensor, inputs[1] as Tensor, inputs[2] as Tensor, { dropout: 0.5 }));
    const c = flat(sdpa(inputs[0] as Tensor, inputs[1] as Tensor, inputs[2] as Tensor, { dropout: 0.5 }));
    assert.deepEqual(a, b);
    assert.notDeepEqual(b, c);
    const none = flat(sdpa(inputs[0] as Tensor, inputs[1] as Tensor, inputs[2] as Tensor));
    assert.notDeepEqual(a, none);
  });

  test("dropout matches the composition with the same keep mask and drops about p of the weights", () => {
    const [B, H, T, S, p] = [2, 2, 8, 8, 0.25];
    const q = leaf([B, H, T, 3], 46);
    const k = leaf([B, H, S, 3], 47);
    const v = leaf([B, H, S, 3], 48);
    const gen = new Generator(11);
    const seed: [number, number] = [gen.nextUint32(), gen.nextUint32()];
    const keep = zeros([B, H, T, S], { dtype: "float64" });
    let kept = 0;
    for (let i = 0; i < keep.size; i++) {
      const z = attentionDropoutKeep(seed, i, p);
      keep.storage[i] = z ? 1 / (1 - p) : 0;
      kept += z ? 1 : 0;
    }
    assert.ok(Math.abs(kept / keep.size - (1 - p)) < 0.1, `kept fraction ${kept / keep.size}`);
    const reference = (a: Tensor, b: Tensor, c: Tensor): Tensor => {
      const w = ops.softmax(ops.mul(ops.matmul(a, ops.transpose(b, -2, -1)), 1 / Math.sqrt(3)), -1);
      return ops.matmul(ops.mul(w, keep), c);
    };
    compare((a, b, c) => sdpa(a, b, c, { dropout: p, generator: new Generator(11) }), reference, [q, k, v]);
  });

  test("float32 agrees with float64 to float32 precision", () => {
    const q = randn64([2, 2, 4, 8], 50);
    const k = randn64([2, 2, 6, 8], 51);
    const v = randn64([2, 2, 6, 8], 52);
    const y64 = sdpa(q, k, v, { isCausal: true, causalOffset: 2 });
    const y32 = sdpa(ops.to(q, "float32"), ops.to(k, "float32"), ops.to(v, "float32"), { isCausal: true, causalOffset: 2 });
    assert.equal(y32.dtype, "float32");
    assertAllClose(ops.to(y32, "float64"), y64, 1e-5, "float32");
  });
});
