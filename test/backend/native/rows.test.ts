import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AdamWHyperparameters, Backend } from "../../../src/backend/backend.js";
import { BinaryOp } from "../../../src/backend/reference/elementwise.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { IndexError } from "../../../src/errors.js";
import { bfloat16ToFloat32, float16ToFloat32, float32ToBFloat16, float32ToFloat16 } from "../../../src/io/half.js";
import { randomFloat32, seededRandom } from "../wasm/random.js";
import { closeTo, nativeBackends, skip } from "./native.js";
import { createNativeBackend } from "../../../src/backend/native/index.js";

const reference = new ReferenceBackend();
/** Row widths around the 8- and 16-lane vector widths and the 16-lane sum blocks, plus wide ones. */
const widths = [1, 3, 8, 15, 16, 17, 33, 129, 1000];

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  const problem = closeTo(actual, expected, tol, what);
  if (problem) assert.fail(problem);
}

for (const [label, make] of nativeBackends()) {
  describe(`native row kernels (${label})`, { skip }, () => {
    test("LayerNorm forward and backward, with and without scale and shift, dx/dw/db present or not", () => {
      const be = make();
      const rand = seededRandom(11);
      const rows = 5;
      for (const cols of widths) {
        for (const affine of [true, false]) {
          const x = randomFloat32(rand, rows * cols).map((v) => 3 * v + 1);
          const w = affine ? randomFloat32(rand, cols) : null;
          const b = affine ? randomFloat32(rand, cols) : null;
          const dy = randomFloat32(rand, rows * cols);
          const run = (k: Backend) => {
            const out = new Float32Array(rows * cols);
            const mean = new Float32Array(rows);
            const rstd = new Float32Array(rows);
            k.layerNormForward(out, mean, rstd, x, w, b, rows, cols, 1e-5);
            const dx = new Float32Array(rows * cols);
            const dw = Float32Array.from({ length: cols }, (_, i) => i); // accumulated into
            const db = Float32Array.from({ length: cols }, (_, i) => -i);
            k.layerNormBackward(dx, affine ? dw : null, affine ? db : null, dy, x, mean, rstd, w, rows, cols);
            const dwOnly = new Float32Array(cols);
            k.layerNormBackward(null, dwOnly, null, dy, x, mean, rstd, w, rows, cols);
            return { out, mean, rstd, dx, dw, db, dwOnly };
          };
          const e = run(reference);
          const a = run(be);
          const what = `cols=${cols} affine=${affine}`;
          for (const key of ["out", "mean", "rstd", "dw", "db", "dwOnly"] as const) assertClose(a[key], e[key], 3e-5, `${what} ${key}`);
          assertClose(a.dx, e.dx, 1e-4, `${what} dx`);
        }
      }
    });

    test("RMSNorm forward and backward, with and without scale", () => {
      const be = make();
      const rand = seededRandom(12);
      const rows = 4;
      for (const cols of widths) {
        for (const scaled of [true, false]) {
          const x = randomFloat32(rand, rows * cols).map((v) => 2 * v + 0.5);
          const w = scaled ? randomFloat32(rand, cols) : null;
          const dy = randomFloat32(rand, rows * cols);
          const run = (k: Backend) => {
            const out = new Float32Array(rows * cols);
            const rstd = new Float32Array(rows);
            k.rmsNormForward(out, rstd, x, w, rows, cols, 1e-6);
            const dx = new Float32Array(rows * cols);
            const dw = Float32Array.from({ length: cols }, (_, i) => i / 3);
            k.rmsNormBackward(dx, scaled ? dw : null, dy, x, rstd, w, rows, cols);
            return { out, rstd, dx, dw };
          };
          const e = run(reference);
          const a = run(be);
          for (const key of ["out", "rstd", "dw"] as const) assertClose(a[key], e[key], 3e-5, `cols=${cols} scaled=${scaled} ${key}`);
          assertClose(a.dx, e.dx, 1e-4, `cols=${cols} scaled=${scaled} dx`);
        }
      }
    });

    test("softmax and log-softmax, forward and backward; −∞ entries give exactly 0, an all −∞ row NaN", () => {
      const be = make();
      const rand = seededRandom(13);
      const rows = 4;
      for (const cols of widths) {
        for (const log of [false, true]) {
          const x = randomFloat32(rand, rows * cols).map((v) => 8 * v);
          if (cols > 2) x[1] = -Infinity;
          if (cols > 1) x.fill(-Infinity, cols, 2 * cols); // row 1 entirely masked
          const dy = randomFloat32(rand, rows * cols);
          const run = (k: Backend) => {
            const y = new Float32Array(rows * cols);
            const dx = new Float32Array(rows * cols);
            k.softmaxForward(y, x, rows, cols, log);
            k.softmaxBackward(dx, dy, y, rows, cols, log);
            return { y, dx };
          };
          const e = run(reference);
          const a = run(be);
          assertClose(a.y, e.y, 3e-6, `cols=${cols} log=${log} y`);
          assertClose(a.dx, e.dx, 1e-5, `cols=${cols} log=${log} dx`);
          if (!log && cols > 2) assert.equal(a.y[1], 0);
        }
      }
    });

    test("cross-entropy forward and backward, with weights, smoothing and ignored rows; bad targets are IndexErrors", () => {
      const be = make();
      const rand = seededRandom(14);
      const rows = 6;
      for (const classes of [1, 3, 16, 17, 96, 131]) {
        for (const weighted of [false, true]) {
          const logits = randomFloat32(rand, rows * classes).map((v) => 6 * v);
          const targets = Int32Array.from({ length: rows }, (_, n) => (n === 2 ? -100 : Math.floor(rand() * classes)));
          const weight = weighted ? Float32Array.from({ length: classes }, () => 0.5 + rand()) : null;
          const gNll = Float64Array.from({ length: rows }, () => rand());
          const gSmooth = Float64Array.from({ length: rows }, () => rand() * 0.1);
          const run = (k: Backend) => {
            const f = k.crossEntropyForward(logits, targets, weight, rows, classes, -100);
            const d = new Float32Array(rows * classes).fill(7); // ignored rows must be zeroed
            k.crossEntropyBackward(d, logits, targets, weight, f.lse, gNll, gSmooth, rows, classes, -100);
            return { ...f, d };
          };
          const e = run(reference);
          const a = run(be);
          const what = `classes=${classes} weighted=${weighted}`;
          assertClose(a.lse, e.lse, 2e-6, `${what} lse`);
          assertClose(a.nll, e.nll, 1e-5, `${what} nll`);
          assertClose(a.smooth, e.smooth, 2e-5, `${what} smooth`);
          assertClose(a.d, e.d, 1e-5, `${what} dlogits`);
        }
      }
      assert.throws(() => be.crossEntropyForward(new Float32Array(6), Int32Array.of(0, 3), null, 2, 3, -100), IndexError);
      assert.throws(() => be.crossEntropyBackward(new Float32Array(6), new Float32Array(6), Int32Array.of(-1, 0), null,
        new Float64Array(2), new Float64Array(2), new Float64Array(2), 2, 3, -100), IndexError);
    });

    test("GELU exact and tanh, forward and backward, over a wide range and at ±∞ and NaN", () => {
      const be = make();
      const rand = seededRandom(15);
      for (const n of [1, 7, 16, 17, 200, 5000]) {
        const x = randomFloat32(rand, n).map((v) => 12 * v);
        if (n > 4) x.set([Infinity, -Infinity, NaN, 0], 0);
        const dy = randomFloat32(rand, n);
        for (const approximate of ["none", "tanh"] as const) {
          const run = (k: Backend) => {
            const y = new Float32Array(n);
            const dx = new Float32Array(n);
            k.geluForward(y, x, n, approximate);
            k.geluBackward(dx, dy, x, n, approximate);
            return { y, dx };
          };
          const e = run(reference);
          const a = run(be);
          assertClose(a.y, e.y, 3e-6, `n=${n} ${approximate} y`);
          assertClose(a.dx, e.dx, 3e-6, `n=${n} ${approximate} dx`);
        }
      }
    });

    test("column reductions over many rows (LayerNorm dw/db, sumColumns): match the reference and do not depend on the thread count", () => {
      const be = make();
      const single = createNativeBackend({ isa: be.isa, threads: 1 });
      const rand = seededRandom(19);
      for (const [rows, cols] of [[64, 5], [65, 33], [200, 17], [1000, 128]] as const) {
        const x = randomFloat32(rand, rows * cols).map((v) => 2 * v + 1);
        const w = randomFloat32(rand, cols);
        const dy = randomFloat32(rand, rows * cols);
        const run = (k: Backend) => {
          const out = new Float32Array(rows * cols);
          const mean = new Float32Array(rows);
          const rstd = new Float32Array(rows);
          k.layerNormForward(out, mean, rstd, x, w, null, rows, cols, 1e-5);
          const dx = new Float32Array(rows * cols);
          const dw = Float32Array.from({ length: cols }, (_, i) => i); // accumulated into
          const db = new Float32Array(cols);
          k.layerNormBackward(dx, dw, db, dy, x, mean, rstd, w, rows, cols);
          const sums = new Float32Array(cols);
          k.sumColumns(sums, dy, rows, cols);
          return { dx, dw, db, sums };
        };
        const e = run(reference);
        const a = run(be);
        const one = run(single);
        for (const key of ["dx", "dw", "db", "sums"] as const) {
          assertClose(a[key], e[key], 1e-4, `rows=${rows} cols=${cols} ${key}`);
          assert.deepEqual(a[key], one[key], `rows=${rows} cols=${cols} ${key}: same bits on 1 thread`);
        }
      }
    });

    test("dropout: bit-identical to the reference's counter-based mask (odd sizes, p at 0, 0.1, 0.5, 1, in place)", () => {
      const be = make();
      const rand = seededRandom(17);
      for (const n of [1, 7, 16, 17, 200, 5003]) {
        const x = randomFloat32(rand, n).map((v) => 5 * v);
        if (n > 4) x.set([Infinity, -Infinity, NaN, -0], 0);
        for (const p of [0, 0.1, 0.5, 0.999, 1]) {
          const seed: [number, number] = [(rand() * 4294967296) >>> 0, (rand() * 4294967296) >>> 0];
          const e = new Float32Array(n);
          reference.dropout(e, x, n, p, seed);
          const a = new Float32Array(n);
          be.dropout(a, x, n, p, seed);
          const inPlace = x.slice();
          be.dropout(inPlace, inPlace, n, p, seed);
          for (let i = 0; i < n; i++) {
            assert.ok(Object.is(a[i], e[i]), `n=${n} p=${p} element ${i}: native ${a[i]}, reference ${e[i]}`);
            assert.ok(Object.is(inPlace[i], e[i]), `n=${n} p=${p} in place, element ${i}`);
          }
        }
      }
    });

    test("float32 ↔ bfloat16 conversions bit-identical to io/half.ts (every kind of pattern, odd sizes)", () => {
      const be = make();
      const rand = seededRandom(18);
      for (const n of [1, 15, 16, 17, 1000, 70001]) {
        const bits = Uint32Array.from({ length: n }, () => (rand() * 4294967296) >>> 0);
        const special = [0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f7fffff, 0x00000001, 0x80000000, 0x3f808000, 0x3f818000, 0x7f7f8000];
        bits.set(special.slice(0, Math.min(n, special.length)), 0);
        const x = new Float32Array(bits.buffer);
        const expected = float32ToBFloat16(x);
        const actual = new Uint16Array(n);
        be.float32ToBFloat16(actual, x);
        assert.deepEqual(actual, expected, `n=${n} to bf16`);
        const wide = new Float32Array(n);
        be.bfloat16ToFloat32(wide, expected);
        assert.deepEqual(new Uint32Array(wide.buffer), new Uint32Array(bfloat16ToFloat32(expected).buffer), `n=${n} from bf16`);
      }
    });

    test("float16 → float32 bit-identical to io/half.ts for all 65,536 patterns; float32 → float16 on 2²⁰ patterns and every edge", () => {
      const be = make();
      const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
      const wide = new Float32Array(all.length);
      be.float16ToFloat32(wide, all);
      assert.deepEqual(new Uint32Array(wide.buffer), new Uint32Array(float16ToFloat32(all).buffer), "from f16, every pattern");
      // Every float16 value and the midpoints next to it (ties to even, the subnormal range, the
      // overflow threshold 65520), NaNs with payloads of both signs, then random patterns.
      const edges: number[] = [0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0xff812345, 0x477ff000, 0x477fefff, 0x33000000, 0x33000001, 0xb3000000, 0x32ffffff];
      for (const v of new Uint32Array(wide.buffer)) edges.push(v, (v + 0x1000) >>> 0, (v + 0xfff) >>> 0, (v + 0x1001) >>> 0);
      const rand = seededRandom(19);
      for (const n of [1, 7, 8, 9, 1000, edges.length, 1 << 20]) {
        const bits = n === edges.length ? Uint32Array.from(edges) : Uint32Array.from({ length: n }, () => (rand() * 4294967296) >>> 0);
        if (n < edges.length) bits.set(edges.slice(0, n), 0);
        const x = new Float32Array(bits.buffer);
        const actual = new Uint16Array(n);
        be.float32ToFloat16(actual, x);
        assert.deepEqual(actual, float32ToFloat16(x), `n=${n} to f16`);
      }
    });

    test("AdamW: five steps match the reference for AdamW, Adam (L2), amsgrad and maximize", () => {
      const be = make();
      const variants: Partial<AdamWHyperparameters>[] = [{}, { decoupledWeightDecay: false }, { maximize: true, weightDecay: 0 }];
      for (const variant of variants) {
        for (const amsgrad of [false, true]) {
          const rand = seededRandom(16);
          const n = 37;
          const init = randomFloat32(rand, n);
          const grads = Array.from({ length: 5 }, () => randomFloat32(rand, n));
          const run = (k: Backend) => {
            const p = init.slice();
            const m = new Float32Array(n);
            const v = new Float32Array(n);
            const vMax = amsgrad ? new Float32Array(n) : null;
            grads.forEach((g, i) => {
              const h: AdamWHyperparameters = {
                lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupledWeightDecay: true, step: i + 1, maximize: false, ...variant,
              };
              k.adamwUpdate(p, g, m, v, vMax, h);
            });
            return { p, m, v };
          };
          const e = run(reference);
          const a = run(be);
          const what = `${JSON.stringify(variant)} amsgrad=${amsgrad}`;
          for (const key of ["p", "m", "v"] as const) assertClose(a[key], e[key], 1e-5, `${what} ${key}`);
        }
      }
    });

    test("embedding gather and scatter-add match the reference exactly, with repeated ids and padding; bad ids are IndexErrors", () => {
      const be = make();
      const rand = seededRandom(17);
      for (const dim of [1, 5, 16, 33]) {
        const num = 11;
        const n = 40;
        const weight = randomFloat32(rand, num * dim);
        const ids = Int32Array.from({ length: n }, () => Math.floor(rand() * num));
        const dOut = randomFloat32(rand, n * dim);
        for (const padding of [null, 3]) {
          const run = (k: Backend) => {
            const out = new Float32Array(n * dim);
            k.embeddingForward(out, weight, ids, n, dim, num);
            const dW = Float32Array.from({ length: num * dim }, (_, i) => i / 7);
            k.embeddingBackward(dW, dOut, ids, n, dim, num, padding);
            return { out, dW };
          };
          const e = run(reference);
          const a = run(be);
          assert.deepEqual(a.out, e.out);
          assertClose(a.dW, e.dW, 1e-6, `dim=${dim} padding=${padding}`);
        }
      }
      assert.throws(() => be.embeddingForward(new Float32Array(4), new Float32Array(6), Int32Array.of(0, 3), 2, 2, 3), IndexError);
      assert.throws(() => be.embeddingBackward(new Float32Array(6), new Float32Array(4), Int32Array.of(-1, 0), 2, 2, 3, null), IndexError);
    });

    test("binary ops (same shape, scalar, row broadcast both ways, in place) and sums match the reference", () => {
      const be = make();
      const rand = seededRandom(18);
      for (const cols of widths) {
        const rows = 3;
        const size = rows * cols;
        const a = randomFloat32(rand, size);
        const b = randomFloat32(rand, size).map((v) => v + (v >= 0 ? 0.5 : -0.5));
        const block = randomFloat32(rand, cols).map((v) => v + (v >= 0 ? 0.5 : -0.5));
        for (const op of [BinaryOp.add, BinaryOp.sub, BinaryOp.mul, BinaryOp.div, BinaryOp.maximum]) {
          const run = (k: Backend) => {
            const same = new Float32Array(size);
            k.binary(op, same, a, b);
            const scalar = new Float32Array(size);
            k.binaryScalar(op, scalar, a, 0.75);
            const rowsOut = new Float32Array(size);
            k.binaryRows(op, rowsOut, a, block, false);
            const swapped = new Float32Array(size);
            k.binaryRows(op, swapped, a, block, true);
            const inPlace = a.slice();
            k.binary(op, inPlace, inPlace, b);
            return { same, scalar, rowsOut, swapped, inPlace };
          };
          const e = run(reference);
          const got = run(be);
          for (const key of ["same", "scalar", "rowsOut", "swapped", "inPlace"] as const) assertClose(got[key], e[key], 0, `op ${op} cols=${cols} ${key}`);
        }
        const sumTol = 1e-6 * Math.sqrt(size);
        assert.ok(Math.abs(be.sum(a) - reference.sum(a)) <= sumTol, `sum cols=${cols}`);
        const r1 = new Float32Array(rows);
        const r2 = new Float32Array(rows);
        be.sumRows(r1, a, rows, cols);
        reference.sumRows(r2, a, rows, cols);
        assertClose(r1, r2, sumTol, `sumRows cols=${cols}`);
        const c1 = new Float32Array(cols).fill(9);
        const c2 = new Float32Array(cols);
        be.sumColumns(c1, a, rows, cols);
        reference.sumColumns(c2, a, rows, cols);
        assertClose(c1, c2, 1e-6, `sumColumns cols=${cols}`);
      }
      const big = randomFloat32(rand, 100_003);
      assert.ok(Math.abs(be.sum(big) - reference.sum(big)) < 1e-3);
      const withNaN = Float32Array.of(1, NaN, 2);
      assert.ok(Number.isNaN(be.sum(withNaN)));
    });

    test("float64 operands fall through to the reference kernels", () => {
      const be = make();
      const x = Float64Array.of(1, 2, 3, 0.5);
      const a = new Float64Array(4);
      const e = new Float64Array(4);
      be.softmaxForward(a, x, 1, 4, false);
      reference.softmaxForward(e, x, 1, 4, false);
      assert.deepEqual(a, e);
      const o1 = new Float64Array(4);
      const o2 = new Float64Array(4);
      be.matmul(o1, x, x, { batch: 1, m: 2, n: 2, k: 2, transA: false, transB: true, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false });
      reference.matmul(o2, x, x, { batch: 1, m: 2, n: 2, k: 2, transA: false, transB: true, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false });
      assert.deepEqual(o1, o2);
    });
  });
}
