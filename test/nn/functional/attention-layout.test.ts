/**
 * scaledDotProductAttention on permuted views (GPT's heads: q = transpose(reshape(x, [B, T, H, D]), 1, 2)
 * of a [B, T, C] tensor, C = H·D): the output comes back as a [B, H, T, D] view of [B, T, H, D]
 * storage, so transpose + reshape to [B, T, C] is a view; the backward reads the incoming (transposed)
 * gradient in place and returns q/k/v gradients with q/k/v's strides. Values and gradients must equal
 * those of the same inputs made contiguous first, on the reference backend and the WebAssembly one (one
 * and two threads), including broadcast k/v and a boolean mask.
 */
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, Tensor, ops, randn, setBackend, getBackend } from "../../../src/index.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { createWasmBackend } from "../../../src/backend/wasm/index.js";
import { scaledDotProductAttention as sdpa, type ScaledDotProductAttentionOptions } from "../../../src/nn/functional/attention.js";

const original = getBackend();
afterEach(() => {
  setBackend(original);
});

function randn32(shape: readonly number[], seed: number): Tensor {
  return randn(shape, { dtype: "float32", generator: new Generator(seed) });
}

function assertClose(a: Tensor, b: Tensor, tol: number, what: string): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  for (let i = 0; i < x.length; i++) {
    const e = y[i] as number;
    if (!(Math.abs((x[i] as number) - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}[${i}]: ${x[i]} vs ${e}`);
  }
}

interface Run {
  y: Tensor;
  grads: Tensor[];
}

/**
 * y = reshape(transpose(sdpa(heads(xq), heads(xk), heads(xv)), 1, 2), [B, T, C]) and the gradients of
 * Σ y ⊙ w with respect to the [B, T, C] (or, for kvBatch 1, [1, S, C]) leaves; `dense` makes q, k, v
 * contiguous before the op (the plain layout to compare against).
 */
function run(B: number, T: number, S: number, H: number, D: number, kvBatch: number, dense: boolean, options: ScaledDotProductAttentionOptions): Run {
  const C = H * D;
  const xq = randn32([B, T, C], 1).requiresGrad_();
  const xk = randn32([kvBatch, S, C], 2).requiresGrad_();
  const xv = randn32([kvBatch, S, C], 3).requiresGrad_();
  const w = randn32([B, T, C], 4);
  const heads = (x: Tensor, len: number): Tensor => {
    const h = ops.transpose(ops.reshape(x, [x.shape[0] as number, len, H, D]), 1, 2); // [·, H, len, D]
    return dense ? ops.contiguous(h) : h;
  };
  const att = sdpa(heads(xq, T), heads(xk, S), heads(xv, S), options); // [B, H, T, D]
  const y = ops.reshape(ops.transpose(att, 1, 2), [B, T, C]); // [B, T, C]
  ops.sum(ops.mul(y, w)).backward();
  return { y, grads: [xq.grad as Tensor, xk.grad as Tensor, xv.grad as Tensor] };
}

const backends: [string, () => void][] = [
  ["reference", () => setBackend(new ReferenceBackend())],
  ["wasm, 1 thread", () => setBackend(createWasmBackend({ threads: 1 }))],
  ["wasm, 2 threads", () => setBackend(createWasmBackend({ threads: 2, parallelMinWork: 0 }))],
];

for (const [name, use] of backends) {
  describe(`scaledDotProductAttention on head views (${name})`, () => {
    test("output is a [B, H, T, D] view of [B, T, H, D] storage; transpose + reshape back is a view", () => {
      use();
      const [B, T, H, D] = [2, 5, 3, 4];
      const x = randn32([B, T, H * D], 9);
      const q = ops.transpose(ops.reshape(x, [B, T, H, D]), 1, 2);
      const att = sdpa(q, q, q, { isCausal: true });
      assert.deepEqual(att.strides, [T * H * D, D, H * D, 1]);
      const y = ops.reshape(ops.transpose(att, 1, 2), [B, T, H * D]);
      assert.equal(y.storage, att.storage, "reshape(transpose(att)) copied");
      assert.ok(y.isContiguous());
    });

    test("gradients come back in q, k, v's own layout, read from a transposed incoming gradient", () => {
      use();
      const [B, T, H, D] = [2, 6, 2, 3];
      const xs = [1, 2, 3].map((s) => randn32([B, T, H * D], s));
      const [q, k, v] = xs.map((x) => ops.transpose(ops.reshape(x.requiresGrad_(), [B, T, H, D]), 1, 2)) as [Tensor, Tensor, Tensor];
      const att = sdpa(q, k, v, { isCausal: true });
      // The gradient as it arrives in GPT: the transpose of a contiguous [B, T, H, D] tensor.
      const g = ops.transpose(randn32([B, T, H, D], 5), 1, 2);
      const grads = att.gradFn?.apply(g) ?? [];
      for (const [i, input] of [q, k, v].entries()) assert.deepEqual(grads[i]?.strides, input.strides, `grad ${i} strides`);
      // Same values as from a contiguous incoming gradient.
      const again = sdpa(q, k, v, { isCausal: true }).gradFn?.apply(ops.contiguous(g)) ?? [];
      for (let i = 0; i < 3; i++) assertClose(grads[i] as Tensor, again[i] as Tensor, 1e-6, `grad ${i}`);
    });

    for (const [label, B, T, S, H, D, kvBatch, options] of [
      ["causal, odd sizes", 2, 17, 17, 3, 5, 2, { isCausal: true }],
      ["causal with an offset (cached decoding), D = 1", 1, 3, 33, 2, 1, 1, { isCausal: true, causalOffset: 30 }],
      ["non-causal, k/v broadcast over the batch, T = 1", 3, 1, 65, 2, 17, 1, {}],
      ["causal + key-padding mask", 2, 9, 9, 2, 8, 2, { isCausal: true }],
    ] as const) {
      test(`values and gradients equal the contiguous layout's: ${label}`, () => {
        use();
        const opts: ScaledDotProductAttentionOptions = { ...options };
        if (label.includes("mask")) {
          // Batch b keeps its first S − 1 − b keys (bool storage is bytes).
          opts.mask = new Tensor(Uint8Array.from({ length: B * S }, (_, i) => (i % S < S - 1 - Math.floor(i / S) ? 1 : 0)), [B, 1, 1, S]);
        }
        const a = run(B, T, S, H, D, kvBatch, false, opts);
        const b = run(B, T, S, H, D, kvBatch, true, opts);
        assertClose(a.y, b.y, 1e-5, "y");
        a.grads.forEach((g, i) => assertClose(g, b.grads[i] as Tensor, 1e-5, `grad ${i}`));
      });
    }
  });
}

// The fused kernel's case, then the ones the wasm backend sends through its GEMM formulation (dropout,
// ALiBi, an additive mask), which take and give the same row layouts via contiguous copies.
for (const [label, options] of [
  ["causal with an offset", () => ({ isCausal: true, causalOffset: 2 })],
  ["dropout", () => ({ isCausal: true, dropout: 0.3, generator: new Generator(11) })],
  ["ALiBi", () => ({ isCausal: true, alibiSlopes: [0.5, 0.25, 0.125] })],
  ["additive mask", () => ({ mask: randn32([1, 1, 17, 19], 12) })],
] as [string, () => ScaledDotProductAttentionOptions][]) {
  test(`the wasm backend matches the reference on head views: ${label}`, () => {
    setBackend(new ReferenceBackend());
    const ref = run(2, 17, 19, 3, 5, 2, false, options());
    setBackend(createWasmBackend({ threads: 2, parallelMinWork: 0 }));
    const fast = run(2, 17, 19, 3, 5, 2, false, options());
    assertClose(fast.y, ref.y, 1e-5, "y");
    fast.grads.forEach((g, i) => assertClose(g, ref.grads[i] as Tensor, 1e-5, `grad ${i}`));
  });
}
