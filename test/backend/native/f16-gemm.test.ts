/**
 * Parity of the native float16 GEMM (`matmulF16Layout`, kernels/gemm.cc gemm_f16), which reads float16
 * operands in place and widens them a block at a time: over every layout the autograd produces (all
 * four transposes, row-strided column blocks, strided and broadcast batches, offsets), with bias or
 * accumulate, float32 or float16 out, it must give exactly the bits of the native float32 GEMM on
 * widened copies (the same blocking and order of sums), and float16 out must be that result rounded
 * once — with sizes past the k (256), row (144) and column (1024) blocks, on 1, 2 and 3 threads. The
 * same products through `matmul`/`linear` on float16 tensors equal the float32 ops rounded.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MatmulLayout } from "../../../src/backend/backend.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { createNativeBackend } from "../../../src/backend/native/index.js";
import { ShapeError, ValueError } from "../../../src/errors.js";
import { float16ToFloat32, float32ToFloat16 } from "../../../src/io/half.js";
import { getBackend, manualSeed, randn, setBackend } from "../../../src/index.js";
import { linear, matmul } from "../../../src/ops/matmul.js";
import { to } from "../../../src/ops/cast.js";
import { randomFloat32, seededRandom } from "../wasm/random.js";
import { closeTo, nativeBackends, skip } from "./native.js";
import { type LayoutCase, layoutCases, reach } from "./layouts.js";

const reference = new ReferenceBackend();

/** Random values on the float16 grid: their bits and the float32 values they stand for. */
function f16Values(rand: () => number, n: number): { bits: Uint16Array; wide: Float32Array } {
  const bits = float32ToFloat16(randomFloat32(rand, n));
  return { bits, wide: float16ToFloat32(bits) };
}

/** Sizes past the k (256), row (144) and column (1024) blocks besides the odd ones. */
const cases = (): LayoutCase[] => layoutCases([[1, 1, 1], [13, 33, 7], [30, 70, 601], [150, 97, 64], [37, 5, 129], [3, 1030, 20]]);

for (const [label, make] of nativeBackends()) {
  describe(`native matmulF16Layout (${label})`, { skip }, () => {
    test("every layout, with bias or accumulate: the float32 GEMM's bits on widened copies; float16 out is them rounded once", () => {
      const be = make();
      const rand = seededRandom(41);
      for (const { name, layout } of cases()) {
        const { batch, m, n, k, transA, transB } = layout;
        const ldA = layout.ldA ?? (transA ? m : k);
        const ldB = layout.ldB ?? (transB ? k : n);
        const a = f16Values(rand, reach(transA ? k : m, transA ? m : k, ldA, layout.offsetA, layout.strideA, batch));
        const b = f16Values(rand, reach(transB ? n : k, transB ? k : n, ldB, layout.offsetB, layout.strideB, batch));
        const bias = randomFloat32(rand, n);
        const start = randomFloat32(rand, batch * m * n);
        for (const mode of ["plain", "bias", "accumulate"] as const) {
          const lay: MatmulLayout = { ...layout, accumulate: mode === "accumulate", bias: mode === "bias" ? bias : null };
          const f32 = mode === "accumulate" ? start.slice() : new Float32Array(batch * m * n);
          be.matmul(f32, a.wide, b.wide, lay);
          const got = mode === "accumulate" ? start.slice() : new Float32Array(batch * m * n).fill(NaN);
          be.matmulF16Layout(got, a.bits, b.bits, lay);
          assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(f32.buffer), `${name} ${mode}: float32 out, bit for bit`);
          const expected = mode === "accumulate" ? start.slice() : new Float32Array(batch * m * n);
          reference.matmul(expected, a.wide, b.wide, lay);
          const problem = closeTo(got, expected, 1e-5 * Math.sqrt(k), `${name} ${mode} vs reference`);
          if (problem) assert.fail(problem);
          if (mode === "accumulate") continue;
          const half = new Uint16Array(batch * m * n).fill(0x7e00);
          be.matmulF16Layout(half, a.bits, b.bits, lay);
          assert.deepEqual(half, float32ToFloat16(f32), `${name} ${mode}: float16 out is the float32 result rounded`);
        }
      }
    });
  });
}

describe("native matmulF16Layout: edges and errors", { skip }, () => {
  test("k = 0 writes the bias (or zeros); Inf and NaN round as io/half.ts; short operands, bad sizes and a float16 out that accumulates are errors", () => {
    const be = createNativeBackend({ threads: 2 });
    const lay = { batch: 2, m: 3, n: 4, k: 0, transA: false, transB: false, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
    const out = new Float32Array(24).fill(7);
    be.matmulF16Layout(out, new Uint16Array(0), new Uint16Array(0), { ...lay, bias: Float32Array.of(1, 2, 3, 4) });
    assert.deepEqual([...out.subarray(20)], [1, 2, 3, 4]);
    const half = new Uint16Array(24).fill(1);
    be.matmulF16Layout(half, new Uint16Array(0), new Uint16Array(0), lay);
    assert.deepEqual([...half], new Array(24).fill(0));
    // 60000 · 2 overflows float16 to +Inf; Inf · 0 is x86's default NaN (sign set), which rounds to
    // sign | 0x7E00 as io/half.ts does (the payload dropped).
    const specials = { ...lay, batch: 1, m: 1, n: 3, k: 1 };
    const got = new Uint16Array(3);
    be.matmulF16Layout(got, float32ToFloat16(Float32Array.of(60000)), float32ToFloat16(Float32Array.of(2, -2, 0)), specials);
    assert.deepEqual([...got], [0x7c00, 0xfc00, 0x0000]);
    be.matmulF16Layout(got, Uint16Array.of(0x7c00), float32ToFloat16(Float32Array.of(1, -1, 0)), specials);
    assert.deepEqual([...got], [0x7c00, 0xfc00, 0xfe00]);
    const full = { ...lay, batch: 1, k: 2 };
    assert.throws(() => be.matmulF16Layout(new Float32Array(12), new Uint16Array(5), new Uint16Array(8), full), ShapeError);
    assert.throws(() => be.matmulF16Layout(new Float32Array(12), new Uint16Array(6), new Uint16Array(8), { ...full, ldB: 3 }), ShapeError);
    assert.throws(() => be.matmulF16Layout(new Float32Array(12), new Uint16Array(6), new Uint16Array(8), { ...full, m: 2.5 }), ShapeError);
    assert.throws(() => be.matmulF16Layout(new Uint16Array(12), new Uint16Array(6), new Uint16Array(8), { ...full, accumulate: true }), ValueError);
  });

  test("matmul, batched matmul and linear on float16 tensors equal the float32 ops on widened values, rounded once", () => {
    const saved = getBackend();
    setBackend(createNativeBackend({ threads: 2 }));
    try {
      manualSeed(3);
      const x = to(randn([2, 70, 300]), "float16");
      const w = to(randn([50, 300]), "float16");
      const bias = to(randn([50]), "float16");
      const y = to(randn([2, 300, 33]), "float16");
      const checks: [string, () => ReturnType<typeof matmul>, () => ReturnType<typeof matmul>][] = [
        ["linear", () => linear(x, w, bias), () => linear(to(x, "float32"), to(w, "float32"), to(bias, "float32"))],
        ["batched matmul", () => matmul(x, y), () => matmul(to(x, "float32"), to(y, "float32"))],
        ["matmul with a transposed operand", () => matmul(w, x.transpose(1, 2)), () => matmul(to(w, "float32"), to(x, "float32").transpose(1, 2))],
      ];
      for (const [name, half, wide] of checks) {
        const got = half();
        assert.equal(got.dtype, "float16", name);
        assert.deepEqual(got.toTypedArray(), to(wide(), "float16").toTypedArray(), name);
      }
    } finally {
      setBackend(saved);
    }
  });
});
