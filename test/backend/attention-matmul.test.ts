import { test } from "node:test";
import assert from "node:assert/strict";
import { attentionBackward, attentionForward, type AttentionMask, type AttentionOperand, type AttentionSizes } from "../../src/backend/reference/attention.js";
import { attentionBackwardMatmul, attentionForwardMatmul, type AttentionKernels } from "../../src/backend/reference/attention-matmul.js";
import { createWasmBackend, referenceBackend } from "../../src/backend/index.js";
import { Generator } from "../../src/tensor/rng.js";

type Kernels = AttentionKernels;

function operand(gen: Generator, n: number, rows: number, cols: number, f32: boolean): AttentionOperand {
  // Rows padded by 3 elements and blocks placed at irregular offsets, as views into a larger tensor.
  const strideRow = cols + 3;
  const offsets = Int32Array.from({ length: n }, (_, b) => 5 + b * (rows * strideRow + 7));
  const size = 5 + n * (rows * strideRow + 7);
  const data = f32 ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = gen.normal();
  return { data, offsets, strideRow };
}

function compare(name: string, a: ArrayLike<number> | null, b: ArrayLike<number> | null, tol: number): void {
  if (a === null || b === null) return assert.equal(a, b, name);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x === y) continue;
    assert.ok(Math.abs(x - y) <= tol * (1 + Math.abs(y)), `${name}[${i}]: ${x} vs ${y}`);
  }
}

function check(kernels: Kernels, f32: boolean, sz: AttentionSizes, withMask: "none" | "bool" | "additive", seed: number): void {
  const gen = new Generator(seed);
  const { n, t, s, d, dv } = sz;
  const q = operand(gen, n, t, d, f32);
  const k = operand(gen, n, s, d, f32);
  const v = operand(gen, n, s, dv, f32);
  let mask: AttentionMask | null = null;
  if (withMask !== "none") {
    const data = withMask === "bool" ? new Uint8Array(t * s) : new Float64Array(t * s);
    for (let i = 0; i < t * s; i++) data[i] = withMask === "bool" ? (gen.random() < 0.8 ? 1 : 0) : gen.normal();
    if (!f32 && withMask === "additive") mask = { data, additive: true, offsets: new Int32Array(n), strideT: s, strideS: 1 };
    else if (withMask === "bool") mask = { data, additive: false, offsets: new Int32Array(n), strideT: s, strideS: 1 };
    else mask = { data: Float32Array.from(data), additive: true, offsets: new Int32Array(n), strideT: s, strideS: 1 };
  }
  const make = (len: number) => (f32 ? new Float32Array(len) : new Float64Array(len));
  const run = (fwd: typeof attentionForward, bwd: typeof attentionBackward) => {
    const out = make(n * t * dv);
    const lse = new Float64Array(n * t);
    const weights = make(n * t * s);
    fwd(out, lse, weights, q, k, v, mask, sz);
    const dOut = make(n * t * dv);
    const g = new Generator(seed + 1);
    for (let i = 0; i < dOut.length; i++) dOut[i] = g.normal();
    const dq = make(n * t * d);
    const dk = make(n * s * d);
    const dvv = make(n * s * dv);
    const dm = withMask === "additive" ? make(n * t * s) : null;
    bwd(dq, dk, dvv, dm, dOut, out, lse, q, k, v, mask, sz);
    return { out, lse, weights, dq, dk, dvv, dm };
  };
  const ref = run(attentionForward, attentionBackward);
  const mm = run(
    (o, l, w, a, b, c, m, z) => attentionForwardMatmul(kernels, o, l, w, a, b, c, m, z),
    (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12) => attentionBackwardMatmul(kernels, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12),
  );
  const tol = f32 ? 2e-4 : 1e-10;
  for (const key of ["out", "lse", "weights", "dq", "dk", "dvv", "dm"] as const) compare(key, mm[key], ref[key], tol);
}

const cases: [string, Partial<AttentionSizes>, "none" | "bool" | "additive"][] = [
  ["plain", {}, "none"],
  ["causal top-left", { causalOffset: 0 }, "none"],
  ["causal, cached decoding (T < S)", { t: 2, causalOffset: 5 }, "none"],
  ["boolean padding mask", {}, "bool"],
  ["additive mask with gradient", { causalOffset: 0 }, "additive"],
  ["ALiBi", { causalOffset: 0, alibi: { slopes: Float64Array.from([0.5, 0.25, 0.125, 0.0625, 0.5, 0.25]), offset: 0 } }, "none"],
  ["dropout (same counter-based keeps)", { causalOffset: 0, dropout: 0.3, seed: [12345, 678] }, "none"],
  ["odd sizes", { t: 1, s: 1, d: 1, dv: 3 }, "none"],
];

for (const [label, kernels] of [
  ["reference kernels", referenceBackend as Kernels],
  ["wasm kernels", createWasmBackend({ threads: 1 }) as Kernels],
] as const) {
  for (const [name, over, mask] of cases) {
    for (const f32 of [false, true]) {
      if (label === "wasm kernels" && !f32) continue;
      test(`attention via GEMMs = streaming kernel (${label}, ${f32 ? "float32" : "float64"}): ${name}`, () => {
        const sz: AttentionSizes = { n: 6, t: 7, s: 7, d: 5, dv: 4, scale: 0.37, causalOffset: null, alibi: null, dropout: 0, seed: [0, 0], ...over };
        check(kernels, f32, sz, mask, 3);
      });
    }
  }
}
