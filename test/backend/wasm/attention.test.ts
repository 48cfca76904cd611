import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  attentionBackward, attentionForward, type AttentionMask, type AttentionOperand, type AttentionSizes,
} from "../../../src/backend/reference/attention.js";
import { createWasmBackend, type WasmBackend } from "../../../src/backend/wasm/index.js";
import { randomFloat32, seededRandom } from "./random.js";

/** |actual − expected| ≤ tol·(1 + |expected|) elementwise; −∞ only where the reference has −∞. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (e === -Infinity && a === -Infinity) continue;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}: element ${i}: wasm ${a}, reference ${e}`);
  }
}

interface Case {
  n: number;
  t: number;
  s: number;
  d: number;
  dv: number;
  causalOffset: number | null;
  /** "none", a key-padding mask ([N, S], row stride 0), or a full boolean mask ([N, T, S]). */
  mask: "none" | "padding" | "full";
  /** Key positions ≥ this are padded out in every block (padding masks); fewer than 1 masks whole rows. */
  keep?: number;
}

function operand(data: Float32Array, n: number, blockSize: number, strideRow: number): AttentionOperand {
  return { data, offsets: Int32Array.from({ length: n }, (_, b) => b * blockSize), strideRow };
}

function makeMask(c: Case, rand: () => number): AttentionMask | null {
  if (c.mask === "none") return null;
  if (c.mask === "padding") {
    const data = new Uint8Array(c.n * c.s);
    for (let b = 0; b < c.n; b++) {
      // Block-dependent length so blocks differ; `keep` forces shorter ones.
      const len = Math.min(c.keep ?? c.s, c.s - (b % Math.max(1, c.s)));
      for (let j = 0; j < c.s; j++) data[b * c.s + j] = j < len ? 1 : 0;
    }
    return { data, additive: false, offsets: Int32Array.from({ length: c.n }, (_, b) => b * c.s), strideT: 0, strideS: 1 };
  }
  const data = new Uint8Array(c.n * c.t * c.s);
  for (let i = 0; i < data.length; i++) data[i] = rand() < 0.7 ? 1 : 0;
  return { data, additive: false, offsets: Int32Array.from({ length: c.n }, (_, b) => b * c.t * c.s), strideT: c.s, strideS: 1 };
}

function checkCase(wasm: WasmBackend, c: Case, seed: number): void {
  const rand = seededRandom(seed);
  const { n, t, s, d, dv } = c;
  // q with a padded row stride, to exercise the gather.
  const qStride = d + 2;
  const q = operand(randomFloat32(rand, n * t * qStride).map((x) => 2 * x), n, t * qStride, qStride);
  const k = operand(randomFloat32(rand, n * s * d).map((x) => 2 * x), n, s * d, d);
  const v = operand(randomFloat32(rand, n * s * dv), n, s * dv, dv);
  const mask = makeMask(c, rand);
  const sz: AttentionSizes = {
    n, t, s, d, dv, scale: 1 / Math.sqrt(d), causalOffset: c.causalOffset, alibi: null, dropout: 0, seed: [0, 0],
  };
  const label = JSON.stringify(c);
  const outRef = new Float32Array(n * t * dv);
  const lseRef = new Float64Array(n * t);
  attentionForward(outRef, lseRef, null, q, k, v, mask, sz);
  const out = new Float32Array(n * t * dv);
  const lse = new Float64Array(n * t);
  wasm.attentionForward(out, lse, null, q, k, v, mask, sz);
  assertClose(out, outRef, 1e-5, `${label} out`);
  assertClose(lse, lseRef, 1e-5, `${label} lse`);

  const dOut = randomFloat32(rand, n * t * dv);
  const grads = (): [Float32Array, Float32Array, Float32Array] =>
    [new Float32Array(n * t * d), new Float32Array(n * s * d), new Float32Array(n * s * dv)];
  const [dqRef, dkRef, dvRef] = grads();
  attentionBackward(dqRef, dkRef, dvRef, null, dOut, outRef, lseRef, q, k, v, mask, sz);
  // Stale values in the outputs must be overwritten, not accumulated into.
  const [dq, dk, dvv] = grads().map((g) => g.fill(7)) as [Float32Array, Float32Array, Float32Array];
  wasm.attentionBackward(dq, dk, dvv, null, dOut, out, lse, q, k, v, mask, sz);
  assertClose(dq, dqRef, 1e-5, `${label} dq`);
  assertClose(dk, dkRef, 1e-5, `${label} dk`);
  assertClose(dvv, dvRef, 1e-5, `${label} dv`);
}

const cases: Case[] = [
  { n: 1, t: 1, s: 1, d: 1, dv: 1, causalOffset: null, mask: "none" },
  { n: 2, t: 1, s: 1, d: 1, dv: 3, causalOffset: 0, mask: "none" },
  { n: 3, t: 5, s: 7, d: 3, dv: 5, causalOffset: null, mask: "none" },
  { n: 2, t: 9, s: 9, d: 8, dv: 8, causalOffset: 0, mask: "none" },
  { n: 3, t: 6, s: 6, d: 13, dv: 6, causalOffset: 0, mask: "padding" },
  // Cached decoding: the queries are the last T of S positions.
  { n: 2, t: 3, s: 11, d: 5, dv: 7, causalOffset: 8, mask: "none" },
  { n: 2, t: 1, s: 70, d: 4, dv: 4, causalOffset: 69, mask: "padding" },
  // More keys than one 64-key tile, so the running max is rescaled across tiles.
  { n: 2, t: 4, s: 150, d: 9, dv: 10, causalOffset: null, mask: "padding" },
  { n: 2, t: 130, s: 130, d: 16, dv: 16, causalOffset: 0, mask: "none" },
  { n: 3, t: 7, s: 5, d: 6, dv: 2, causalOffset: null, mask: "full" },
  // Negative offset: the first queries see no key (output 0, lse −∞).
  { n: 2, t: 6, s: 6, d: 4, dv: 4, causalOffset: -2, mask: "none" },
  // A padding mask that removes every key of each block: every row fully masked.
  { n: 2, t: 3, s: 4, d: 4, dv: 4, causalOffset: null, mask: "padding", keep: 0 },
];

for (const [label, wasm] of [
  ["1 thread", createWasmBackend({ threads: 1 })],
  ["2 threads", createWasmBackend({ threads: 2, parallelMinWork: 0 })],
  // The plain-SIMD build (multiply then add) besides the default relaxed one (fused multiply-add).
  ["1 thread, plain SIMD", createWasmBackend({ threads: 1, variant: "simd" })],
] as const) {
  describe(`wasm fused attention (${label})`, () => {
    test("forward and backward match the reference kernel", () => {
      cases.forEach((c, i) => checkCase(wasm, c, 100 + i));
    });

    test("fully masked rows give output 0, lse −∞ and no gradient", () => {
      const c: Case = { n: 2, t: 6, s: 6, d: 4, dv: 4, causalOffset: -2, mask: "none" };
      const rand = seededRandom(7);
      const q = operand(randomFloat32(rand, 2 * 6 * 4), 2, 24, 4);
      const k = operand(randomFloat32(rand, 2 * 6 * 4), 2, 24, 4);
      const v = operand(randomFloat32(rand, 2 * 6 * 4), 2, 24, 4);
      const sz: AttentionSizes = { ...c, scale: 0.5, alibi: null, dropout: 0, seed: [0, 0] };
      const out = new Float32Array(48).fill(9);
      const lse = new Float64Array(12);
      wasm.attentionForward(out, lse, null, q, k, v, null, sz);
      // Query rows 0 and 1 of each block see keys j ≤ i − 2: none.
      for (const r of [0, 1, 6, 7]) {
        assert.equal(lse[r], -Infinity);
        assert.deepEqual(Array.from(out.subarray(r * 4, r * 4 + 4)), [0, 0, 0, 0]);
      }
      assert.ok(Number.isFinite(lse[2]));
      const dq = new Float32Array(48).fill(9);
      wasm.attentionBackward(dq, null, null, null, new Float32Array(48).fill(1), out, lse, q, k, v, null, sz);
      assert.deepEqual(Array.from(dq.subarray(0, 8)), new Array<number>(8).fill(0));
    });
  });
}
