/**
 * Parity of the native LayerNorm and softmax kernels on half bits (kernels/half.cc): for bfloat16 and
 * float16, rows around the 64-row chunk the kernels widen at a time, odd widths, with and without
 * weight and bias, on 1, 2 and 3 threads, they must give exactly the float32 kernels' bits on widened
 * copies with the outputs rounded once: out, mean, rstd, dx, and the float32 dw and db sums.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createNativeBackend } from "../../../src/backend/native/index.js";
import { loadNativeModule } from "../../../src/backend/native/loader.js";
import { bfloat16ToFloat32, float16ToFloat32, float32ToBFloat16, float32ToFloat16 } from "../../../src/io/half.js";
import { randomFloat32, seededRandom } from "../wasm/random.js";
import { skip } from "./native.js";

const halfSkip = skip || (loadNativeModule().features().avx512f ? false : "the half row kernels are AVX-512 code");
const formats = [
  { dtype: "bfloat16" as const, narrow: float32ToBFloat16, widen: bfloat16ToFloat32 },
  { dtype: "float16" as const, narrow: float32ToFloat16, widen: float16ToFloat32 },
];

function bitsOf(x: Float32Array): Uint32Array {
  return new Uint32Array(x.buffer, x.byteOffset, x.length);
}

for (const { dtype, narrow, widen } of formats) {
  for (const threads of [1, 2, 3]) {
    describe(`native ${dtype} LayerNorm and softmax rows (${threads} thread${threads > 1 ? "s" : ""})`, { skip: halfSkip }, () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0 });
      const sizes: [number, number][] = [[1, 1], [3, 7], [63, 16], [64, 33], [65, 5], [200, 96], [130, 384]];

      test("LayerNorm forward and backward: the float32 kernels' bits on widened copies, rounded once", () => {
        const rand = seededRandom(61);
        for (const [rows, cols] of sizes) {
          for (const affine of [true, false]) {
            const x = narrow(randomFloat32(rand, rows * cols).map((v) => 3 * v + 0.5));
            const w = affine ? narrow(randomFloat32(rand, cols)) : null;
            const b = affine ? narrow(randomFloat32(rand, cols)) : null;
            const dy = narrow(randomFloat32(rand, rows * cols));
            const [xw, ww, bw, dyw] = [widen(x), w && widen(w), b && widen(b), widen(dy)];
            const what = `${rows}×${cols} affine=${affine}`;

            const out = new Uint16Array(rows * cols);
            const mean = new Float32Array(rows);
            const rstd = new Float32Array(rows);
            be.layerNormForwardHalf(dtype, out, mean, rstd, x, w, b, rows, cols, 1e-5);
            const out32 = new Float32Array(rows * cols);
            const mean32 = new Float32Array(rows);
            const rstd32 = new Float32Array(rows);
            be.layerNormForward(out32, mean32, rstd32, xw, ww, bw, rows, cols, 1e-5);
            assert.deepEqual(out, narrow(out32), `${what}: out`);
            assert.deepEqual(bitsOf(mean), bitsOf(mean32), `${what}: mean`);
            assert.deepEqual(bitsOf(rstd), bitsOf(rstd32), `${what}: rstd`);

            const dx = new Uint16Array(rows * cols);
            const dw = affine ? new Float32Array(cols) : null;
            const db = affine ? new Float32Array(cols) : null;
            be.layerNormBackwardHalf(dtype, dx, dw, db, dy, x, mean, rstd, w, rows, cols);
            const dx32 = new Float32Array(rows * cols);
            const dw32 = affine ? new Float32Array(cols) : null;
            const db32 = affine ? new Float32Array(cols) : null;
            be.layerNormBackward(dx32, dw32, db32, dyw, xw, mean32, rstd32, ww, rows, cols);
            assert.deepEqual(dx, narrow(dx32), `${what}: dx`);
            if (dw && dw32) assert.deepEqual(bitsOf(dw), bitsOf(dw32), `${what}: dw`);
            if (db && db32) assert.deepEqual(bitsOf(db), bitsOf(db32), `${what}: db`);
            // Only the weight and bias gradients: dx may be null.
            const dwOnly = new Float32Array(cols);
            be.layerNormBackwardHalf(dtype, null, affine ? dwOnly : null, null, dy, x, mean, rstd, w, rows, cols);
            if (dw) assert.deepEqual(bitsOf(dwOnly), bitsOf(dw), `${what}: dw without dx`);
          }
        }
      });

      test("softmax and logSoftmax forward and backward: the float32 kernels' bits on widened copies, rounded once", () => {
        const rand = seededRandom(62);
        for (const [rows, cols] of sizes) {
          for (const log of [false, true]) {
            const x = narrow(randomFloat32(rand, rows * cols).map((v) => 6 * v));
            const dy = narrow(randomFloat32(rand, rows * cols));
            const what = `${rows}×${cols} log=${log}`;
            const out = new Uint16Array(rows * cols);
            be.softmaxForwardHalf(dtype, out, x, rows, cols, log);
            const y32 = new Float32Array(rows * cols);
            be.softmaxForward(y32, widen(x), rows, cols, log);
            assert.deepEqual(out, narrow(y32), `${what}: out`);
            const dx = new Uint16Array(rows * cols);
            be.softmaxBackwardHalf(dtype, dx, dy, x, rows, cols, log);
            const dx32 = new Float32Array(rows * cols);
            be.softmaxBackward(dx32, widen(dy), y32, rows, cols, log);
            assert.deepEqual(dx, narrow(dx32), `${what}: dx`);
          }
        }
      });
    });
  }
}
