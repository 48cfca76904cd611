import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MatmulLayout } from "../../../src/backend/backend.js";
import { createNativeBackend, type NativeBackend } from "../../../src/backend/native/index.js";
import { matmulReference } from "../../../src/backend/reference/matmul.js";
import { ShapeError, ValueError } from "../../../src/errors.js";
import { randomFloat32, seededRandom } from "../wasm/random.js";
import { closeTo, nativeBackends, skip } from "./native.js";

const layouts: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

interface Options {
  batch?: number;
  strideA?: "packed" | "zero" | "padded";
  strideB?: "packed" | "zero" | "padded";
  offsetA?: number;
  offsetB?: number;
  /** Extra elements between stored rows of A / B (layout ldA/ldB). */
  padA?: number;
  padB?: number;
  accumulate?: boolean;
  bias?: boolean;
}

/** One product on the native backend and on the reference from the same inputs; asserts they agree. */
function checkParity(be: NativeBackend, m: number, n: number, k: number, transA: boolean, transB: boolean, rand: () => number, o: Options = {}): void {
  const batch = o.batch ?? 1;
  const [rowsA, colsA] = transA ? [k, m] : [m, k];
  const [rowsB, colsB] = transB ? [n, k] : [k, n];
  const ldA = colsA + (o.padA ?? 0);
  const ldB = colsB + (o.padB ?? 0);
  const sizeA = rowsA * ldA;
  const sizeB = rowsB * ldB;
  const stride = (mode: Options["strideA"], size: number) => (mode === "zero" ? 0 : mode === "padded" ? size + 3 : size);
  const strideA = stride(o.strideA, sizeA);
  const strideB = stride(o.strideB, sizeB);
  const offsetA = o.offsetA ?? 0;
  const offsetB = o.offsetB ?? 0;
  const a = randomFloat32(rand, offsetA + (batch - 1) * strideA + sizeA + 2);
  const b = randomFloat32(rand, offsetB + (batch - 1) * strideB + sizeB + 2);
  const layout: MatmulLayout = { batch, m, n, k, transA, transB, strideA, strideB, offsetA, offsetB, accumulate: o.accumulate ?? false };
  if (o.padA !== undefined) layout.ldA = ldA;
  if (o.padB !== undefined) layout.ldB = ldB;
  if (o.bias) layout.bias = randomFloat32(rand, n + 1);
  const start = randomFloat32(rand, batch * m * n);
  const expected = start.slice();
  const actual = start.slice();
  matmulReference(expected, a, b, layout);
  be.matmul(actual, a, b, layout);
  const problem = closeTo(actual, expected, 1e-5 * Math.sqrt(k + 1), `[${batch}×${m}×${n}×${k}] transA=${transA} transB=${transB} ${JSON.stringify(o)}`);
  if (problem) assert.fail(problem);
}

for (const [label, make] of nativeBackends()) {
  describe(`native matmul parity (${label})`, { skip }, () => {
    test("every layout at tiny, odd and block-crossing sizes (MR 12/6, NR 32/16, KC 256, MC 144, NC 1024)", () => {
      const be = make();
      const rand = seededRandom(1);
      for (const [m, n, k] of [[1, 1, 1], [7, 13, 5], [13, 33, 257], [145, 17, 300], [12, 32, 256], [25, 1030, 9], [6, 16, 1]]) {
        for (const [ta, tb] of layouts) checkParity(be, m as number, n as number, k as number, ta, tb, rand);
      }
    });

    test("every edge of the register tile, overwriting and accumulating", () => {
      const be = make();
      const rand = seededRandom(2);
      let accumulate = false;
      for (const m of [1, 5, 6, 11, 12, 13, 25]) {
        for (const n of [3, 15, 16, 17, 31, 33]) {
          for (const [ta, tb] of layouts) {
            checkParity(be, m, n, 19, ta, tb, rand, { accumulate });
            accumulate = !accumulate;
          }
        }
      }
    });

    test("batched, broadcast (stride 0) and padded batch strides, offsets", () => {
      const be = make();
      const rand = seededRandom(3);
      for (const [ta, tb] of layouts) {
        checkParity(be, 19, 11, 23, ta, tb, rand, { batch: 3 });
        checkParity(be, 19, 11, 23, ta, tb, rand, { batch: 3, strideA: "zero" });
        checkParity(be, 19, 11, 23, ta, tb, rand, { batch: 3, strideB: "zero", offsetA: 5 });
        checkParity(be, 19, 11, 23, ta, tb, rand, { batch: 4, strideA: "padded", strideB: "padded", offsetB: 7, accumulate: true });
        checkParity(be, 64, 64, 32, ta, tb, rand, { batch: 5 });
      }
    });

    test("a bias starts every row, with batches, broadcast B, and k crossing a block", () => {
      const be = make();
      const rand = seededRandom(4);
      for (const [ta, tb] of layouts) {
        checkParity(be, 37, 19, 41, ta, tb, rand, { bias: true });
        checkParity(be, 7, 40, 9, ta, tb, rand, { bias: true, batch: 3, strideB: "zero", offsetA: 3 });
        checkParity(be, 30, 70, 300, ta, tb, rand, { bias: true });
      }
    });

    test("row-strided operands (ldA/ldB) read in place, batched and single", () => {
      const be = make();
      const rand = seededRandom(5);
      for (const [ta, tb] of layouts) {
        checkParity(be, 9, 7, 13, ta, tb, rand, { padA: 5, padB: 3 });
        checkParity(be, 4, 10, 6, ta, tb, rand, { batch: 3, padA: 2, strideB: "zero", padB: 4, offsetA: 4, bias: true });
        checkParity(be, 40, 50, 270, ta, tb, rand, { padB: 17 });
      }
    });

    test("the same bits as on one thread: row-major A read in place and packed panels, every layout, bias and accumulate", () => {
      const be = make();
      const single = createNativeBackend({ isa: be.isa, threads: 1 });
      const rand = seededRandom(7);
      for (const [m, n, k] of [[145, 70, 300], [2048 / 16, 96, 40], [37, 33, 129]] as const) {
        for (const [transA, transB] of layouts) {
          const a = randomFloat32(rand, m * k + 5);
          const b = randomFloat32(rand, k * n + 5);
          const bias = randomFloat32(rand, n);
          for (const o of [{ bias }, { accumulate: true }] as const) {
            const layout: MatmulLayout = {
              batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0, offsetA: 1, offsetB: 2, accumulate: false, ...o,
            };
            const start = randomFloat32(rand, m * n);
            const mine = start.slice();
            const one = start.slice();
            be.matmul(mine, a, b, layout);
            single.matmul(one, a, b, layout);
            assert.deepEqual(mine, one, `[${m}×${n}×${k}] transA=${transA} transB=${transB} ${Object.keys(o)[0]}`);
          }
        }
      }
    });

    test("k = 0 writes the bias or zeros, or leaves out with accumulate", () => {
      const be = make();
      const rand = seededRandom(6);
      for (const o of [{}, { bias: true }, { accumulate: true }]) checkParity(be, 5, 3, 0, false, false, rand, { batch: 2, ...o });
    });

    test("operands too short, a short bias, or bias with accumulate are errors", () => {
      const be = make();
      const base: MatmulLayout = { batch: 1, m: 2, n: 3, k: 2, transA: false, transB: false, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
      const run = (l: MatmulLayout, lenA = 4, lenB = 6, lenOut = 6) => () => be.matmul(new Float32Array(lenOut), new Float32Array(lenA), new Float32Array(lenB), l);
      assert.throws(run(base, 3), ShapeError);
      assert.throws(run(base, 4, 5), ShapeError);
      assert.throws(run(base, 4, 6, 5), ShapeError);
      assert.throws(run({ ...base, ldA: 3 }), ShapeError);
      assert.throws(run({ ...base, ldB: 2 }, 4, 12), /ldA\/ldB \(2\/2\) must be at least the stored row lengths \(2\/3\)/);
      assert.throws(run({ ...base, strideA: 0.5 }), /strideA must be an integer/);
      assert.throws(run({ ...base, bias: new Float32Array(2) }), ShapeError);
      assert.throws(run({ ...base, accumulate: true, bias: new Float32Array(3) }), ValueError);
    });
  });
}
