import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AdamWHyperparameters } from "../../../src/backend/backend.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { createWasmBackend, type WasmBackend } from "../../../src/backend/wasm/index.js";
import { IndexError } from "../../../src/errors.js";
import { randomFloat32, seededRandom } from "./random.js";

const reference = new ReferenceBackend();
/** Row widths around the 4-lane SIMD width, plus a wide one. */
const widths = [1, 3, 4, 7, 64, 129];

/** |actual − expected| ≤ tol·(1 + |expected|) elementwise; NaN only where the reference has NaN. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}: element ${i}: wasm ${a}, reference ${e}`);
  }
}

// Softmax, cross-entropy and GELU split rows across the pool; parallelMinWork 0 sends even these
// small inputs through it.
const backends: [string, WasmBackend][] = [
  ["1 thread", createWasmBackend({ threads: 1 })],
  ["2 threads", createWasmBackend({ threads: 2, parallelMinWork: 0 })],
];

for (const [label, wasm] of backends) {
  describe(`wasm LayerNorm (${label})`, () => {
    test("forward and backward match the reference, with and without scale and shift", () => {
      const rand = seededRandom(11);
      const rows = 5;
      for (const cols of widths) {
        for (const affine of [true, false]) {
          const x = randomFloat32(rand, rows * cols).map((v) => 3 * v + 1);
          const w = affine ? randomFloat32(rand, cols) : null;
          const b = affine ? randomFloat32(rand, cols) : null;
          const run = (be: ReferenceBackend) => {
            const out = new Float32Array(rows * cols);
            const mean = new Float32Array(rows);
            const rstd = new Float32Array(rows);
            be.layerNormForward(out, mean, rstd, x, w, b, rows, cols, 1e-5);
            const dy = randomFloat32(seededRandom(cols), rows * cols);
            const dx = new Float32Array(rows * cols);
            const dw = Float32Array.from({ length: cols }, (_, i) => i); // accumulated into
            const db = Float32Array.from({ length: cols }, (_, i) => -i);
            be.layerNormBackward(dx, affine ? dw : null, affine ? db : null, dy, x, mean, rstd, w, rows, cols);
            return { out, mean, rstd, dx, dw, db };
          };
          const e = run(reference);
          const a = run(wasm);
          const what = `cols=${cols} affine=${affine}`;
          for (const key of ["out", "mean", "rstd", "dw", "db"] as const) assertClose(a[key], e[key], 2e-5, `${what} ${key}`);
          assertClose(a.dx, e.dx, 1e-4, `${what} dx`);
        }
      }
    });
  });

  describe(`wasm softmax (${label})`, () => {
    test("softmax and log-softmax, forward and backward, match the reference", () => {
      const rand = seededRandom(12);
      const rows = 4;
      for (const cols of widths) {
        for (const log of [false, true]) {
          const x = randomFloat32(rand, rows * cols).map((v) => 8 * v);
          const dy = randomFloat32(rand, rows * cols);
          const run = (be: ReferenceBackend) => {
            const y = new Float32Array(rows * cols);
            const dx = new Float32Array(rows * cols);
            be.softmaxForward(y, x, rows, cols, log);
            be.softmaxBackward(dx, dy, y, rows, cols, log);
            return { y, dx };
          };
          const e = run(reference);
          const a = run(wasm);
          assertClose(a.y, e.y, 2e-6, `cols=${cols} log=${log} y`);
          assertClose(a.dx, e.dx, 1e-5, `cols=${cols} log=${log} dx`);
        }
      }
    });

    test("−∞ (masked) entries get probability exactly 0; an all −∞ row is NaN as in the reference", () => {
      const x = Float32Array.of(0, -Infinity, 1, -Infinity, 2, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity);
      const a = new Float32Array(10);
      const e = new Float32Array(10);
      wasm.softmaxForward(a, x, 2, 5, false);
      reference.softmaxForward(e, x, 2, 5, false);
      assert.deepEqual([a[1], a[3]], [0, 0]);
      assertClose(a, e, 2e-6, "masked rows");
      assert.ok(Number.isNaN(a[5]));
    });

    test("extreme logits stay finite", () => {
      const x = Float32Array.of(-200, 0, 80, 88, -88);
      const a = new Float32Array(5);
      const e = new Float32Array(5);
      wasm.softmaxForward(a, x, 1, 5, false);
      reference.softmaxForward(e, x, 1, 5, false);
      assertClose(a, e, 2e-6, "extreme");
    });
  });

  describe(`wasm cross-entropy (${label})`, () => {
    test("forward and backward match the reference, with weights, smoothing and ignored rows", () => {
      const rand = seededRandom(13);
      const rows = 6;
      for (const classes of [1, 3, 5, 8, 131]) {
        for (const weighted of [false, true]) {
          const logits = randomFloat32(rand, rows * classes).map((v) => 6 * v);
          const targets = Int32Array.from({ length: rows }, (_, n) => (n === 2 ? -100 : Math.floor(rand() * classes)));
          const weight = weighted ? Float32Array.from({ length: classes }, () => 0.5 + rand()) : null;
          const gNll = Float64Array.from({ length: rows }, () => rand());
          const gSmooth = Float64Array.from({ length: rows }, () => rand() * 0.1);
          const run = (be: ReferenceBackend) => {
            const f = be.crossEntropyForward(logits, targets, weight, rows, classes, -100);
            const d = new Float32Array(rows * classes).fill(7); // ignored rows must be zeroed
            be.crossEntropyBackward(d, logits, targets, weight, f.lse, gNll, gSmooth, rows, classes, -100);
            return { ...f, d };
          };
          const e = run(reference);
          const a = run(wasm);
          const what = `classes=${classes} weighted=${weighted}`;
          assertClose(a.lse, e.lse, 2e-6, `${what} lse`);
          assertClose(a.nll, e.nll, 1e-5, `${what} nll`);
          assertClose(a.smooth, e.smooth, 1e-5, `${what} smooth`);
          assertClose(a.d, e.d, 1e-5, `${what} dlogits`);
        }
      }
    });

    test("a target outside the classes is an IndexError", () => {
      const logits = new Float32Array(6);
      assert.throws(() => wasm.crossEntropyForward(logits, Int32Array.of(0, 3), null, 2, 3, -100), IndexError);
    });
  });

  describe(`wasm GELU (${label})`, () => {
    test("exact and tanh forms, forward and backward, match the reference", () => {
      const rand = seededRandom(15);
      for (const n of [1, 3, 4, 7, 200]) {
        // Wide range, so both tails (saturation, exp underflow) are covered.
        const x = randomFloat32(rand, n).map((v) => 12 * v);
        const dy = randomFloat32(rand, n);
        for (const approximate of ["none", "tanh"] as const) {
          const run = (be: ReferenceBackend) => {
            const y = new Float32Array(n);
            const dx = new Float32Array(n);
            be.geluForward(y, x, n, approximate);
            be.geluBackward(dx, dy, x, n, approximate);
            return { y, dx };
          };
          const e = run(reference);
          const a = run(wasm);
          assertClose(a.y, e.y, 2e-6, `n=${n} ${approximate} y`);
          assertClose(a.dx, e.dx, 2e-6, `n=${n} ${approximate} dx`);
        }
      }
    });
  });

  describe(`wasm AdamW (${label})`, () => {
    test("five steps match the reference for AdamW, Adam (L2), amsgrad and maximize", () => {
      const variants: Partial<AdamWHyperparameters>[] = [
        {},
        { decoupledWeightDecay: false },
        { maximize: true, weightDecay: 0 },
      ];
      for (const variant of variants) {
        for (const amsgrad of [false, true]) {
          const rand = seededRandom(14);
          const n = 37;
          const init = randomFloat32(rand, n);
          const grads = Array.from({ length: 5 }, () => randomFloat32(rand, n));
          const run = (be: ReferenceBackend) => {
            const p = init.slice();
            const m = new Float32Array(n);
            const v = new Float32Array(n);
            const vMax = amsgrad ? new Float32Array(n) : null;
            grads.forEach((g, i) => {
              const h: AdamWHyperparameters = {
                lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupledWeightDecay: true,
                step: i + 1, maximize: false, ...variant,
              };
              be.adamwUpdate(p, g, m, v, vMax, h);
            });
            return { p, m, v };
          };
          const e = run(reference);
          const a = run(wasm);
          const what = `${JSON.stringify(variant)} amsgrad=${amsgrad}`;
          assertClose(a.p, e.p, 1e-5, `${what} param`);
          assertClose(a.m, e.m, 1e-5, `${what} m`);
          assertClose(a.v, e.v, 1e-5, `${what} v`);
        }
      }
    });
  });
}

test("float64 row ops fall through to the reference backend", () => {
  const wasm = backends[0]?.[1] ?? createWasmBackend({ threads: 1 });
  const x = Float64Array.of(1, 2, 3);
  const a = new Float64Array(3);
  const e = new Float64Array(3);
  wasm.softmaxForward(a, x, 1, 3, false);
  reference.softmaxForward(e, x, 1, 3, false);
  assert.deepEqual([...a], [...e]);
});
