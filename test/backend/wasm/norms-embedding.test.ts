/** wasm RMSNorm and embedding kernels against the reference backend: random shapes, repeated ids, padding, errors. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { createWasmBackend } from "../../../src/backend/wasm/index.js";
import { referenceBackend, setBackend } from "../../../src/backend/index.js";
import { IndexError } from "../../../src/errors.js";
import { nn, tensor, type Tensor } from "../../../src/index.js";
import { randomFloat32, seededRandom } from "./random.js";

const reference = new ReferenceBackend();
const wasm = createWasmBackend({ threads: 1 });
const rowCounts = [1, 3, 17, 1000];
/** Widths around the 4-lane SIMD width, plus wide ones with a tail. */
const widths = [1, 3, 5, 64, 130];

/** |actual − expected| ≤ tol·(1 + |expected|) elementwise. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}: element ${i}: wasm ${a}, reference ${e}`);
  }
}

describe("wasm RMSNorm", () => {
  test("forward and backward match the reference, with and without scale, dx and dw", () => {
    const rand = seededRandom(21);
    for (const rows of rowCounts) {
      for (const cols of widths) {
        for (const affine of [true, false]) {
          const x = randomFloat32(rand, rows * cols).map((v) => 3 * v + 0.5);
          const w = affine ? randomFloat32(rand, cols) : null;
          const dy = randomFloat32(rand, rows * cols);
          const run = (be: ReferenceBackend, wantDx: boolean) => {
            const out = new Float32Array(rows * cols);
            const rstd = new Float32Array(rows);
            be.rmsNormForward(out, rstd, x, w, rows, cols, 1e-5);
            const dx = wantDx ? new Float32Array(rows * cols) : null;
            const dw = Float32Array.from({ length: cols }, (_, i) => i); // accumulated into
            be.rmsNormBackward(dx, affine ? dw : null, dy, x, rstd, w, rows, cols);
            return { out, rstd, dx, dw };
          };
          for (const wantDx of [true, false]) {
            const e = run(reference, wantDx);
            const a = run(wasm, wantDx);
            const what = `rows=${rows} cols=${cols} affine=${affine} dx=${wantDx}`;
            assertClose(a.out, e.out, 2e-5, `${what} out`);
            assertClose(a.rstd, e.rstd, 2e-5, `${what} rstd`);
            // dw sums `rows` products: its float32 rounding grows with the row count.
            assertClose(a.dw, e.dw, rows > 100 ? 2e-4 : 2e-5, `${what} dw`);
            if (a.dx && e.dx) assertClose(a.dx, e.dx, 1e-4, `${what} dx`);
            else assert.equal(a.dx, e.dx);
          }
        }
      }
    }
  });

  test("float64 operands fall through to the reference kernel (identical results)", () => {
    const rand = seededRandom(22);
    const rows = 3, cols = 7;
    const x = Float64Array.from(randomFloat32(rand, rows * cols));
    const w = Float64Array.from(randomFloat32(rand, cols));
    const dy = Float64Array.from(randomFloat32(rand, rows * cols));
    const run = (be: ReferenceBackend) => {
      const out = new Float64Array(rows * cols), rstd = new Float64Array(rows);
      be.rmsNormForward(out, rstd, x, w, rows, cols, 1e-6);
      const dx = new Float64Array(rows * cols), dw = new Float64Array(cols);
      be.rmsNormBackward(dx, dw, dy, x, rstd, w, rows, cols);
      return [out, rstd, dx, dw];
    };
    assert.deepEqual(run(wasm), run(reference));
  });
});

describe("wasm embedding", () => {
  // Vocabularies below and above the id count take the staged-table and row-by-row paths of the
  // forward; a vocabulary hundreds of times the id count takes the touched-rows path of the backward,
  // the others the whole-table path.
  test("gather and scatter-add match the reference exactly, with repeated ids and padding", () => {
    const rand = seededRandom(23);
    for (const n of rowCounts) {
      for (const dim of widths) {
        for (const num of n <= 17 ? [1, 5, 96, 2 * n + 7, 400 * n + 7] : [1, 5, 96, 2 * n + 7]) {
          for (const paddingIdx of [null, 0]) {
            // every fourth id is 0, the padding row when there is one
            const ids = Int32Array.from({ length: n }, (_, i) => (i % 4 === 1 ? 0 : Math.floor(rand() * num)));
            const weight = randomFloat32(rand, num * dim);
            const dOut = randomFloat32(rand, n * dim);
            const start = randomFloat32(rand, num * dim); // the backward accumulates into it
            const run = (be: ReferenceBackend) => {
              const out = new Float32Array(n * dim).fill(NaN);
              be.embeddingForward(out, weight, ids, n, dim, num);
              const dWeight = start.slice();
              be.embeddingBackward(dWeight, dOut, ids, n, dim, num, paddingIdx);
              return { out, dWeight };
            };
            const e = run(reference);
            const a = run(wasm);
            const what = `n=${n} dim=${dim} num=${num} padding=${paddingIdx}`;
            assert.deepEqual(a.out, e.out, `${what} out`);
            assert.deepEqual(a.dWeight, e.dWeight, `${what} dWeight`);
          }
        }
      }
    }
  });

  test("repeated ids accumulate and the padding row keeps its value (independent of the reference)", () => {
    const ids = Int32Array.of(2, 0, 2, 2, 1);
    const dOut = Float32Array.from({ length: 5 * 3 }, (_, i) => i);
    for (const be of [reference, wasm]) {
      const dWeight = new Float32Array(4 * 3).fill(1);
      be.embeddingBackward(dWeight, dOut, ids, 5, 3, 4, 1);
      // row 0 ← position 1; row 2 ← positions 0, 2, 3; row 1 is padding; row 3 untouched.
      assert.deepEqual([...dWeight], [4, 5, 6, 1, 1, 1, 1 + 0 + 6 + 9, 1 + 1 + 7 + 10, 1 + 2 + 8 + 11, 1, 1, 1], be.name);
    }
  });

  test("float64 operands fall through to the reference kernel", () => {
    const ids = Int32Array.of(1, 1, 0);
    const weight = Float64Array.of(1, 2, 3, 4);
    const outA = new Float64Array(6), outE = new Float64Array(6);
    wasm.embeddingForward(outA, weight, ids, 3, 2, 2);
    reference.embeddingForward(outE, weight, ids, 3, 2, 2);
    assert.deepEqual(outA, outE);
    const dA = new Float64Array(4), dE = new Float64Array(4);
    wasm.embeddingBackward(dA, Float64Array.of(1, 2, 3, 4, 5, 6), ids, 3, 2, 2, null);
    reference.embeddingBackward(dE, Float64Array.of(1, 2, 3, 4, 5, 6), ids, 3, 2, 2, null);
    assert.deepEqual(dA, dE);
  });

  test("an id out of range is an IndexError naming the op, the id and the vocabulary size", () => {
    for (const be of [reference, wasm]) {
      for (const [bad, num] of [[5, 5], [-1, 5], [200, 96]] as const) {
        const ids = Int32Array.of(0, bad);
        const expected = new RegExp(`embedding.*index ${bad} at position 1 out of range for ${num} embeddings`);
        assert.throws(() => be.embeddingForward(new Float32Array(2 * 4), new Float32Array(num * 4), ids, 2, 4, num), (e: unknown) => {
          return e instanceof IndexError && expected.test(e.message);
        }, `${be.name} forward`);
        assert.throws(() => be.embeddingBackward(new Float32Array(num * 4), new Float32Array(2 * 4), ids, 2, 4, num, null), (e: unknown) => {
          return e instanceof IndexError && expected.test(e.message);
        }, `${be.name} backward`);
      }
    }
  });
});

describe("rmsNorm and embedding ops on the wasm backend", () => {
  /** Runs fn with the wasm and then the reference backend active; returns both results. */
  function onBoth<T>(fn: () => T): [T, T] {
    const previous = setBackend(wasm);
    try {
      const a = fn();
      setBackend(referenceBackend);
      return [a, fn()];
    } finally {
      setBackend(previous);
    }
  }
  const flat = (t: Tensor | null | undefined): number[] => [...(t?.toTypedArray() ?? [])];

  test("a non-contiguous (transposed) input gives the reference's values and gradients", () => {
    const rand = seededRandom(24);
    const xs = Array.from({ length: 6 }, () => Array.from(randomFloat32(rand, 5)));
    const ws = Array.from(randomFloat32(rand, 6));
    const [a, e] = onBoth(() => {
      const base = tensor(xs).requiresGrad_(); // [6, 5]
      const w = tensor(ws).requiresGrad_();
      const y = nn.functional.rmsNorm(base.transpose(0, 1), 6, w, 1e-5); // [5, 6], rows strided
      y.mul(y).sum().backward();
      return [y, base.grad, w.grad] as const;
    });
    for (let k = 0; k < 3; k++) assertClose(flat(a[k]), flat(e[k]), 1e-4, `rmsNorm output ${k}`);
  });

  test("embedding with int32 ids of any shape and paddingIdx matches the reference", () => {
    const [a, e] = onBoth(() => {
      const w = tensor(Array.from({ length: 7 }, (_, r) => [r, -r, 0.5 * r])).requiresGrad_();
      const ids = tensor([[3, 0, 3], [6, 3, 1]], { dtype: "int32" });
      const y = nn.functional.embedding(ids, w, { paddingIdx: 0 });
      y.mul(y).sum().backward();
      return [y, w.grad] as const;
    });
    assert.deepEqual(flat(a[0]), flat(e[0]));
    assert.deepEqual(flat(a[1]), flat(e[1]));
  });
});
