import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { contiguousStrides, numel, stridedOffsets } from "../../src/tensor/shape.js";
import { addStrided, copyStrided, copyView, sumStrided } from "../../src/tensor/strided.js";

/** A random view into a buffer: a permutation of a contiguous shape, then a slice in each dim, possibly a stepped one. */
const viewArb = fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 0, maxLength: 4 }).chain((base) =>
  fc.record({
    base: fc.constant(base.map((s) => s + 1)),
    perm: fc.shuffledSubarray([...base.keys()], { minLength: base.length, maxLength: base.length }),
    starts: fc.tuple(...base.map((s) => fc.integer({ min: 0, max: s }))),
    steps: fc.tuple(...base.map(() => fc.integer({ min: 1, max: 3 }))),
    lead: fc.integer({ min: 0, max: 5 }),
  }),
).map(({ base, perm, starts, steps, lead }) => {
  const full = contiguousStrides(base);
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = lead;
  for (const d of perm) {
    const start = starts[d] as number;
    const step = steps[d] as number;
    offset += start * (full[d] as number);
    shape.push(Math.ceil(((base[d] as number) - start) / step));
    strides.push((full[d] as number) * step);
  }
  return { shape, strides, offset, storage: numel(base) + lead };
});

function gathered(src: Float64Array, shape: number[], strides: number[], offset: number): number[] {
  return Array.from(stridedOffsets(shape, strides, offset), (o) => src[o] as number);
}

test("copyStrided, addStrided and sumStrided agree with an element-by-element walk of stridedOffsets", () => {
  fc.assert(fc.property(viewArb, ({ shape, strides, offset, storage }) => {
    const src = Float64Array.from({ length: storage }, (_, i) => i * 0.5 - 3);
    const expected = gathered(src, shape, strides, offset);
    const n = expected.length;
    const out = new Float64Array(n + 2);
    copyStrided(out, 2, src, shape, strides, offset);
    assert.deepEqual(Array.from(out.subarray(2)), expected);
    const acc = Float64Array.from({ length: n }, (_, i) => i);
    addStrided(acc, src, shape, strides, offset);
    assert.deepEqual(Array.from(acc), expected.map((v, i) => v + i));
    const sum = new Float64Array(n);
    sumStrided(sum, Float64Array.from({ length: n }, (_, i) => 2 * i), src, shape, strides, offset);
    assert.deepEqual(Array.from(sum), expected.map((v, i) => v + 2 * i));
  }), { seed: 7, numRuns: 300 });
});

test("copyStrided converts between storage types like a typed-array store", () => {
  const src = Float64Array.from([1.5, 2.25, -3.125, 4, 5, 6]);
  const out = new Float32Array(6);
  copyStrided(out, 0, src, [3, 2], [1, 3], 0); // the transpose of a [2, 3] matrix
  assert.deepEqual(Array.from(out), [1.5, 4, 2.25, 5, -3.125, 6]);
  const ints = new Int32Array(2);
  copyStrided(ints, 0, Float32Array.from([7, 8]), [2], [1], 0);
  assert.deepEqual(Array.from(ints), [7, 8]);
});

test("copyView writes a view into another view of the same shape, element for element", () => {
  fc.assert(fc.property(viewArb, fc.boolean(), ({ shape, strides, offset, storage }, transposeDst) => {
    const src = Float64Array.from({ length: storage }, (_, i) => i * 0.25 + 1);
    // The destination: a fresh buffer laid out row-major, or column-major (reversed dim order) plus a lead offset.
    const n = numel(shape);
    const order = shape.map((_, i) => i);
    if (transposeDst) order.reverse();
    const dstStrides = new Array<number>(shape.length);
    let step = 1;
    for (let i = order.length - 1; i >= 0; i--) {
      const d = order[i] as number;
      dstStrides[d] = step;
      step *= shape[d] as number;
    }
    const dst = new Float64Array(n + 3).fill(-1);
    copyView(dst, dstStrides, 3, src, strides, offset, shape);
    const written = Array.from(stridedOffsets(shape, dstStrides, 3), (o) => dst[o] as number);
    assert.deepEqual(written, gathered(src, shape, strides, offset));
    assert.deepEqual(Array.from(dst.subarray(0, 3)), [-1, -1, -1]);
  }), { seed: 11, numRuns: 300 });
});
