/**
 * Parity of the native kernels that read half operands in place: the bf16 GEMM over every MatmulLayout
 * (transposed, row-strided, batched and broadcast operands, offsets, bias, accumulate, float32 or bf16
 * output) against the reference backend's float32 matmul on the widened values (AMX tiles and AVX-512
 * BF16 dot products); and for bfloat16 and float16 bits, the GELU kernels against the float32 kernels'
 * results rounded once (bit for bit) and against the reference, the float32 ⊕ half elementwise kernels
 * and half column sums against the float32 kernels on widened copies (bit for bit), and cross-entropy
 * on half logits likewise. On 1, 2 and 3 threads, odd sizes, and products large enough that the bf16
 * GEMM packs B in panels (AMX) or sums bf16 rows in groups (vdpbf16ps).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MatmulLayout } from "../../../src/backend/backend.js";
import { BinaryOp } from "../../../src/backend/reference/elementwise.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { createNativeBackend } from "../../../src/backend/native/index.js";
import { loadNativeModule } from "../../../src/backend/native/loader.js";
import { IndexError, ShapeError, ValueError } from "../../../src/errors.js";
import { bfloat16ToFloat32, float16ToFloat32, float32ToBFloat16, float32ToFloat16 } from "../../../src/io/half.js";
import { randomFloat32, seededRandom } from "../wasm/random.js";
import { closeTo, skip } from "./native.js";
import { type LayoutCase, layoutCases, reach } from "./layouts.js";

const reference = new ReferenceBackend();
const features = skip ? null : loadNativeModule().features();
/** The half row kernels (kernels/half.cc) are AVX-512 code. */
const halfSkip = skip || (features?.avx512f ? false : "the half row kernels are AVX-512 code");
const kernels: [string, boolean, string | false][] = [
  ["vdpbf16ps", false, skip || (features?.avx512bf16 ? false : "this CPU has no AVX-512 BF16")],
  ["AMX tiles", true, skip || (features?.amxbf16 ? false : "this CPU (or OS) offers no AMX-BF16")],
];

/** Random values already on the bf16 grid: their bits and the float32 values they stand for. */
function bf16Values(rand: () => number, n: number): { bits: Uint16Array; wide: Float32Array } {
  const bits = float32ToBFloat16(randomFloat32(rand, n));
  return { bits, wide: bfloat16ToFloat32(bits) };
}

/** Layouts the autograd produces, and a long k: the AMX path packs A a few 32-row panels at a time (4 MiB of packed rows each). */
function cases(): LayoutCase[] {
  const base = { batch: 1, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
  const extra: LayoutCase[] = [
    // k a multiple of 32 and A row-major: AMX reads A's whole 32-row blocks in place (row-strided,
    // batched, at an offset) and packs only a ragged last block.
    {
      name: "A in place, batched, row-strided",
      layout: { ...base, batch: 2, m: 70, n: 33, k: 96, transA: false, transB: true, ldA: 100, strideA: 70 * 100, strideB: 33 * 96, offsetA: 3 },
    },
    ...[false, true].map((transA) => ({ name: `long k, tA=${transA}`, layout: { ...base, m: 130, n: 5, k: 20000, transA, transB: false } })),
    // A long k and a wide n: the AMX path packs B a panel of columns at a time (16 MiB of packed pairs).
    ...[false, true].map((transB) => ({ name: `long k, wide n, tB=${transB}`, layout: { ...base, m: 2, n: 1000, k: 9000, transA: false, transB } })),
    // Many rows and columns: the vdpbf16ps path sums a bf16 result in groups of rows, NC columns at a time.
    { name: "many rows and columns", layout: { ...base, m: 1100, n: 1100, k: 37, transA: false, transB: false } },
  ];
  return layoutCases([[1, 1, 1], [13, 33, 7], [30, 70, 601], [65, 97, 64], [37, 5, 129]], extra);
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
      // [40×1000×9000]: B is packed in two panels of columns (AMX); [1100×1100×37]: bf16 rows summed in
      // groups; [300×200×1100]: a bf16 result over three k-blocks, its rows in two scratch groups.
      for (const [m, n, k] of [[40, 1000, 9000], [1100, 1100, 37], [300, 200, 1100]] as const) {
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

    test("infinite and NaN sums round as float32ToBFloat16 does (every NaN to 0xffff), with one k-block and with several", () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0, amx });
      const rand = seededRandom(36);
      for (const [m, n, k] of [[26, 40, 64], [26, 40, 700]] as const) {
        const a = bf16Values(rand, m * k);
        const b = bf16Values(rand, k * n);
        a.bits[3 * k + 5] = 0x7f80; // +∞ in row 3: ±∞ across it, NaN where B's row 5 holds a zero
        b.bits[5 * n + 7] = 0;
        a.bits[7 * k] = 0x7fc0; // NaN in row 7
        const layout: MatmulLayout = { batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false, bias: null };
        const wide = new Float32Array(m * n);
        be.matmulBf16Layout(wide, a.bits, b.bits, layout);
        const half = new Uint16Array(m * n);
        be.matmulBf16Layout(half, a.bits, b.bits, layout);
        assert.ok(Number.isNaN(wide[3 * n + 7]) && Number.isNaN(wide[7 * n]) && Math.abs(wide[3 * n + 8] as number) === Infinity, `${m}×${n}×${k}: the sums are not what the case needs`);
        assert.deepEqual(half, float32ToBFloat16(wide), `${m}×${n}×${k}`);
      }
    });

    test("A at every element offset within a cache line (read in place or packed) gives the same bits", () => {
      // With k and the row stride multiples of 32, one of 32 consecutive offsets puts A's rows on 64-byte
      // boundaries. AMX reads A in place there, and at every offset where B is at most 128 columns wide;
      // elsewhere it packs A. The sums are the same either way.
      const be = createNativeBackend({ threads, parallelMinWork: 0, amx });
      const rand = seededRandom(37);
      for (const [m, n, k] of [[70, 40, 64], [70, 200, 64]] as const) {
        const a = bf16Values(rand, m * k);
        const b = bf16Values(rand, k * n);
        const bias = randomFloat32(rand, n);
        const layout = { batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0, offsetB: 0, accumulate: false, bias };
        const expected = new Float32Array(m * n);
        reference.matmul(expected, a.wide, b.wide, { ...layout, offsetA: 0 });
        const first = new Float32Array(m * n);
        be.matmulBf16Layout(first, a.bits, b.bits, { ...layout, offsetA: 0 });
        const problem = closeTo(first, expected, 1e-5 * Math.sqrt(k), `[${m}×${n}×${k}] A at offset 0`);
        if (problem) assert.fail(problem);
        const shifted = new Uint16Array(m * k + 32);
        for (let offsetA = 0; offsetA < 32; offsetA++) {
          shifted.fill(0xffff);
          shifted.set(a.bits, offsetA);
          const got = new Float32Array(m * n);
          be.matmulBf16Layout(got, shifted, b.bits, { ...layout, offsetA });
          assert.deepEqual(got, first, `[${m}×${n}×${k}] A at element offset ${offsetA}`);
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

const formats = [
  { dtype: "bfloat16" as const, narrow: float32ToBFloat16, widen: bfloat16ToFloat32, ulp: 2 ** -8 },
  { dtype: "float16" as const, narrow: float32ToFloat16, widen: float16ToFloat32, ulp: 2 ** -11 },
];

for (const { dtype, narrow, widen, ulp } of formats) describe(`native ${dtype} row kernels: GELU, mixed elementwise, column sums, cross-entropy`, { skip: halfSkip }, () => {
  /** Random values already on the half grid: their bits and the float32 values they stand for. */
  const halfValues = (rand: () => number, n: number): { bits: Uint16Array; wide: Float32Array } => {
    const bits = narrow(randomFloat32(rand, n));
    return { bits, wide: widen(bits) };
  };
  for (const threads of [1, 2, 3]) {
    test(`forward and backward are the float32 kernels' results rounded once, near the reference (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0 });
      const rand = seededRandom(5);
      for (const n of [1, 15, 16, 17, 63, 64, 65, 1000, 4099]) {
        // Values over GELU's whole shape: large negatives (→ 0), the bend near 0, large positives, and the specials.
        const x = halfValues(() => 8 * rand() - 4, n);
        x.bits.set(narrow(Float32Array.of(0, -0, Infinity, -Infinity, 30, -30).subarray(0, Math.min(n, 6))));
        const xw = widen(x.bits);
        const dy = halfValues(rand, n);
        for (const approximate of ["none", "tanh"] as const) {
          const out = new Uint16Array(n);
          be.geluForwardHalf(dtype, out, x.bits, n, approximate);
          const f32 = new Float32Array(n);
          be.geluForward(f32, xw, n, approximate);
          assert.deepEqual(out, narrow(f32), `n=${n} ${approximate} forward`);
          const ref = new Float32Array(n);
          reference.geluForward(ref, xw, n, approximate);
          const problem = closeTo(widen(out), ref, ulp, `n=${n} ${approximate} forward vs reference`);
          if (problem) assert.fail(problem);

          const dx = new Uint16Array(n);
          be.geluBackwardHalf(dtype, dx, dy.bits, x.bits, n, approximate);
          const dx32 = new Float32Array(n);
          be.geluBackward(dx32, dy.wide, xw, n, approximate);
          assert.deepEqual(dx, narrow(dx32), `n=${n} ${approximate} backward`);
          const dref = new Float32Array(n);
          reference.geluBackward(dref, dy.wide, xw, n, approximate);
          const dproblem = closeTo(widen(dx), dref, 2 * ulp, `n=${n} ${approximate} backward vs reference`);
          if (dproblem) assert.fail(dproblem);
        }
      }
    });
  }

  for (const threads of [1, 2, 3]) {
    test(`float32 ⊕ half elementwise and half column sums equal the float32 kernels on widened copies (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0 });
      const rand = seededRandom(9);
      for (const n of [1, 15, 17, 64, 1000, 4099]) {
        const a = randomFloat32(rand, n);
        const b = halfValues(rand, n);
        for (const op of [BinaryOp.add, BinaryOp.sub, BinaryOp.mul, BinaryOp.div]) {
          for (const swapped of [false, true]) {
            const got = new Float32Array(n);
            assert.equal(be.binaryMixedHalf(dtype, op, got, a, b.bits, swapped), true);
            const want = new Float32Array(n);
            if (swapped) reference.binary(op, want, b.wide, a);
            else reference.binary(op, want, a, b.wide);
            assert.deepEqual(got, want, `n=${n} op=${op} swapped=${swapped}`);
          }
        }
        assert.equal(be.binaryMixedHalf(dtype, BinaryOp.pow, new Float32Array(n), a, b.bits, false), false, "ops without a kernel are declined");
      }
      for (const [rows, cols] of [[1, 1], [3, 17], [64, 5], [65, 33], [200, 128], [130, 1]] as const) {
        const x = halfValues(rand, rows * cols);
        const got = new Float32Array(cols).fill(NaN);
        be.sumColumnsHalf(dtype, got, x.bits, rows, cols);
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
    test(`cross-entropy on half logits equals the float32 kernels on widened logits, the gradient rounded once (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0 });
      const rand = seededRandom(17);
      for (const [rows, classes] of [[1, 1], [3, 7], [17, 96], [40, 1000]] as const) {
        const logits = halfValues(() => 6 * rand() - 3, rows * classes);
        const targets = Int32Array.from({ length: rows }, (_, r) => (r % 5 === 4 ? -100 : Math.floor(rand() * classes)));
        for (const weight of [null, Float32Array.from({ length: classes }, () => 0.5 + rand())]) {
          const got = be.crossEntropyForwardHalf(dtype, logits.bits, targets, weight, rows, classes, -100);
          const want = be.crossEntropyForward(logits.wide, targets, weight, rows, classes, -100);
          assert.deepEqual(got, want, `[${rows}, ${classes}] weight=${weight !== null}: rows`);
          const ref = reference.crossEntropyForward(logits.wide, targets, weight, rows, classes, -100);
          const problem = closeTo(got.nll, ref.nll, 1e-5, `[${rows}, ${classes}] nll vs reference`);
          if (problem) assert.fail(problem);
          const gNll = Float64Array.from({ length: rows }, () => rand());
          const gSmooth = Float64Array.from({ length: rows }, () => 0.1 * rand());
          const dx = new Uint16Array(rows * classes).fill(0x7e00);
          be.crossEntropyBackwardHalf(dtype, dx, logits.bits, targets, weight, got.lse, gNll, gSmooth, rows, classes, -100);
          const dx32 = new Float32Array(rows * classes);
          be.crossEntropyBackward(dx32, logits.wide, targets, weight, want.lse, gNll, gSmooth, rows, classes, -100);
          assert.deepEqual(dx, narrow(dx32), `[${rows}, ${classes}] weight=${weight !== null}: dlogits`);
        }
      }
    });
  }

  test("short arrays are errors", () => {
    const be = createNativeBackend({ threads: 1 });
    assert.throws(() => be.crossEntropyForwardHalf(dtype, new Uint16Array(5), Int32Array.of(0, 1), null, 2, 3, -100), ShapeError);
    assert.throws(() => be.crossEntropyForwardHalf(dtype, new Uint16Array(6), Int32Array.of(0, 3), null, 2, 3, -100), IndexError);
    assert.throws(() => be.binaryMixedHalf(dtype, BinaryOp.add, new Float32Array(4), new Float32Array(4), new Uint16Array(3), false), ShapeError);
    assert.throws(() => be.sumColumnsHalf(dtype, new Float32Array(2), new Uint16Array(5), 3, 2), ShapeError);
    assert.throws(() => be.geluForwardHalf(dtype, new Uint16Array(3), new Uint16Array(4), 4, "none"), ShapeError);
    assert.throws(() => be.geluBackwardHalf(dtype, new Uint16Array(4), new Uint16Array(3), new Uint16Array(4), 4, "tanh"), ShapeError);
  });
});
