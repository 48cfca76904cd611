import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { BinaryOp, type BinaryOpCode } from "../../../src/backend/reference/elementwise.js";
import { UnaryOp, type UnaryOpCode } from "../../../src/backend/reference/unary.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { createWasmBackend, type WasmBackend } from "../../../src/backend/wasm/index.js";
import { randomFloat32, seededRandom } from "./random.js";

const reference = new ReferenceBackend();
/** Lengths around the 4-lane width (tails of 1–3) and one that is not a multiple of anything. */
const lengths = [1, 3, 5, 17, 1023];
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 100, -100];

// elementwiseMinElements 0 sends every length to the kernels (by default short arrays stay on the
// reference loops); with 2 threads and parallelMinWork 0, unary kernels run split across the pool.
const backends: [string, WasmBackend][] = [
  ["1 thread", createWasmBackend({ threads: 1, elementwiseMinElements: 0 })],
  ["2 threads", createWasmBackend({ threads: 2, parallelMinWork: 0, elementwiseMinElements: 0 })],
];

/** Random values in [-scale, scale) with the special values sprinkled in at seeded positions. */
function operand(seed: number, n: number, scale: number, specials = true): Float32Array {
  const rand = seededRandom(seed);
  const x = randomFloat32(rand, n).map((v) => v * scale);
  if (specials) for (let k = 0; k < SPECIALS.length && k < n; k += 1) x[Math.floor(rand() * n)] = SPECIALS[k] ?? 0;
  return x;
}

/** |actual − expected| ≤ tol·(1 + |expected|); NaN exactly where the reference has NaN; infinities equal. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) assert.fail(`${what}: element ${i}: wasm ${a}, reference ${e}`);
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) assert.fail(`${what}: element ${i}: wasm ${a}, reference ${e}`);
      continue;
    }
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}: element ${i}: wasm ${a}, reference ${e}`);
  }
}

/** Bit-for-bit equality (NaN equals NaN, −0 differs from +0). */
function assertSame(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i}: wasm ${actual[i]}, reference ${expected[i]}`);
  }
}

const binaryOps: [string, BinaryOpCode][] = [
  ["add", BinaryOp.add], ["sub", BinaryOp.sub], ["mul", BinaryOp.mul], ["div", BinaryOp.div],
  ["pow (no kernel: reference loop)", BinaryOp.pow],
];

// Kernels whose results equal the correctly rounded float64 result are compared bit for bit; the
// exp- and division-based ones within a few float32 ulp (see assembly/elementwise.ts).
const unaryOps: [string, UnaryOpCode, boolean, number][] = [
  ["exp", UnaryOp.exp, false, 8], ["sqrt", UnaryOp.sqrt, true, 8], ["rsqrt", UnaryOp.rsqrt, false, 8],
  ["abs", UnaryOp.abs, true, 8], ["tanh", UnaryOp.tanh, false, 8], ["sigmoid", UnaryOp.sigmoid, false, 8],
  ["relu", UnaryOp.relu, true, 8], ["square", UnaryOp.square, true, 8], ["reciprocal", UnaryOp.reciprocal, false, 8],
  ["silu", UnaryOp.silu, false, 8], ["neg", UnaryOp.neg, true, 8], ["log (no kernel: reference loop)", UnaryOp.log, true, 8],
];

for (const [label, wasm] of backends) {
  describe(`wasm elementwise binary (${label})`, () => {
    test("same-shape, scalar and row-broadcast layouts match the reference bit for bit", () => {
      for (const [name, op] of binaryOps) {
        for (const n of lengths) {
          const a = operand(n, n, 4);
          const b = operand(n + 1, n, 4);
          const run = (be: ReferenceBackend, f: (out: Float32Array) => void) => {
            const out = new Float32Array(n);
            f(out);
            return out;
          };
          const what = `${name} n=${n}`;
          const same = (be: ReferenceBackend) => run(be, (out) => be.binary(op, out, a, b));
          assertSame(same(wasm), same(reference), `${what} same-shape`);
          for (const y of [0.75, -3, 0, NaN]) {
            const scalar = (be: ReferenceBackend) => run(be, (out) => be.binaryScalar(op, out, a, y));
            assertSame(scalar(wasm), scalar(reference), `${what} scalar ${y}`);
          }
          // [rows, cols] ∘ [cols] for every cols dividing n (cols = 1 and cols = n included).
          for (let cols = 1; cols <= n; cols++) {
            if (n % cols !== 0 || (cols > 5 && cols < n)) continue;
            const block = b.subarray(0, cols);
            for (const swapped of [false, true]) {
              const rows = (be: ReferenceBackend) => run(be, (out) => be.binaryRows(op, out, a, block, swapped));
              assertSame(rows(wasm), rows(reference), `${what} rows cols=${cols} swapped=${swapped}`);
            }
          }
        }
      }
    });

    test("the output may be one of the inputs (in-place gradient accumulation)", () => {
      const a = operand(3, 1023, 2);
      const b = operand(4, 1023, 2);
      const expected = new Float32Array(1023);
      reference.binary(BinaryOp.add, expected, a, b);
      const acc = a.slice();
      wasm.binary(BinaryOp.add, acc, acc, b);
      assertSame(acc, expected, "acc += b");
    });
  });

  describe(`wasm elementwise unary (${label})`, () => {
    test("forward and backward match the reference, NaN and ±Inf included", () => {
      for (const [name, op, exact, scale] of unaryOps) {
        for (const n of lengths) {
          // sqrt-like ops see mostly non-negative inputs (and a few negatives, which give NaN).
          const x = operand(7 * n + op, n, scale).map((v, i) => (op === UnaryOp.sqrt || op === UnaryOp.rsqrt) && i % 4 !== 0 ? Math.abs(v) : v);
          const g = operand(11 * n + op, n, 2, false);
          const run = (be: ReferenceBackend) => {
            const y = new Float32Array(n);
            be.unary(op, y, x, 0);
            const gx = new Float32Array(n);
            be.unaryBackward(op, gx, g, x, y, 0);
            return { y, gx };
          };
          const e = run(reference);
          const a = run(wasm);
          const what = `${name} n=${n}`;
          if (exact) assertSame(a.y, e.y, `${what} forward`);
          else assertClose(a.y, e.y, 1e-6, `${what} forward`);
          assertClose(a.gx, e.gx, 2e-6, `${what} backward`);
        }
      }
    });

    test("exp, tanh, sigmoid and silu stay within 3 float32 ulp of float64 (tanh on both sides of its series/exp switch)", () => {
      const n = 4099;
      const ulps = (a: number, e: number): number => {
        if (a === e) return 0;
        const m = Math.abs(e);
        return Math.abs(a - e) / (m < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(m)) - 23));
      };
      const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
      const cases: [string, UnaryOpCode, (v: number) => number, number][] = [
        ["exp", UnaryOp.exp, Math.exp, 80], ["tanh", UnaryOp.tanh, Math.tanh, 4], ["tanh near 0", UnaryOp.tanh, Math.tanh, 0.35],
        ["sigmoid", UnaryOp.sigmoid, sigmoid, 80], ["silu", UnaryOp.silu, (v) => v * sigmoid(v), 80],
      ];
      for (const [name, op, f, scale] of cases) {
        const x = operand(5, n, scale, false);
        const y = new Float32Array(n);
        wasm.unary(op, y, x, 0);
        let worst = 0;
        // Values below 2⁻¹⁰⁰ (sigmoid's far tail) are checked by the parity test's absolute tolerance.
        for (let i = 0; i < n; i++) if (Math.abs(f(x[i] ?? 0)) > 2 ** -100) worst = Math.max(worst, ulps(y[i] ?? 0, f(x[i] ?? 0)));
        assert.ok(worst <= 3, `${name}: ${worst.toFixed(2)} ulp`);
      }
    });
  });

  describe(`wasm sums (${label})`, () => {
    test("sum, row sums and column sums match the reference", () => {
      for (const n of lengths) {
        const x = operand(n, n, 3, false);
        assert.ok(Math.abs(wasm.sum(x) - reference.sum(x)) <= 1e-9 * (1 + Math.abs(reference.sum(x))), `sum n=${n}`);
        for (const cols of [1, 3, n]) {
          if (n % cols !== 0) continue;
          const rows = n / cols;
          const run = (be: ReferenceBackend) => {
            const r = new Float32Array(rows);
            const c = new Float32Array(cols).fill(7); // overwritten
            be.sumRows(r, x, rows, cols);
            be.sumColumns(c, x, rows, cols);
            return { r, c };
          };
          const e = run(reference);
          const a = run(wasm);
          // float64 accumulation in both; only the order of additions differs.
          assertClose(a.r, e.r, 1e-7, `sumRows n=${n} cols=${cols}`);
          // Column sums add row by row in float32, the reference's order: bit for bit.
          assertSame(a.c, e.c, `sumColumns n=${n} cols=${cols}`);
        }
      }
    });

    test("NaN and infinities propagate through sums", () => {
      const x = new Float32Array(9).fill(1);
      x[4] = Infinity;
      assert.equal(wasm.sum(x), Infinity);
      x[5] = -Infinity;
      assert.ok(Number.isNaN(wasm.sum(x)));
      const c = new Float32Array(3);
      x[5] = NaN;
      wasm.sumColumns(c, x, 3, 3);
      assert.deepEqual([...c].map((v) => (Number.isNaN(v) ? "NaN" : v)), [3, Infinity, "NaN"]);
    });
  });
}

describe("wasm elementwise defaults", () => {
  test("short arrays stay on the reference loops and give the same results", () => {
    const wasm = createWasmBackend({ threads: 1 });
    const a = operand(1, 17, 2);
    const b = operand(2, 17, 2);
    const out = new Float32Array(17);
    const expected = new Float32Array(17);
    wasm.binary(BinaryOp.mul, out, a, b);
    reference.binary(BinaryOp.mul, expected, a, b);
    assertSame(out, expected, "mul");
  });

  test("float64 arrays fall through to the reference backend", () => {
    const wasm = createWasmBackend({ threads: 1, elementwiseMinElements: 0 });
    const x = Float64Array.from({ length: 9 }, (_, i) => 0.1 * i - 0.4);
    const y = new Float64Array(9);
    const e = new Float64Array(9);
    wasm.unary(UnaryOp.tanh, y, x, 0);
    reference.unary(UnaryOp.tanh, e, x, 0);
    assert.deepEqual(y, e);
    assert.equal(wasm.sum(x), reference.sum(x));
  });
});
