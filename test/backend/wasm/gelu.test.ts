import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { createWasmBackend } from "../../../src/backend/wasm/index.js";
import { randomFloat32, seededRandom } from "./random.js";

// Accuracy of the float32 GELU kernels against the float64 reference (rows.test.ts checks parity with
// the float32 reference). The tanh form is evaluated as x·σ(2u) and its derivative with 1 − σ = e·σ
// (assembly/gelu.ts); the exact form's erf is Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5·10⁻⁷).
describe("wasm GELU accuracy", () => {
  const wasm = createWasmBackend({ threads: 1 });
  const reference = new ReferenceBackend();
  const n = 4099;
  const x = randomFloat32(seededRandom(21), n).map((v) => 10 * v);
  const x64 = Float64Array.from(x);
  const ones = new Float32Array(n).fill(1);

  /** max |a − e| / (1 + |e|): about one float32 ulp of 1 is 6·10⁻⁸. */
  function worst(a: Float32Array, e: Float64Array): number {
    let w = 0;
    for (let i = 0; i < n; i++) w = Math.max(w, Math.abs((a[i] ?? 0) - (e[i] ?? 0)) / (1 + Math.abs(e[i] ?? 0)));
    return w;
  }

  for (const [approximate, bound] of [["tanh", 2e-7], ["none", 4e-7]] as const) {
    test(`${approximate} form: forward and backward within ${bound} of float64`, () => {
      const y = new Float32Array(n);
      const dx = new Float32Array(n);
      wasm.geluForward(y, x, n, approximate);
      wasm.geluBackward(dx, ones, x, n, approximate);
      const y64 = new Float64Array(n);
      const dx64 = new Float64Array(n);
      reference.geluForward(y64, x64, n, approximate);
      reference.geluBackward(dx64, new Float64Array(n).fill(1), x64, n, approximate);
      assert.ok(worst(y, y64) <= bound, `forward ${worst(y, y64)}`);
      assert.ok(worst(dx, dx64) <= bound, `backward ${worst(dx, dx64)}`);
    });
  }

  test("NaN and infinities as the reference: gelu(+∞) = +∞, gelu(−∞) = NaN (−∞·0), gradients NaN at ±∞", () => {
    const special = Float32Array.from([NaN, Infinity, -Infinity, -20, 20]);
    for (const approximate of ["tanh", "none"] as const) {
      const run = (be: ReferenceBackend) => {
        const y = new Float32Array(5);
        const dx = new Float32Array(5);
        be.geluForward(y, special, 5, approximate);
        be.geluBackward(dx, ones.subarray(0, 5), special, 5, approximate);
        return [...y, ...dx].map((v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? 0 : v));
      };
      assert.deepEqual(run(wasm), run(reference), approximate);
    }
  });
});
