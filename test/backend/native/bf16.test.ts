import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createNativeBackend } from "../../../src/backend/native/index.js";
import { loadNativeModule } from "../../../src/backend/native/loader.js";
import { ShapeError, ValueError } from "../../../src/errors.js";
import { randomFloat32, seededRandom } from "../wasm/random.js";
import { skip } from "./native.js";

const hasBf16 = !skip && loadNativeModule().features().avx512bf16;
const bf16Skip = skip || (hasBf16 ? false : "this CPU has no AVX-512 BF16");

/** bfloat16 bits of each value, rounded to nearest even (finite inputs). */
function toBf16(x: Float32Array): Uint16Array {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  return Uint16Array.from(bits, (u) => (u + 0x7fff + ((u >>> 16) & 1)) >>> 16);
}

/** The float32 values bfloat16 bits stand for. */
function fromBf16(h: Uint16Array): Float32Array {
  return new Float32Array(Uint32Array.from(h, (v) => v << 16).buffer);
}

/** out[m,n] = A[m,k]·op(B) in float64 over the values the bf16 bits hold. */
function referenceProduct(a: Float32Array, b: Float32Array, m: number, n: number, k: number, transB: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[i * k + p] as number) * (transB ? (b[j * k + p] as number) : (b[p * n + j] as number));
      out[i * n + j] = s;
    }
  }
  return out;
}

const hasAmx = !skip && loadNativeModule().features().amxbf16;
const kernels: [string, boolean, string | false][] = [
  ["vdpbf16ps", false, bf16Skip],
  ["AMX tiles", true, skip || (hasAmx ? false : "this CPU (or OS) offers no AMX-BF16")],
];

for (const [kernel, amx, kernelSkip] of kernels) for (const threads of [1, 2, 3]) {
  describe(`native bf16 matmul, ${kernel} (${threads} thread${threads > 1 ? "s" : ""})`, { skip: kernelSkip }, () => {
    test("products equal the float64 product of the bf16 values (odd k, tile edges, B or Bᵀ, accumulate)", () => {
      const be = createNativeBackend({ threads, parallelMinWork: 0, amx });
      const rand = seededRandom(21);
      for (const [m, n, k] of [[1, 1, 1], [13, 33, 7], [12, 32, 512], [30, 70, 601], [150, 40, 33], [32, 32, 32], [65, 97, 64]] as const) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            const a = toBf16(randomFloat32(rand, m * k));
            const b = toBf16(randomFloat32(rand, k * n));
            const start = randomFloat32(rand, m * n);
            const out = start.slice();
            be.matmulBf16(out, a, b, m, n, k, transB, accumulate);
            const expected = referenceProduct(fromBf16(a), fromBf16(b), m, n, k, transB);
            const tol = 2e-6 * Math.sqrt(k) * 4;
            for (let i = 0; i < m * n; i++) {
              const e = (expected[i] as number) + (accumulate ? (start[i] as number) : 0);
              const got = out[i] as number;
              if (!(Math.abs(got - e) <= tol * (1 + Math.abs(e)))) assert.fail(`[${m}×${n}×${k}] transB=${transB} accumulate=${accumulate} element ${i}: ${got} vs ${e}`);
            }
          }
        }
      }
    });

    test("short operands and bad sizes are errors", () => {
      const be = createNativeBackend({ threads, amx });
      assert.throws(() => be.matmulBf16(new Float32Array(4), new Uint16Array(3), new Uint16Array(4), 2, 2, 2), ShapeError);
      assert.throws(() => be.matmulBf16(new Float32Array(4), new Uint16Array(4), new Uint16Array(4), 2, 2.5, 2), ShapeError);
    });
  });
}

describe("native bf16 matmul without AVX-512 BF16", { skip: skip || (hasBf16 ? false : "runs only where the CPU has AVX-512 BF16 to compare") }, () => {
  test("the AVX2 backend reports the CPU's BF16 support, and a CPU without it (and without AMX) gets a ValueError", () => {
    const be = createNativeBackend({ isa: "avx2", threads: 1, amx: false });
    assert.equal(be.features.avx512bf16, true);
    const noBf16 = Object.create(be, { features: { value: { ...be.features, avx512bf16: false } } }) as typeof be;
    assert.throws(() => noBf16.matmulBf16(new Float32Array(1), new Uint16Array(1), new Uint16Array(1), 1, 1, 1), ValueError);
  });
});
