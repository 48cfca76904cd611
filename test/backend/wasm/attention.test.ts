import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  attentionBackward, attentionForward, type AttentionLayouts, type AttentionMask, type AttentionOperand, type AttentionRowLayout,
  type AttentionSizes,
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

/**
 * Rows of block n = (b, h) of an [B·H, rows, cols] operand held as heads of a [B, rows, H, pitch]
 * array (pitch ≥ cols): the layout of transpose(reshape(x, [B, rows, H, D]), 1, 2), with pitch > cols
 * when x is itself a column slice of a wider tensor. `sharedHeads` gives every head block the same rows
 * (a stride-0 head dim, as a broadcast k/v).
 */
function headsLayout(B: number, H: number, rows: number, pitch: number, sharedHeads = false): AttentionRowLayout {
  const offsets = new Int32Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) offsets[b * H + h] = sharedHeads ? b * rows * pitch : b * rows * H * pitch + h * pitch;
  }
  return { offsets, strideRow: sharedHeads ? pitch : H * pitch };
}

/** Contiguous [N, rows, cols] copy of rows read through a layout. */
function readRows(data: Float32Array, layout: AttentionRowLayout, n: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(n * rows * cols);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[(b * rows + r) * cols + c] = data[(layout.offsets[b] as number) + r * layout.strideRow + c] as number;
    }
  }
  return out;
}

/** 1 at every element of a `length`-long array that a row of the layout covers, else 0. */
function covered(layout: AttentionRowLayout, n: number, rows: number, cols: number, length: number): Uint8Array {
  const mark = new Uint8Array(length);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mark[(layout.offsets[b] as number) + r * layout.strideRow + c] = 1;
  }
  return mark;
}

interface LayoutCase {
  b: number;
  h: number;
  t: number;
  s: number;
  d: number;
  dv: number;
  causalOffset: number | null;
  mask: "none" | "padding" | "full";
  /** Row pitch of q, k, v in their [B, len, H, pitch] arrays, as a multiple of the head dim (1: dense). */
  inPitch: number;
  /** Same for out, dOut and the gradients. */
  outPitch: number;
  /** k and v shared by every head (stride-0 head dim). */
  sharedKv?: boolean;
}

/**
 * The fused kernel with operands and results in head layouts, against the reference kernel on
 * contiguous copies (results read back through the layouts), and the reference kernel with the same
 * layouts against that too; elements outside a result's rows must stay untouched.
 */
function checkLayoutCase(wasm: WasmBackend, c: LayoutCase, seed: number): void {
  const rand = seededRandom(seed);
  const { b: B, h: H, t, s, d, dv } = c;
  const n = B * H;
  const label = JSON.stringify(c);
  const qL = headsLayout(B, H, t, c.inPitch * d);
  const kL = headsLayout(B, H, s, c.inPitch * d, c.sharedKv);
  const vL = headsLayout(B, H, s, c.inPitch * dv, c.sharedKv);
  const q: AttentionOperand = { data: randomFloat32(rand, B * t * H * c.inPitch * d).map((x) => 2 * x), ...qL };
  const k: AttentionOperand = { data: randomFloat32(rand, B * s * H * c.inPitch * d).map((x) => 2 * x), ...kL };
  const v: AttentionOperand = { data: randomFloat32(rand, B * s * H * c.inPitch * dv), ...vL };
  const contiguous = (op: AttentionOperand, rows: number, cols: number): AttentionOperand =>
    operand(readRows(op.data as Float32Array, op, n, rows, cols), n, rows * cols, cols);
  const mask = makeMask({ n, t, s, d, dv, causalOffset: c.causalOffset, mask: c.mask }, rand);
  const sz: AttentionSizes = {
    n, t, s, d, dv, scale: 1 / Math.sqrt(d), causalOffset: c.causalOffset, alibi: null, dropout: 0, seed: [0, 0],
  };
  const qc = contiguous(q, t, d), kc = contiguous(k, s, d), vc = contiguous(v, s, dv);
  const outRef = new Float32Array(n * t * dv);
  const lseRef = new Float64Array(n * t);
  attentionForward(outRef, lseRef, null, qc, kc, vc, mask, sz);
  const dOutFlat = randomFloat32(rand, n * t * dv);
  const [dqRef, dkRef, dvRef] = [new Float32Array(n * t * d), new Float32Array(n * s * d), new Float32Array(n * s * dv)];
  attentionBackward(dqRef, dkRef, dvRef, null, dOutFlat, outRef, lseRef, qc, kc, vc, mask, sz);

  const layouts: Required<AttentionLayouts> = {
    out: headsLayout(B, H, t, c.outPitch * dv),
    // The incoming gradient in a layout of its own (one more column of pitch).
    dOut: headsLayout(B, H, t, (c.outPitch + 1) * dv),
    dq: headsLayout(B, H, t, c.outPitch * d),
    dk: headsLayout(B, H, s, c.outPitch * d),
    dv: headsLayout(B, H, s, c.outPitch * dv),
  };
  const dOut = new Float32Array(B * t * H * (c.outPitch + 1) * dv);
  for (let x = 0; x < n * t; x++) {
    const blk = Math.floor(x / t), r = x % t;
    dOut.set(dOutFlat.subarray(x * dv, x * dv + dv), (layouts.dOut.offsets[blk] as number) + r * layouts.dOut.strideRow);
  }
  for (const [who, run] of [
    ["wasm", wasm],
    ["reference with layouts", { attentionForward, attentionBackward }],
  ] as const) {
    const sentinel = 7;
    const out = new Float32Array(B * t * H * c.outPitch * dv).fill(sentinel);
    const lse = new Float64Array(n * t);
    run.attentionForward(out, lse, null, q, k, v, mask, sz, { out: layouts.out });
    assertClose(readRows(out, layouts.out, n, t, dv), outRef, 1e-5, `${label} ${who} out`);
    assertClose(lse, lseRef, 1e-5, `${label} ${who} lse`);
    const outside = covered(layouts.out, n, t, dv, out.length);
    out.forEach((x, i) => {
      if (!outside[i] && x !== sentinel) assert.fail(`${label} ${who}: out[${i}] outside the rows was written`);
    });
    const dq = new Float32Array(B * t * H * c.outPitch * d).fill(sentinel);
    const dk = new Float32Array(B * s * H * c.outPitch * d).fill(sentinel);
    const dvv = new Float32Array(B * s * H * c.outPitch * dv).fill(sentinel);
    run.attentionBackward(dq, dk, dvv, null, dOut, out, lse, q, k, v, mask, sz, layouts);
    // Shared k/v rows: the kernels return per-block gradients (the caller sums them over heads).
    assertClose(readRows(dq, layouts.dq, n, t, d), dqRef, 1e-5, `${label} ${who} dq`);
    assertClose(readRows(dk, layouts.dk, n, s, d), dkRef, 1e-5, `${label} ${who} dk`);
    assertClose(readRows(dvv, layouts.dv, n, s, dv), dvRef, 1e-5, `${label} ${who} dv`);
    const dkOutside = covered(layouts.dk, n, s, d, dk.length);
    dk.forEach((x, i) => {
      if (!dkOutside[i] && x !== sentinel) assert.fail(`${label} ${who}: dk[${i}] outside the rows was written`);
    });
  }
}

const layoutCases: LayoutCase[] = [
  // GPT's heads: dense [B, T, H, D] views in and out.
  { b: 2, h: 4, t: 17, s: 17, d: 8, dv: 8, causalOffset: 0, mask: "none", inPitch: 1, outPitch: 1 },
  // Odd lengths and head dims (1, 3, 17, 33, 65), cached decoding offsets, negative offsets.
  { b: 1, h: 3, t: 3, s: 33, d: 3, dv: 5, causalOffset: 30, mask: "none", inPitch: 1, outPitch: 1 },
  { b: 2, h: 2, t: 65, s: 65, d: 33, dv: 17, causalOffset: 0, mask: "none", inPitch: 1, outPitch: 1 },
  { b: 1, h: 2, t: 33, s: 17, d: 1, dv: 1, causalOffset: -3, mask: "none", inPitch: 1, outPitch: 1 },
  { b: 2, h: 1, t: 1, s: 1, d: 17, dv: 3, causalOffset: null, mask: "none", inPitch: 1, outPitch: 1 },
  // Column slices of wider tensors (rows span 3× their size: packed instead of copied whole), gappy results.
  { b: 2, h: 3, t: 17, s: 33, d: 5, dv: 3, causalOffset: 16, mask: "padding", inPitch: 3, outPitch: 2 },
  { b: 1, h: 2, t: 9, s: 65, d: 4, dv: 4, causalOffset: null, mask: "full", inPitch: 3, outPitch: 3 },
  // k and v broadcast over heads (stride 0).
  { b: 2, h: 3, t: 17, s: 17, d: 8, dv: 8, causalOffset: 0, mask: "none", inPitch: 1, outPitch: 1, sharedKv: true },
  { b: 1, h: 4, t: 33, s: 65, d: 3, dv: 65, causalOffset: null, mask: "full", inPitch: 1, outPitch: 1, sharedKv: true },
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

    test("operands, output and gradients in permuted, sliced and broadcast row layouts", () => {
      layoutCases.forEach((c, i) => checkLayoutCase(wasm, c, 200 + i));
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
