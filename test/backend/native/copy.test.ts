/**
 * The native strided copy (kernels/copy.cc, `copyStrided`) against an element-by-element walk: permuted,
 * sliced, broadcast (stride 0) and flipped (negative stride) views of every element type, at offsets;
 * mismatched types and shared buffers declined; a view that reaches outside its array refused. And
 * tensor contiguous copies through it (copyView uses it above a size) equal to the walk.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createNativeBackend } from "../../../src/backend/native/index.js";
import { ShapeError } from "../../../src/errors.js";
import { getBackend, randn, setBackend } from "../../../src/index.js";
import { permute } from "../../../src/ops/views.js";
import { seededRandom } from "../wasm/random.js";
import { skip } from "./native.js";

/** dst[dOff + Σ i·ds] = src[sOff + Σ i·ss] over `sizes`, one element at a time (the specification). */
function walk(dst: Float32Array | Float64Array, src: ArrayLike<number>, sizes: number[], ds: number[], ss: number[], dOff: number, sOff: number): void {
  const index = sizes.map(() => 0);
  const total = sizes.reduce((p, d) => p * d, 1);
  for (let n = 0; n < total; n++) {
    let o = dOff;
    let s = sOff;
    for (let d = 0; d < sizes.length; d++) {
      o += (index[d] as number) * (ds[d] as number);
      s += (index[d] as number) * (ss[d] as number);
    }
    dst[o] = src[s] as number;
    for (let d = sizes.length - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (sizes[d] as number)) break;
      index[d] = 0;
    }
  }
}

describe("native copyStrided", { skip }, () => {
  const be = createNativeBackend({ threads: 1 });
  const makers = [
    (n: number) => new Float32Array(n), (n: number) => new Float64Array(n), (n: number) => new Int32Array(n),
    (n: number) => new Uint8Array(n), (n: number) => new Uint16Array(n),
  ];

  test("permuted, sliced, broadcast and flipped views of every element type equal an element walk", () => {
    const rand = seededRandom(71);
    // [sizes, source strides, source offset]: a head merge ([B,T,H,D] of [B,H,T,D]), a transpose, a
    // broadcast row, a flip, a column slice.
    const cases: [number[], number[], number][] = [
      [[2, 5, 3, 4], [60, 4, 20, 1], 0],
      [[7, 9], [1, 7], 3],
      [[6, 10], [0, 1], 2],
      [[4, 8], [8, -1], 7],
      [[5, 3], [11, 1], 4],
    ];
    for (const make of makers) {
      for (const [sizes, ss, sOff] of cases) {
        const total = sizes.reduce((p, d) => p * d, 1);
        const src = make(200);
        for (let i = 0; i < src.length; i++) src[i] = Math.floor(rand() * 250);
        const ds = sizes.map((_, d) => sizes.slice(d + 1).reduce((p, x) => p * x, 1));
        const got = make(total + 5);
        assert.equal(be.copyStrided(got, src, sizes, ds, ss, 5, sOff), true);
        const want = new Float64Array(total + 5);
        walk(want, src, sizes, ds, ss, 5, sOff);
        assert.deepEqual([...got], [...want], `${got.constructor.name} ${JSON.stringify(sizes)}`);
      }
    }
  });

  test("mismatched types and shared buffers are declined; a view past its array is refused", () => {
    assert.equal(be.copyStrided(new Float32Array(4), new Int32Array(4), [2, 2], [2, 1], [1, 2], 0, 0), false);
    const shared = new Float32Array(8);
    assert.equal(be.copyStrided(shared.subarray(0, 4), shared.subarray(4), [2, 2], [2, 1], [1, 2], 0, 0), false);
    assert.throws(() => be.copyStrided(new Float32Array(4), new Float32Array(4), [2, 3], [3, 1], [1, 2], 0, 0), ShapeError);
    assert.throws(() => be.copyStrided(new Float32Array(6), new Float32Array(4), [2, 2], [2, 1], [-1, 2], 0, 0), ShapeError);
  });

  test("contiguous copies of permuted tensors go through it and keep every value", () => {
    const saved = getBackend();
    const native = createNativeBackend({ threads: 2 });
    let calls = 0;
    const copy = native.copyStrided.bind(native);
    native.copyStrided = (...args) => { calls++; return copy(...args); };
    setBackend(native);
    try {
      const x = randn([4, 3, 40, 32]);
      const heads = permute(x, [0, 2, 1, 3]);
      const got = heads.contiguousValues();
      const xs = x.contiguousValues();
      const want = new Float32Array(got.length);
      walk(want, xs, [4, 40, 3, 32], [3840, 96, 32, 1], [3840, 32, 1280, 1], 0, 0);
      assert.deepEqual(got, want);
      assert.ok(calls > 0, "the copy ran natively");
    } finally {
      setBackend(saved);
    }
  });
});
