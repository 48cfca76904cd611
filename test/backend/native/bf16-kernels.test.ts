/**
 * Parity of the native bfloat16 kernels that read bf16 operands in place: the bf16 GEMM over every
 * MatmulLayout (transposed, row-strided, batched and broadcast operands, offsets, bias, accumulate,
 * float32 or bf16 output) against the reference backend's float32 matmul on the widened values, and
 * the bf16 GELU kernels against the float32 kernels' results rounded once (bit for bit) and against
 * the reference; the float32 ⊕ bf16 elementwise kernels and bf16 column sums against the float32
 * kernels on widened copies (bit for bit), and cross-entropy on bf16 logits likewise. AMX tiles and AVX-512 BF16 dot products, on 1, 2 and 3 threads, odd sizes, and products
 * large enough that the kernels pack B in panels (AMX) or sum bf16 rows in groups (vdpbf16ps).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MatmulLayout } from "../../../src/backend/backend.js";
import { BinaryOp } from "../../../src/backend/reference/elementwise.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { createNativeBackend } from "../../../src/backend/native/index.js";
import { loadNativeModule } from "../../../src/backend/native/loader.js";
import { IndexError, ShapeError, ValueError } from "../../../src/errors.js";
import { bfloat16ToFloat32, float32ToBFloat16 } from "../../../src/io/half.js";
import { randomFloat32, seededRandom } from "../wasm/random.js";
import { closeTo, skip } from "./native.js";

const reference = new ReferenceBackend();
const features = skip ? null : loadNativeModule().features();
const kernels: [string, boolean, string | false][] = [
  ["vdpbf16ps", false, skip || (features?.avx512bf16 ? false : "this CPU has no AVX-512 BF16")],
  ["AMX tiles", true, skip || (features?.amxbf16 ? false : "this CPU (or OS) offers no AMX-BF16")],
];

/** Random values already on the bf16 grid: their bits and the float32 values they stand for. */
function bf16Values(rand: () => number, n: number): { bits: Uint16Array; wide: Float32Array } {
  const bits = float32ToBFloat16(randomFloat32(rand, n));
  return { bits, wide: bfloat16ToFloat32(bits) };
}

interface Case {
  name: string;
  layout: MatmulLayout;
}

/** Layouts the autograd produces: all four transposes, a column block of a wider matrix, batches (strided, broadcast), offsets. */
function cases(): Case[] {
  const out: Case[] = [];
  const base = { batch: 1, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
  for (const [m, n, k] of [[1, 1, 1], [13, 33, 7], [30, 70, 601], [65, 97, 64], [37, 5, 129]] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) out.push({ name: `${m}×${n}×${k} tA=${transA} tB=${transB}`, layout: { ...base, m, n, k, transA, transB } });
    }
  }
  // A column block of a wider B (GPT-2's fused c_attn weight) and a row-strided Aᵀ, at offsets.
  out.push({ name: "ldB column block", layout: { ...base, m: 19, n: 21, k: 45, transA: false, transB: false, ldB: 63, offsetB: 21 } });
  out.push({ name: "ldA transposed block", layout: { ...base, m: 17, n: 9, k: 33, transA: true, transB: false, ldA: 40, offsetA: 5 } });
  out.push({ name: "ldB transposed block", layout: { ...base, m: 8, n: 11, k: 35, transA: false, transB: true, ldB: 50, offsetB: 3 } });
  // A long k: the AMX path packs A a few 32-row panels at a time (4 MiB of packed rows each).
  for (const transA of [false, true]) out.push({ name: `long k, tA=${transA}`, layout: { ...base, m: 130, n: 5, k: 20000, transA, transB: false } });
  // A long k and a wide n: the AMX path packs B a panel of columns at a time (16 MiB of packed pairs).
  for (const transB of [false, true]) out.push({ name: `long k, wide n, tB=${transB}`, layout: { ...base, m: 2, n: 1000, k: 9000, transA: false, transB } });
  // Many rows and columns: the vdpbf16ps path sums a bf16 result in groups of rows, NC columns at a time.
  out.push({ name: "many rows and columns", layout: { ...base, m: 1100, n: 1100, k: 37, transA: false, transB: false } });
  // Batches: both strided; B broadcast; A broadcast with Bᵀ strided.
  out.push({ name: "batch 3 strided", layout: { ...base, batch: 3, m: 9, n: 14, k: 23, transA: false, transB: false, strideA: 9 * 23, strideB: 23 * 14 } });
  out.push({ name: "batch 4, B broadcast, Aᵀ", layout: { ...base, batch: 4, m: 33, n: 7, k: 20, transA: true, transB: false, strideA: 33 * 20, strideB: 0 } });
  out.push({ name: "batch 2, A broadcast, Bᵀ", layout: { ...base, batch: 2, m: 5, n: 40, k: 31, transA: false, transB: true, strideA: 0, strideB: 40 * 31, offsetA: 2 } });
  return out;
}

/** Elements an operand's layout reaches (its array is made that long). */
function reach(rows: number, cols: number, ld: number, offset: number, stride: number, batch: number): number {
  return offset + (batch - 1) * stride + (rows - 1) * ld + cols;
}

for (const [kernel, amx, kernelSkip] of kernels) for (const threads of [1, 2, 3]) {
  describe(`native matmulBf16Layout, ${kernel} (${threads} thread${threads > 1 ? "s" : ""})`, { skip: kernelSkip }, () => {
    test("every layout, with bias or accumulate, float32 out and bf16 out, matches the reference product of the bf16 values", () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0, amx });
      const rand = seededRandom(33);
      for (const { name, layout } of cases()) {
        const { batch, m, n, k, transA, transB } = layout;
        const ldA = layout.ldA ?? (transA ? m : k);
        const ldB = layout.ldB ?? (transB ? k : n);
        const a = bf16Values(rand, reach(transA ? k : m, transA ? m : k, ldA, layout.offsetA, layout.strideA, batch));
        const b = bf16Values(rand, reach(transB ? n : k, transB ? k : n, ldB, layout.offsetB, layout.strideB, batch));
        const bias = randomFloat32(rand, n);
        const start = randomFloat32(rand, batch * m * n);
        const tol = 1e-5 * Math.sqrt(k);
        for (const mode of ["plain", "bias", "accumulate"] as const) {
          const lay: MatmulLayout = { ...layout, accumulate: mode === "accumulate", bias: mode === "bias" ? bias : null };
          const expected = mode === "accumulate" ? start.slice() : new Float32Array(batch * m * n);
          reference.matmul(expected, a.wide, b.wide, lay);
          const got = mode === "accumulate" ? start.slice() : new Float32Array(batch * m * n).fill(NaN);
          be.matmulBf16Layout(got, a.bits, b.bits, lay);
          const problem = closeTo(got, expected, tol, `${name} ${mode} (float32 out)`);
          if (problem) assert.fail(problem);
          if (mode === "accumulate") continue;
          // bf16 out: the float32 sum rounded once, so within one bf16 rounding of the reference.
          const half = new Uint16Array(batch * m * n).fill(0x7fc0);
          be.matmulBf16Layout(half, a.bits, b.bits, lay);
          const wide = bfloat16ToFloat32(half);
          const roundedProblem = closeTo(wide, expected, 2 ** -8 + tol, `${name} ${mode} (bf16 out)`);
          if (roundedProblem) assert.fail(roundedProblem);
          // And exactly the rounding of the kernel's own float32 result.
          assert.deepEqual(half, float32ToBFloat16(got), `${name} ${mode}: bf16 out is the float32 out rounded`);
        }
      }
    });

    test("a product computed in column and row blocks (ldB, offsets) has the whole product's bits: panels and row groups change no sums", () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0, amx });
      const rand = seededRandom(35);
      // [40×1000×9000]: B is packed in two panels of columns (AMX); [1100×1100×37]: bf16 rows summed in groups.
      for (const [m, n, k] of [[40, 1000, 9000], [1100, 1100, 37]] as const) {
        const a = bf16Values(rand, m * k);
        const b = bf16Values(rand, k * n);
        const bias = randomFloat32(rand, n);
        const base = { batch: 1, k, transA: false, transB: false, strideA: 0, strideB: 0, accumulate: false, bias };
        for (const half of [false, true]) {
          const make = (len: number): Float32Array | Uint16Array => (half ? new Uint16Array(len) : new Float32Array(len));
          const whole = make(m * n);
          be.matmulBf16Layout(whole, a.bits, b.bits, { ...base, m, n, offsetA: 0, offsetB: 0 });
          const [r1, c1] = [Math.floor(m / 2), Math.floor(n / 2)];
          const blocks = make(m * n);
          for (const [r0, rows] of [[0, r1], [r1, m - r1]] as const) {
            for (const [c0, cols] of [[0, c1], [c1, n - c1]] as const) {
              const part = make(rows * cols);
              be.matmulBf16Layout(part, a.bits, b.bits, { ...base, m: rows, n: cols, ldB: n, offsetA: r0 * k, offsetB: c0, bias: bias.subarray(c0, c0 + cols) });
              for (let i = 0; i < rows; i++) blocks.set(part.subarray(i * cols, (i + 1) * cols), (r0 + i) * n + c0);
            }
          }
          assert.deepEqual(blocks, whole, `${m}×${n}×${k} (${half ? "bf16" : "float32"} out)`);
        }
      }
    });

    test("k = 0 writes the bias (or zeros); short operands, bad sizes and a bf16 out that accumulates are errors", () => {
      const be = createNativeBackend({ threads, amx });
      const lay = { batch: 2, m: 3, n: 4, k: 0, transA: false, transB: false, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
      const out = new Float32Array(24).fill(7);
      be.matmulBf16Layout(out, new Uint16Array(0), new Uint16Array(0), { ...lay, bias: Float32Array.of(1, 2, 3, 4) });
      assert.deepEqual([...out.subarray(20)], [1, 2, 3, 4]);
      const half = new Uint16Array(24).fill(1);
      be.matmulBf16Layout(half, new Uint16Array(0), new Uint16Array(0), lay);
      assert.deepEqual([...half], new Array(24).fill(0));
      const full = { ...lay, batch: 1, k: 2 };
      assert.throws(() => be.matmulBf16Layout(new Float32Array(12), new Uint16Array(5), new Uint16Array(8), full), ShapeError);
      assert.throws(() => be.matmulBf16Layout(new Float32Array(12), new Uint16Array(6), new Uint16Array(8), { ...full, ldB: 3 }), ShapeError);
      assert.throws(() => be.matmulBf16Layout(new Float32Array(12), new Uint16Array(6), new Uint16Array(8), { ...full, m: 2.5 }), ShapeError);
      assert.throws(() => be.matmulBf16Layout(new Uint16Array(12), new Uint16Array(6), new Uint16Array(8), { ...full, accumulate: true }), ValueError);
      assert.throws(() => be.matmulBf16Layout(new Float32Array(12), new Uint16Array(6), new Uint16Array(8), { ...full, bias: new Float64Array(4) }), ValueError);
    });
  });
}

describe("native bf16 GELU kernels", { skip: kernels[0]?.[2] ?? skip }, () => {
  for (const threads of [1, 2, 3]) {
    test(`forward and backward are the float32 kernels' results rounded once, near the reference (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0 });
      const rand = seededRandom(5);
      for (const n of [1, 15, 16, 17, 63, 64, 65, 1000, 4099]) {
        // Values over GELU's whole shape: large negatives (→ 0), the bend near 0, large positives, and the specials.
        const x = bf16Values(() => 8 * rand() - 4, n);
        x.bits.set(float32ToBFloat16(Float32Array.of(0, -0, Infinity, -Infinity, 30, -30).subarray(0, Math.min(n, 6))));
        const xw = bfloat16ToFloat32(x.bits);
        const dy = bf16Values(rand, n);
        for (const approximate of ["none", "tanh"] as const) {
          const out = new Uint16Array(n);
          be.geluForwardBf16(out, x.bits, n, approximate);
          const f32 = new Float32Array(n);
          be.geluForward(f32, xw, n, approximate);
          assert.deepEqual(out, float32ToBFloat16(f32), `n=${n} ${approximate} forward`);
          const ref = new Float32Array(n);
          reference.geluForward(ref, xw, n, approximate);
          const problem = closeTo(bfloat16ToFloat32(out), ref, 2 ** -8, `n=${n} ${approximate} forward vs reference`);
          if (problem) assert.fail(problem);

          const dx = new Uint16Array(n);
          be.geluBackwardBf16(dx, dy.bits, x.bits, n, approximate);
          const dx32 = new Float32Array(n);
          be.geluBackward(dx32, dy.wide, xw, n, approximate);
          assert.deepEqual(dx, float32ToBFloat16(dx32), `n=${n} ${approximate} backward`);
          const dref = new Float32Array(n);
          reference.geluBackward(dref, dy.wide, xw, n, approximate);
          const dproblem = closeTo(bfloat16ToFloat32(dx), dref, 2 ** -7, `n=${n} ${approximate} backward vs reference`);
          if (dproblem) assert.fail(dproblem);
        }
      }
    });
  }

  for (const threads of [1, 2, 3]) {
    test(`float32 ⊕ bfloat16 elementwise and bfloat16 column sums equal the float32 kernels on widened copies (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0 });
      const rand = seededRandom(9);
      for (const n of [1, 15, 17, 64, 1000, 4099]) {
        const a = randomFloat32(rand, n);
        const b = bf16Values(rand, n);
        for (const op of [BinaryOp.add, BinaryOp.sub, BinaryOp.mul, BinaryOp.div]) {
          for (const swapped of [false, true]) {
            const got = new Float32Array(n);
            assert.equal(be.binaryMixedBf16(op, got, a, b.bits, swapped), true);
            const want = new Float32Array(n);
            if (swapped) reference.binary(op, want, b.wide, a);
            else reference.binary(op, want, a, b.wide);
            assert.deepEqual(got, want, `n=${n} op=${op} swapped=${swapped}`);
          }
        }
        assert.equal(be.binaryMixedBf16(BinaryOp.pow, new Float32Array(n), a, b.bits, false), false, "ops without a kernel are declined");
      }
      for (const [rows, cols] of [[1, 1], [3, 17], [64, 5], [65, 33], [200, 128], [130, 1]] as const) {
        const x = bf16Values(rand, rows * cols);
        const got = new Float32Array(cols).fill(NaN);
        be.sumColumnsBf16(got, x.bits, rows, cols);
        const want = new Float32Array(cols);
        be.sumColumns(want, x.wide, rows, cols);
        assert.deepEqual(got, want, `[${rows}, ${cols}] bit for bit as the float32 kernel`);
        const ref = new Float32Array(cols);
        reference.sumColumns(ref, x.wide, rows, cols);
        const problem = closeTo(got, ref, 1e-5 * rows, `[${rows}, ${cols}] vs reference`);
        if (problem) assert.fail(problem);
      }
    });
  }

  for (const threads of [1, 2, 3]) {
    test(`cross-entropy on bfloat16 logits equals the float32 kernels on widened logits, the gradient rounded once (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0 });
      const rand = seededRandom(17);
      for (const [rows, classes] of [[1, 1], [3, 7], [17, 96], [40, 1000]] as const) {
        const logits = bf16Values(() => 6 * rand() - 3, rows * classes);
        const targets = Int32Array.from({ length: rows }, (_, r) => (r % 5 === 4 ? -100 : Math.floor(rand() * classes)));
        for (const weight of [null, Float32Array.from({ length: classes }, () => 0.5 + rand())]) {
          const got = be.crossEntropyForwardBf16(logits.bits, targets, weight, rows, classes, -100);
          const want = be.crossEntropyForward(logits.wide, targets, weight, rows, classes, -100);
          assert.deepEqual(got, want, `[${rows}, ${classes}] weight=${weight !== null}: rows`);
          const ref = reference.crossEntropyForward(logits.wide, targets, weight, rows, classes, -100);
          const problem = closeTo(got.nll, ref.nll, 1e-5, `[${rows}, ${classes}] nll vs reference`);
          if (problem) assert.fail(problem);
          const gNll = Float64Array.from({ length: rows }, () => rand());
          const gSmooth = Float64Array.from({ length: rows }, () => 0.1 * rand());
          const dx = new Uint16Array(rows * classes).fill(0x7fc0);
          be.crossEntropyBackwardBf16(dx, logits.bits, targets, weight, got.lse, gNll, gSmooth, rows, classes, -100);
          const dx32 = new Float32Array(rows * classes);
          be.crossEntropyBackward(dx32, logits.wide, targets, weight, want.lse, gNll, gSmooth, rows, classes, -100);
          assert.deepEqual(dx, float32ToBFloat16(dx32), `[${rows}, ${classes}] weight=${weight !== null}: dlogits`);
        }
      }
    });
  }

  test("short arrays are errors", () => {
    const be = createNativeBackend({ threads: 1 });
    assert.throws(() => be.crossEntropyForwardBf16(new Uint16Array(5), Int32Array.of(0, 1), null, 2, 3, -100), ShapeError);
    assert.throws(() => be.crossEntropyForwardBf16(new Uint16Array(6), Int32Array.of(0, 3), null, 2, 3, -100), IndexError);
    assert.throws(() => be.binaryMixedBf16(BinaryOp.add, new Float32Array(4), new Float32Array(4), new Uint16Array(3), false), ShapeError);
    assert.throws(() => be.sumColumnsBf16(new Float32Array(2), new Uint16Array(5), 3, 2), ShapeError);
    assert.throws(() => be.geluForwardBf16(new Uint16Array(3), new Uint16Array(4), 4, "none"), ShapeError);
    assert.throws(() => be.geluBackwardBf16(new Uint16Array(4), new Uint16Array(3), new Uint16Array(4), 4, "tanh"), ShapeError);
  });
});
