import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../../../src/backend/backend.js";
import {
  type AttentionLayouts, type AttentionMask, type AttentionOperand, type AttentionOperandHalf, type AttentionSizes,
} from "../../../src/backend/reference/attention.js";
import type { NativeBackend } from "../../../src/backend/native/index.js";
import { loadNativeModule } from "../../../src/backend/native/loader.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { ShapeError } from "../../../src/errors.js";
import { bfloat16ToFloat32, float16ToFloat32, float32ToBFloat16, float32ToFloat16 } from "../../../src/io/half.js";
import { randomFloat32, seededRandom } from "../wasm/random.js";
import { closeTo, nativeBackends, skip } from "./native.js";

const reference = new ReferenceBackend();
const hasBf16 = !skip && loadNativeModule().features().avx512bf16;

interface Case {
  n: number;
  t: number;
  s: number;
  d: number;
  dv: number;
  causalOffset: number | null;
  mask: "none" | "padding" | "full" | "additive";
  dropout?: number;
  /** k and v shared by every block (offsets all 0), as a broadcast or grouped-query k/v. */
  broadcastKv?: boolean;
  /** Outputs and gradients written as heads of a [B, T, H, D] tensor (N = B·H with H = 2). */
  permuted?: boolean;
}

function blocks(n: number, size: number): Int32Array {
  return Int32Array.from({ length: n }, (_, b) => b * size);
}

function makeMask(c: Case, rand: () => number): AttentionMask | null {
  const { n, t, s } = c;
  if (c.mask === "none") return null;
  if (c.mask === "padding") {
    // keys past a block-dependent length padded out; block 0 keeps none (every row fully masked)
    const data = new Uint8Array(n * s);
    for (let b = 0; b < n; b++) for (let j = 0; j < s; j++) data[b * s + j] = j < (b === 0 ? 0 : s - (b % s)) ? 1 : 0;
    return { data, additive: false, offsets: blocks(n, s), strideT: 0, strideS: 1 };
  }
  if (c.mask === "full") {
    const data = Uint8Array.from({ length: n * t * s }, () => (rand() < 0.7 ? 1 : 0));
    return { data, additive: false, offsets: blocks(n, t * s), strideT: s, strideS: 1 };
  }
  // additive: a [T, S] bias shared by every block, some −∞
  const data = Float32Array.from({ length: t * s }, () => (rand() < 0.1 ? -Infinity : 2 * rand() - 1));
  return { data, additive: true, offsets: new Int32Array(n), strideT: s, strideS: 1 };
}

/** Row layout of an [N, rows, cols] result stored as [B, rows, H, cols] (H = 2). */
function permutedLayout(n: number, rows: number, cols: number): { offsets: Int32Array; strideRow: number } {
  const H = 2;
  return { offsets: Int32Array.from({ length: n }, (_, b) => Math.floor(b / H) * rows * H * cols + (b % H) * cols), strideRow: H * cols };
}

function run(be: Backend, c: Case, seed: number) {
  const rand = seededRandom(seed);
  const { n, t, s, d, dv } = c;
  const qStride = d + 3; // padded rows, read in place
  const q: AttentionOperand = { data: randomFloat32(rand, n * t * qStride).map((x) => 2 * x), offsets: blocks(n, t * qStride), strideRow: qStride };
  const kvBlocks = c.broadcastKv ? 1 : n;
  const kvOffsets = (size: number) => (c.broadcastKv ? new Int32Array(n) : blocks(n, size));
  const k: AttentionOperand = { data: randomFloat32(rand, kvBlocks * s * d).map((x) => 2 * x), offsets: kvOffsets(s * d), strideRow: d };
  const v: AttentionOperand = { data: randomFloat32(rand, kvBlocks * s * dv), offsets: kvOffsets(s * dv), strideRow: dv };
  const mask = makeMask(c, rand);
  const sz: AttentionSizes = {
    n, t, s, d, dv, scale: 1 / Math.sqrt(d), causalOffset: c.causalOffset, alibi: null, dropout: c.dropout ?? 0, seed: [12345, 678],
  };
  const layouts: AttentionLayouts = c.permuted
    ? { out: permutedLayout(n, t, dv), dOut: permutedLayout(n, t, dv), dq: permutedLayout(n, t, d), dk: permutedLayout(n, s, d), dv: permutedLayout(n, s, dv) }
    : {};
  const out = new Float32Array(n * t * dv).fill(NaN);
  const lse = new Float64Array(n * t);
  be.attentionForward(out, lse, null, q, k, v, mask, sz, layouts);
  const dOut = randomFloat32(rand, n * t * dv);
  const dq = new Float32Array(n * t * d).fill(NaN);
  const dk = new Float32Array(n * s * d).fill(NaN);
  const dvg = new Float32Array(n * s * dv).fill(NaN);
  be.attentionBackward(dq, dk, dvg, null, dOut, out, lse, q, k, v, mask, sz, layouts);
  return { out, lse, dq, dk, dv: dvg };
}

const cases: Case[] = [
  { n: 3, t: 7, s: 7, d: 5, dv: 5, causalOffset: 0, mask: "none" },
  { n: 4, t: 33, s: 33, d: 16, dv: 16, causalOffset: 0, mask: "none", permuted: true },
  { n: 2, t: 5, s: 19, d: 8, dv: 3, causalOffset: 14, mask: "none" },
  { n: 2, t: 9, s: 17, d: 17, dv: 9, causalOffset: null, mask: "padding" },
  { n: 3, t: 12, s: 12, d: 4, dv: 6, causalOffset: null, mask: "full" },
  { n: 2, t: 10, s: 13, d: 7, dv: 7, causalOffset: 2, mask: "additive" },
  { n: 4, t: 16, s: 16, d: 8, dv: 8, causalOffset: 0, mask: "none", dropout: 0.3 },
  { n: 2, t: 9, s: 11, d: 6, dv: 5, causalOffset: null, mask: "padding", dropout: 0.1, broadcastKv: true },
  { n: 2, t: 4, s: 6, d: 3, dv: 3, causalOffset: -3, mask: "none" },
  { n: 2, t: 64, s: 64, d: 32, dv: 32, causalOffset: 0, mask: "none", permuted: true, dropout: 0.1 },
  // Several causal row blocks (the kernel's products skip the keys a block cannot see), ragged last block.
  { n: 2, t: 100, s: 100, d: 9, dv: 7, causalOffset: 0, mask: "additive", dropout: 0.2 },
  { n: 1, t: 70, s: 90, d: 8, dv: 8, causalOffset: 20, mask: "padding", broadcastKv: true },
  { n: 2, t: 75, s: 40, d: 5, dv: 6, causalOffset: -40, mask: "none", permuted: true },
  // TINY GPT's shape (T = S = 128, head dim 32): causal rows padded to whole 16-key vectors in every block.
  { n: 2, t: 128, s: 128, d: 32, dv: 32, causalOffset: 0, mask: "none", permuted: true },
];

for (const [label, make] of nativeBackends()) {
  describe(`native attention parity (${label})`, { skip }, () => {
    test("forward and backward match the reference: causal/offset, padding, boolean, additive masks, dropout, broadcast k/v, permuted rows", () => {
      const be = make();
      cases.forEach((c, i) => {
        const e = run(reference, c, 100 + i);
        const a = run(be, c, 100 + i);
        const what = JSON.stringify(c);
        for (const key of ["out", "lse", "dq", "dk", "dv"] as const) {
          const problem = closeTo(a[key], e[key], key === "out" || key === "lse" ? 2e-5 : 1e-4, `${what} ${key}`);
          if (problem) assert.fail(problem);
        }
      });
    });

    test("an operand too short for its sizes is a ShapeError, not a read past its end", () => {
      const be = make();
      const sz: AttentionSizes = { n: 1, t: 4, s: 4, d: 2, dv: 2, scale: 1, causalOffset: null, alibi: null, dropout: 0, seed: [0, 0] };
      const op = (len: number): AttentionOperand => ({ data: new Float32Array(len), offsets: Int32Array.of(0), strideRow: 2 });
      assert.throws(() => be.attentionForward(new Float32Array(8), new Float64Array(4), null, op(8), op(7), op(8), null, sz), ShapeError);
      assert.throws(() => be.attentionForward(new Float32Array(7), new Float64Array(4), null, op(8), op(8), op(8), null, sz), ShapeError);
    });
  });
}

const formats = [
  { dtype: "bfloat16" as const, narrow: float32ToBFloat16, widen: bfloat16ToFloat32 },
  { dtype: "float16" as const, narrow: float32ToFloat16, widen: float16ToFloat32 },
];
type Format = (typeof formats)[number];

/**
 * The half kernels (attentionForwardHalf / attentionBackwardHalf) against the same backend's float32
 * kernels on the widened operands. With `exact` (float32 products on the widened operands, as the
 * float16 kernel and a backend made with bf16Attention false run): the float32 output and logsumexp
 * bit for bit, the half output and gradients exactly the float32 results rounded once. Without (bf16
 * products: P̃ and dS rounded to bf16 before their products): within bf16 rounding of those results,
 * and not all of them bit for bit (else the bf16 path did not run). Either way, a fully masked row has
 * logsumexp −∞ and output 0, and gradients asked for alone are the same bits.
 */
function runHalf(be: NativeBackend, c: Case, seed: number, { dtype, narrow, widen }: Format, exact: boolean) {
  const rand = seededRandom(seed);
  const { n, t, s, d, dv } = c;
  const bits = (len: number, scale: number): Uint16Array => narrow(randomFloat32(rand, len).map((x) => scale * x));
  const qStride = d + 3; // padded rows, read in place
  const kvBlocks = c.broadcastKv ? 1 : n;
  const kvOffsets = (size: number) => (c.broadcastKv ? new Int32Array(n) : blocks(n, size));
  const qh: AttentionOperandHalf = { data: bits(n * t * qStride, 2), offsets: blocks(n, t * qStride), strideRow: qStride };
  const kh: AttentionOperandHalf = { data: bits(kvBlocks * s * d, 2), offsets: kvOffsets(s * d), strideRow: d };
  const vh: AttentionOperandHalf = { data: bits(kvBlocks * s * dv, 1), offsets: kvOffsets(s * dv), strideRow: dv };
  const wide = (h: AttentionOperandHalf): AttentionOperand => ({ data: widen(h.data), offsets: h.offsets, strideRow: h.strideRow });
  const mask = makeMask(c, rand);
  const sz: AttentionSizes = {
    n, t, s, d, dv, scale: 1 / Math.sqrt(d), causalOffset: c.causalOffset, alibi: null, dropout: c.dropout ?? 0, seed: [12345, 678],
  };
  const layouts: AttentionLayouts = c.permuted
    ? { out: permutedLayout(n, t, dv), dOut: permutedLayout(n, t, dv), dq: permutedLayout(n, t, d), dk: permutedLayout(n, s, d), dv: permutedLayout(n, s, dv) }
    : {};
  const expected = { out: new Float32Array(n * t * dv), lse: new Float64Array(n * t) };
  be.attentionForward(expected.out, expected.lse, null, wide(qh), wide(kh), wide(vh), mask, sz, layouts);
  const out = new Float32Array(n * t * dv).fill(NaN);
  const outHalf = new Uint16Array(n * t * dv).fill(0x7fc0);
  const lse = new Float64Array(n * t);
  const handled = be.attentionForwardHalf(dtype, out, outHalf, lse, qh, kh, vh, mask, sz, layouts);
  if (!handled) return { handled, out, outHalf, differs: false };
  const what = JSON.stringify(c);
  // The float32 result rounded once, or (bf16 products) within bf16 rounding of the float32 result:
  // |got − want| ≤ 2⁻⁶·max|want| over the tensor (P̃ or dS rounded to 8 significant bits, the result
  // summed from those, then rounded once itself).
  let differs = false;
  const agree = (got: Uint16Array | Float32Array | Float64Array, want: Float32Array | Float64Array, name: string) => {
    const g = got instanceof Uint16Array ? widen(got) : got;
    const w = got instanceof Uint16Array ? widen(narrow(Float32Array.from(want))) : want;
    if (exact) {
      assert.deepEqual(g, w, `${what} ${name}`);
      return;
    }
    let scale = 0;
    for (const x of w) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
    for (let i = 0; i < w.length; i++) {
      const a = g[i] as number, e = w[i] as number;
      if (a !== e) differs = true;
      if (e === -Infinity ? a !== -Infinity : !(Math.abs(a - e) <= 2 ** -6 * scale)) assert.fail(`${what} ${name}: element ${i}: ${a}, float32 kernel ${e}`);
    }
  };
  agree(out, expected.out, "float32 out");
  agree(lse, expected.lse, "lse");
  if (exact) assert.deepEqual(outHalf, narrow(expected.out), "half out = float32 out rounded");
  else assert.deepEqual(outHalf, narrow(out), "half out = its float32 out rounded");
  const dOut = bits(n * t * dv, 1);
  const f32 = { dq: new Float32Array(n * t * d), dk: new Float32Array(n * s * d), dv: new Float32Array(n * s * dv) };
  be.attentionBackward(f32.dq, f32.dk, f32.dv, null, widen(dOut), out, lse, wide(qh), wide(kh), wide(vh), mask, sz, layouts);
  const dq = new Uint16Array(n * t * d).fill(0x7fc0);
  const dk = new Uint16Array(n * s * d).fill(0x7fc0);
  const dvg = new Uint16Array(n * s * dv).fill(0x7fc0);
  assert.equal(be.attentionBackwardHalf(dtype, dq, dk, dvg, dOut, out, lse, qh, kh, vh, mask, sz, layouts), true);
  agree(dq, f32.dq, "dq");
  agree(dk, f32.dk, "dk");
  agree(dvg, f32.dv, "dv");
  // Only some gradients wanted: the others untouched (null), the wanted ones the same.
  const dk2 = new Uint16Array(n * s * d);
  assert.equal(be.attentionBackwardHalf(dtype, null, dk2, null, dOut, out, lse, qh, kh, vh, mask, sz, layouts), true);
  assert.deepEqual(dk2, dk, "dk alone");
  return { handled, out, outHalf, differs };
}

for (const [label, make] of nativeBackends({ bf16Attention: false })) {
  describe(`native half attention (${label})`, { skip }, () => {
    for (const format of formats) {
      test(`${format.dtype} q, k, v, dOut read in place: the float32 kernels' bits on the widened operands, results rounded once`, () => {
        const be = make();
        cases.forEach((c, i) => {
          const r = runHalf(be, c, 300 + i, format, true);
          // An additive (float32) mask has no half kernel: false, nothing written.
          assert.equal(r.handled, c.mask !== "additive", JSON.stringify(c));
          if (!r.handled) assert.ok(r.out.every(Number.isNaN) && r.outHalf.every((h) => h === 0x7fc0), "nothing written");
        });
      });
    }

    test("ALiBi is not taken (false); a half operand too short is a ShapeError", () => {
      const be = make();
      const sz: AttentionSizes = { n: 1, t: 4, s: 4, d: 2, dv: 2, scale: 1, causalOffset: null, alibi: null, dropout: 0, seed: [0, 0] };
      const op = (len: number): AttentionOperandHalf => ({ data: new Uint16Array(len), offsets: Int32Array.of(0), strideRow: 2 });
      const alibi = { ...sz, alibi: { slopes: Float64Array.of(0.5), offset: 0 } };
      assert.equal(be.attentionForwardHalf("bfloat16", new Float32Array(8), new Uint16Array(8), new Float64Array(4), op(8), op(8), op(8), null, alibi), false);
      assert.throws(() => be.attentionForwardHalf("float16", new Float32Array(8), new Uint16Array(8), new Float64Array(4), op(8), op(7), op(8), null, sz), ShapeError);
      assert.throws(() => be.attentionForwardHalf("bfloat16", new Float32Array(8), new Uint16Array(7), new Float64Array(4), op(8), op(8), op(8), null, sz), ShapeError);
    });
  });
}

for (const [label, make] of nativeBackends({ bf16Attention: true })) {
  describe(`native bf16 attention with bf16 products (${label})`, { skip: skip || (hasBf16 ? false : "this CPU has no AVX-512 BF16") }, () => {
    test("vdpbf16ps products, P̃ and dS rounded to bf16: within bf16 rounding of the float32 kernels; float16 keeps their bits", () => {
      const be = make();
      let differs = 0;
      cases.forEach((c, i) => {
        const r = runHalf(be, c, 300 + i, formats[0] as Format, false);
        assert.equal(r.handled, c.mask !== "additive", JSON.stringify(c));
        if (r.differs) differs++;
      });
      // Every case the half kernel takes (no additive mask) must show the bf16 roundings somewhere, but
      // those where no row sees two keys (every P is 0 or 1, exact in bf16): a single padded-out block
      // (n = 1), and a causal offset that leaves the last row one key (t + offset ≤ 1).
      const oneKey = (c: Case) => (c.mask === "padding" && c.n === 1) || (c.causalOffset !== null && c.t + c.causalOffset <= 1);
      const rounded = cases.filter((c) => c.mask !== "additive" && !oneKey(c)).length;
      assert.equal(differs, rounded, "a case with the float32 kernel's bits: the bf16 products did not run");
      cases.forEach((c, i) => runHalf(be, c, 300 + i, formats[1] as Format, true));
    });
  });
}
