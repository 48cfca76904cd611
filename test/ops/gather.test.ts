import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DTypeError, Generator, IndexError, ShapeError, ops, tensor, zeros } from "../../src/index.js";
import { check, ints, leaf, randn64 } from "./helpers.js";

describe("gather", () => {
  test("picks along dim 1 and dim 0 (hand-computed)", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(x.gather(1, ints([[0, 0], [2, 1]])).toArray(), [[1, 1], [6, 5]]);
    assert.deepEqual(x.gather(0, ints([[1, 0, 1]])).toArray(), [[4, 2, 6]]);
    assert.deepEqual(x.gather(-1, ints([[2], [0]])).toArray(), [[3], [4]]);
  });

  test("reads a transposed input through its strides", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]).T; // [[1,4],[2,5],[3,6]]
    assert.deepEqual(x.gather(1, ints([[1], [0], [1]])).toArray(), [[4], [2], [6]]);
  });

  test("out-of-range and negative indices throw IndexError naming op, index and size", () => {
    const x = tensor([[1, 2, 3]]);
    assert.throws(() => x.gather(1, ints([[3]])), { name: "IndexError", message: "gather: index 3 is out of bounds for dim 1 with size 3" });
    assert.throws(() => x.gather(1, ints([[-1]])), IndexError);
    assert.throws(() => x.gather(1, tensor([[0]])), DTypeError);
    assert.throws(() => x.gather(1, ints([0])), ShapeError);
    assert.throws(() => x.gather(1, ints([[0], [0]])), /gather: index shape \[2,1\] must not exceed input shape \[1,3\] outside dim 1/);
    assert.throws(() => x.gather(2, ints([[0]])), IndexError);
  });

  test("gradcheck with repeated indices (gradients add up)", () => {
    const index = ints([[0, 0, 2], [1, 1, 1]]);
    check((x) => x.gather(1, index), [leaf([2, 4], 1)]);
    check((x) => x.gather(0, ints([[1, 0], [1, 1], [0, 0]])), [randn64([2, 3], 2).T.requiresGrad_()]);
    const x = leaf([1, 3], 3);
    x.gather(1, ints([[2, 2, 2, 0]])).sum().backward();
    assert.deepEqual(x.grad?.toArray(), [[1, 0, 3]]);
  });
});

describe("scatter and scatterAdd", () => {
  test("scatter writes src (or a number) into a copy of x", () => {
    const x = zeros([2, 3]);
    const src = tensor([[1, 2], [3, 4]]);
    assert.deepEqual(ops.scatter(x, 1, ints([[2, 0], [1, 2]]), src).toArray(), [[2, 0, 1], [0, 3, 4]]);
    assert.deepEqual(x.scatter(0, ints([[1, 0, 1]]), 7).toArray(), [[0, 7, 0], [7, 0, 7]]);
    assert.deepEqual(x.toArray(), [[0, 0, 0], [0, 0, 0]], "out of place");
  });

  test("scatterAdd sums repeated positions", () => {
    const x = tensor([[1, 1, 1]]);
    const out = x.scatterAdd(1, ints([[0, 0, 2, 0]]), tensor([[1, 2, 3, 4]]));
    assert.deepEqual(out.toArray(), [[8, 1, 4]]);
  });

  test("shape, dtype and range errors", () => {
    const x = zeros([2, 3]);
    assert.throws(() => x.scatter(1, ints([[3]]), 1), { name: "IndexError", message: "scatter: index 3 is out of bounds for dim 1 with size 3" });
    assert.throws(() => x.scatterAdd(1, ints([[0, 1]]), tensor([[1]])), /scatterAdd: index shape \[1,2\] must not exceed src shape \[1,1\]/);
    assert.throws(() => x.scatterAdd(1, ints([[0]]), tensor([[1]], { dtype: "float64" })), DTypeError);
  });

  test("gradcheck: x and src, with a transposed src", () => {
    const index = ints([[2, 0], [1, 2], [0, 0]]);
    // distinct positions per row for scatter (duplicates keep an unspecified winner)
    check((x, s) => ops.scatter(x, 1, ints([[2, 0], [1, 2], [0, 1]]), s), [leaf([3, 4], 1), leaf([3, 2], 2)]);
    check((x, s) => ops.scatterAdd(x, 1, index, s), [leaf([3, 4], 3), randn64([3, 3], 4).T.requiresGrad_()]);
    check((x) => ops.scatter(x, 0, ints([[1, 0]]), 0), [leaf([2, 2], 5)]);
  });
});

describe("indexSelect and indexAdd", () => {
  test("selects rows/columns with repeats (hand-computed)", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(x.indexSelect(0, ints([1, 1, 0])).toArray(), [[4, 5, 6], [4, 5, 6], [1, 2, 3]]);
    assert.deepEqual(x.indexSelect(1, ints([2, 0])).toArray(), [[3, 1], [6, 4]]);
    assert.deepEqual(x.T.indexSelect(1, ints([1])).toArray(), [[4], [5], [6]]);
    assert.deepEqual(x.indexAdd(0, ints([0, 0]), tensor([[1, 1, 1], [2, 2, 2]])).toArray(), [[4, 5, 6], [4, 5, 6]]);
  });

  test("errors name the op, index and size", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.throws(() => x.indexSelect(0, ints([2])), { name: "IndexError", message: "indexSelect: index 2 is out of bounds for dim 0 with size 2" });
    assert.throws(() => x.indexSelect(0, ints([[0]])), ShapeError);
    assert.throws(() => x.indexSelect(0, tensor([0])), DTypeError);
    assert.throws(() => x.indexAdd(0, ints([0]), tensor([[1, 1]])), ShapeError);
  });

  test("embedding lookup with repeated ids accumulates gradient per id", () => {
    const table = leaf([4, 3], 1);
    const ids = ints([2, 0, 2, 2]);
    table.indexSelect(0, ids).sum().backward();
    assert.deepEqual(table.grad?.toArray(), [[1, 1, 1], [0, 0, 0], [3, 3, 3], [0, 0, 0]]);
  });

  test("gradcheck: both dims, non-contiguous input, indexAdd's two inputs", () => {
    check((x) => x.indexSelect(1, ints([2, 0, 2])), [leaf([2, 3, 2], 1)]);
    check((x) => x.indexSelect(0, ints([1, 1])), [randn64([3, 2], 2).T.requiresGrad_()]);
    check((x, s) => x.indexAdd(1, ints([0, 2, 0]), s), [leaf([2, 3], 3), leaf([2, 3], 4)]);
  });
});

describe("against naive loops (fast-check)", () => {
  test("gather and indexSelect on random shapes, dims and indices", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 5 }), fc.nat(), (rows, cols, dim, k, seed) => {
        const x = randn64([rows, cols], seed);
        const xv = x.toArray() as number[][];
        const size = dim === 0 ? rows : cols;
        const gen = new Generator(seed);
        // gather: index [rows', cols'] with the non-dim size ≤ x's and any size along dim
        const ir = dim === 0 ? k : rows;
        const ic = dim === 1 ? k : cols;
        const idx = Array.from({ length: ir }, () => Array.from({ length: ic }, () => gen.randint(0, size)));
        const got = x.gather(dim, ints(idx)).toArray();
        const want = idx.map((row, i) => row.map((v, j) => (dim === 0 ? xv[v]?.[j] : xv[i]?.[v]) as number));
        assert.deepEqual(got, want);
        // indexSelect
        const sel = Array.from({ length: k }, () => gen.randint(0, size));
        const got2 = x.indexSelect(dim, ints(sel)).toArray();
        const want2 = dim === 0 ? sel.map((v) => xv[v] as number[]) : xv.map((row) => sel.map((v) => row[v] as number));
        assert.deepEqual(got2, want2);
      }),
      { numRuns: 60, seed: 1 },
    );
  });
});
