import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MatmulLayout } from "../../../src/backend/backend.js";
import { matmulReference } from "../../../src/backend/reference/matmul.js";
import { createWasmBackend, type WasmBackend } from "../../../src/backend/wasm/index.js";
import { ShapeError } from "../../../src/errors.js";
import { randomFloat32, seededRandom } from "./random.js";

interface Case {
  batch: number;
  m: number;
  n: number;
  k: number;
}

const layouts: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

// Tiny, odd and block-crossing sizes: MR = 6 (5 in the plain-SIMD build), NR = 8, KC = 256, MC = 12·MR,
// NC = 512 in the kernels.
const fixedCases: Case[] = [
  { batch: 1, m: 1, n: 1, k: 1 },
  { batch: 1, m: 7, n: 13, k: 5 },
  { batch: 1, m: 65, n: 3, k: 130 },
  { batch: 1, m: 3, n: 130, k: 65 },
  { batch: 2, m: 150, n: 17, k: 300 },
  { batch: 1, m: 13, n: 1030, k: 9 },
  { batch: 3, m: 6, n: 8, k: 257 },
];

function randomCases(seed: number, count: number): Case[] {
  const rand = seededRandom(seed);
  const dim = (max: number) => 1 + Math.floor(rand() * max);
  return Array.from({ length: count }, () => ({ batch: dim(4), m: dim(80), n: dim(80), k: dim(80) }));
}

/**
 * Asserts wasm == reference within float32 rounding for a different summation order: the error of a
 * k-term dot product grows like √k·ε·Σ|terms|, and |terms| ≤ 1 here.
 */
function assertClose(actual: Float32Array, expected: Float32Array, k: number, what: string): void {
  assert.equal(actual.length, expected.length);
  const tol = 1e-5 * Math.sqrt(k);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}: element ${i}: wasm ${a}, reference ${e}`);
  }
}

interface Options {
  strideA?: "packed" | "zero" | "padded";
  strideB?: "packed" | "zero" | "padded";
  offsetA?: number;
  offsetB?: number;
  accumulate?: boolean;
  /** Start every output row from a random bias row (layout.bias). */
  bias?: boolean;
}

/** Runs one product on `backend` and on the reference backend from the same inputs and compares. */
function checkParity(backend: WasmBackend, c: Case, transA: boolean, transB: boolean, rand: () => number, o: Options = {}): void {
  const { batch, m, n, k } = c;
  const stride = (mode: Options["strideA"], size: number) => (mode === "zero" ? 0 : mode === "padded" ? size + 3 : size);
  const strideA = stride(o.strideA, m * k);
  const strideB = stride(o.strideB, k * n);
  const offsetA = o.offsetA ?? 0;
  const offsetB = o.offsetB ?? 0;
  const a = randomFloat32(rand, offsetA + (batch - 1) * strideA + m * k + 2);
  const b = randomFloat32(rand, offsetB + (batch - 1) * strideB + k * n + 2);
  const layout: MatmulLayout = { batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, accumulate: o.accumulate ?? false };
  if (o.bias) layout.bias = randomFloat32(rand, n + 1); // one spare element: only the first n are read
  const start = randomFloat32(rand, batch * m * n);
  const expected = start.slice();
  const actual = start.slice();
  matmulReference(expected, a, b, layout);
  backend.matmul(actual, a, b, layout);
  assertClose(actual, expected, k, `${JSON.stringify(c)} transA=${transA} transB=${transB} ${JSON.stringify(o)}`);
}

const backends: [string, () => WasmBackend][] = [
  ["1 thread", () => createWasmBackend({ threads: 1 })],
  ["2 threads", () => createWasmBackend({ threads: 2, parallelMinWork: 0 })],
  ["3 threads", () => createWasmBackend({ threads: 3, parallelMinWork: 0 })],
  ["plain SIMD", () => createWasmBackend({ threads: 1, variant: "simd" })],
];

for (const [label, make] of backends) {
  describe(`wasm matmul parity (${label})`, () => {
    const backend = make();
    const cases = [...fixedCases, ...randomCases(label.length, 8)];

    test("every layout, fixed and random shapes", () => {
      const rand = seededRandom(1);
      for (const c of cases) for (const [ta, tb] of layouts) checkParity(backend, c, ta, tb, rand);
    });

    test("short last row panel (every m mod 6 and mod 5) and column edges, overwriting and accumulating", () => {
      const rand = seededRandom(5);
      let accumulate = false;
      for (const m of [1, 2, 3, 4, 5, 7, 17, 33, 65, 129]) {
        for (const n of [8, 3, 17, 24]) {
          for (const k of [1, 7, 33, 129]) {
            for (const [ta, tb] of layouts) {
              checkParity(backend, { batch: 1, m, n, k }, ta, tb, rand, { accumulate });
              accumulate = !accumulate;
            }
          }
        }
      }
    });

    test("rows split into units across KC and MC blocks, batched and single", () => {
      const rand = seededRandom(6);
      for (const c of [{ batch: 1, m: 128, n: 40, k: 300 }, { batch: 1, m: 151, n: 16, k: 257 }, { batch: 3, m: 77, n: 9, k: 260 }]) {
        for (const [ta, tb] of layouts) checkParity(backend, c, ta, tb, rand, { accumulate: c.m === 151 });
      }
    });

    test("broadcast batch (stride 0) on either operand and padded strides", () => {
      const rand = seededRandom(2);
      const c = { batch: 3, m: 19, n: 11, k: 23 };
      for (const [ta, tb] of layouts) {
        checkParity(backend, c, ta, tb, rand, { strideA: "zero" });
        checkParity(backend, c, ta, tb, rand, { strideB: "zero" });
        checkParity(backend, c, ta, tb, rand, { strideA: "zero", strideB: "zero" });
        checkParity(backend, c, ta, tb, rand, { strideA: "padded", strideB: "padded" });
      }
    });

    test("a bias starts every row of every product: folded batch, broadcast B, offsets, k = 0", () => {
      const rand = seededRandom(8);
      for (const c of [{ batch: 1, m: 37, n: 19, k: 41 }, { batch: 3, m: 7, n: 24, k: 9 }, { batch: 2, m: 5, n: 3, k: 0 }, { batch: 1, m: 1, n: 1, k: 1 }]) {
        for (const [ta, tb] of layouts) {
          checkParity(backend, c, ta, tb, rand, { bias: true });
          checkParity(backend, c, ta, tb, rand, { bias: true, strideB: "zero", offsetA: 3 });
        }
      }
    });

    test("accumulate and offsets", () => {
      const rand = seededRandom(3);
      for (const c of [{ batch: 2, m: 9, n: 14, k: 31 }, { batch: 1, m: 1, n: 1, k: 1 }]) {
        for (const [ta, tb] of layouts) {
          checkParity(backend, c, ta, tb, rand, { accumulate: true });
          checkParity(backend, c, ta, tb, rand, { offsetA: 5, offsetB: 7, strideB: "zero", accumulate: true });
        }
      }
    });
  });
}

describe("matmul bias", () => {
  test("the reference's bias rows equal the product plus the bias added afterwards", () => {
    const rand = seededRandom(9);
    const [m, n, k] = [5, 6, 7];
    const a = randomFloat32(rand, m * k);
    const b = randomFloat32(rand, k * n);
    const bias = randomFloat32(rand, n);
    const base: MatmulLayout = { batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
    const plain = new Float32Array(m * n);
    matmulReference(plain, a, b, base);
    const withBias = new Float32Array(m * n).fill(NaN);
    matmulReference(withBias, a, b, { ...base, bias });
    for (let i = 0; i < m * n; i++) assert.ok(Math.abs((withBias[i] as number) - ((plain[i] as number) + (bias[i % n] as number))) < 1e-6);
  });

  test("a bias with accumulate, or a short bias, is an error on both backends", () => {
    const wasm = createWasmBackend({ threads: 1 });
    const layout: MatmulLayout = { batch: 1, m: 2, n: 3, k: 2, transA: false, transB: false, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: true, bias: new Float32Array(3) };
    const run = (l: MatmulLayout, f: (o: Float32Array, a: Float32Array, b: Float32Array, l: MatmulLayout) => void) => () => f(new Float32Array(6), new Float32Array(4), new Float32Array(6), l);
    for (const f of [matmulReference, wasm.matmul.bind(wasm)]) {
      assert.throws(run(layout, f), /bias cannot be combined with accumulate/);
      assert.throws(run({ ...layout, accumulate: false, bias: new Float32Array(2) }, f), ShapeError);
    }
  });
});

describe("matmul row strides (ldA, ldB)", () => {
  /** A rows × cols matrix stored with rows `ld` apart inside a larger random buffer, and its compact copy. */
  function padded(rand: () => number, rows: number, cols: number, ld: number, offset: number): { data: Float32Array; compact: Float32Array } {
    const data = randomFloat32(rand, offset + Math.max(0, rows - 1) * ld + cols + 3);
    const compact = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) compact.set(data.subarray(offset + r * ld, offset + r * ld + cols), r * cols);
    return { data, compact };
  }

  for (const [label, make] of [["1 thread", () => createWasmBackend({ threads: 1 })], ["2 threads", () => createWasmBackend({ threads: 2, parallelMinWork: 0 })]] as const) {
    test(`column slices read in place equal the compacted product, every layout, batch with a shared B (${label})`, () => {
      const backend = make();
      const rand = seededRandom(12);
      for (const c of [{ batch: 1, m: 9, n: 7, k: 13 }, { batch: 3, m: 4, n: 10, k: 6 }, { batch: 1, m: 1, n: 5, k: 1 }]) {
        for (const [transA, transB] of layouts) {
          const { batch, m, n, k } = c;
          const [rowsA, colsA] = transA ? [k, m] : [m, k];
          const [rowsB, colsB] = transB ? [n, k] : [k, n];
          // A: batch matrices with rows padded; B: one matrix (stride 0) with rows padded.
          const ldA = colsA + 5;
          const strideA = rowsA * ldA + 2;
          const aAll = randomFloat32(rand, 4 + (batch - 1) * strideA + rowsA * ldA);
          const aCompact = new Float32Array(batch * rowsA * colsA);
          for (let i = 0; i < batch; i++) for (let r = 0; r < rowsA; r++) {
            const from = 4 + i * strideA + r * ldA;
            aCompact.set(aAll.subarray(from, from + colsA), (i * rowsA + r) * colsA);
          }
          const bp = padded(rand, rowsB, colsB, colsB + 3, 1);
          const layout: MatmulLayout = { batch, m, n, k, transA, transB, strideA, strideB: 0, offsetA: 4, offsetB: 1, accumulate: false, ldA, ldB: colsB + 3 };
          const compactLayout: MatmulLayout = { batch, m, n, k, transA, transB, strideA: rowsA * colsA, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
          const expected = new Float32Array(batch * m * n);
          matmulReference(expected, aCompact, bp.compact, compactLayout);
          const reference = new Float32Array(batch * m * n);
          matmulReference(reference, aAll, bp.data, layout);
          const actual = new Float32Array(batch * m * n);
          backend.matmul(actual, aAll, bp.data, layout);
          const what = `${JSON.stringify(c)} transA=${transA} transB=${transB}`;
          assertClose(reference, expected, k, `reference ${what}`);
          assertClose(actual, expected, k, `wasm ${what}`);
        }
      }
    });
  }

  test("a row stride shorter than the row is a ShapeError", () => {
    const wasm = createWasmBackend({ threads: 1 });
    const layout: MatmulLayout = { batch: 1, m: 2, n: 3, k: 4, transA: false, transB: false, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false, ldA: 3 };
    assert.throws(() => wasm.matmul(new Float32Array(6), new Float32Array(8), new Float32Array(12), layout), ShapeError);
  });
});

describe("wasm matmul edges", () => {
  const backend = createWasmBackend({ threads: 1 });
  const base = { transA: false, transB: false, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0 };

  test("k = 0 gives zeros, or leaves out unchanged when accumulating", () => {
    const out = Float32Array.of(1, 2, 3, 4);
    backend.matmul(out, new Float32Array(0), new Float32Array(0), { ...base, batch: 1, m: 2, n: 2, k: 0, accumulate: true });
    assert.deepEqual([...out], [1, 2, 3, 4]);
    backend.matmul(out, new Float32Array(0), new Float32Array(0), { ...base, batch: 1, m: 2, n: 2, k: 0, accumulate: false });
    assert.deepEqual([...out], [0, 0, 0, 0]);
  });

  test("float64 falls back to the reference backend", () => {
    const a = Float64Array.of(1, 2, 3, 4);
    const b = Float64Array.of(5, 6, 7, 8);
    const out = new Float64Array(4);
    backend.matmul(out, a, b, { ...base, batch: 1, m: 2, n: 2, k: 2, accumulate: false });
    assert.deepEqual([...out], [19, 22, 43, 50]);
  });

  test("operands too short for the layout are a ShapeError", () => {
    const layout = { ...base, batch: 2, m: 2, n: 2, k: 2, strideA: 4, strideB: 4, accumulate: false };
    assert.throws(() => backend.matmul(new Float32Array(8), new Float32Array(7), new Float32Array(8), layout), ShapeError);
    assert.throws(() => backend.matmul(new Float32Array(7), new Float32Array(8), new Float32Array(8), layout), ShapeError);
    assert.throws(() => backend.matmul(new Float32Array(8), new Float32Array(8), new Float32Array(8), { ...layout, offsetB: 1 }), ShapeError);
  });

  test("memory grows for large operands and is reused after", () => {
    const rand = seededRandom(4);
    checkParity(backend, { batch: 1, m: 300, n: 290, k: 280 }, false, true, rand);
    checkParity(backend, { batch: 1, m: 5, n: 4, k: 3 }, true, false, rand);
  });
});
