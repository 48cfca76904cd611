import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ShapeError, ops, scalar, tensor } from "../../src/index.js";
import { assertClose, check, flat, gradOf, leaf, leafIn, randn64 } from "./helpers.js";

describe("arithmetic forward", () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  const b = tensor([10, 20, 30]);

  test("add/sub/mul/div with broadcasting (hand-computed)", () => {
    assert.deepEqual(a.add(b).toArray(), [[11, 22, 33], [14, 25, 36]]);
    assert.deepEqual(a.sub(b).toArray(), [[-9, -18, -27], [-6, -15, -24]]);
    assert.deepEqual(a.mul(tensor([[2], [3]])).toArray(), [[2, 4, 6], [12, 15, 18]]);
    assert.deepEqual(b.div(tensor([4, 5, 8])).toArray(), [2.5, 4, 3.75]);
    assert.deepEqual(a.add(b, 2).toArray(), [[21, 42, 63], [24, 45, 66]]);
    assert.deepEqual(ops.rsub(b, 1).toArray(), [-9, -19, -29]);
    assert.deepEqual(a.neg().toArray(), [[-1, -2, -3], [-4, -5, -6]]);
  });

  test("broadcast [2,1] with [3] gives [2,3]; scalars and 0-d tensors broadcast", () => {
    const out = tensor([[1], [2]]).add(tensor([10, 20, 30]));
    assert.deepEqual(out.shape, [2, 3]);
    assert.deepEqual(out.toArray(), [[11, 21, 31], [12, 22, 32]]);
    assert.deepEqual(tensor([1, 2]).mul(scalar(3)).toArray(), [3, 6]);
    assert.deepEqual(tensor([1, 2]).mul(3).toArray(), [3, 6]);
    assert.deepEqual(tensor([[1, 2]]).add(tensor([[1], [2], [3]])).shape, [3, 2]);
  });

  test("incompatible shapes name the op and both shapes", () => {
    assert.throws(() => tensor([[1, 2, 3], [4, 5, 6]]).add(tensor([1, 2, 3, 4])), {
      name: "ShapeError",
      message: "add: shapes [2,3] and [4] cannot be broadcast together",
    });
    assert.throws(() => tensor([1, 2]).mul(tensor([1, 2, 3])), /^ShapeError: mul: shapes \[2\] and \[3\]/);
  });

  test("pow, remainder (sign of divisor, as Python), maximum/minimum with NaN", () => {
    assert.deepEqual(tensor([2, 3, 4]).pow(2).toArray(), [4, 9, 16]);
    assertClose(tensor([2, 2]).pow(tensor([3, 0.5])), [8, 1.4142135623730951]);
    assert.deepEqual(tensor([-3, 3, 5, -5]).remainder(tensor([2, -2, 3, -3])).toArray(), [1, -1, 2, -2]);
    assertClose(tensor([1, NaN, 5]).maximum(tensor([2, 0, 4])), [2, NaN, 5]);
    assert.deepEqual(tensor([1, 7]).minimum(3).toArray(), [1, 3]);
  });

  test("comparisons give bool tensors", () => {
    const x = tensor([1, 2, 3]);
    const y = tensor([3, 2, 1]);
    assert.equal(x.lt(y).dtype, "bool");
    assert.deepEqual(x.lt(y).toArray(), [true, false, false]);
    assert.deepEqual(x.le(y).toArray(), [true, true, false]);
    assert.deepEqual(x.gt(2).toArray(), [false, false, true]);
    assert.deepEqual(x.ge(2).toArray(), [false, true, true]);
    assert.deepEqual(x.eq(y).toArray(), [false, true, false]);
    assert.deepEqual(x.ne(y).toArray(), [true, false, true]);
  });
});

describe("dtype promotion", () => {
  test("float32 + float64 → float64; int32 + int scalar → int32; int32 + fraction → float32", () => {
    assert.equal(tensor([1]).add(tensor([1], { dtype: "float64" })).dtype, "float64");
    const i = tensor([1, 2], { dtype: "int32" });
    assert.equal(i.add(2).dtype, "int32");
    assert.equal(i.add(0.5).dtype, "float32");
    assert.deepEqual(i.add(0.5).toArray(), [1.5, 2.5]);
    assert.equal(i.add(tensor([1, 1])).dtype, "float32");
    assert.equal(tensor([1], { dtype: "float64" }).mul(2).dtype, "float64");
  });

  test("int / int is true division in float32; bool arithmetic is int32", () => {
    const q = tensor([3, 4], { dtype: "int32" }).div(tensor([2, 8], { dtype: "int32" }));
    assert.equal(q.dtype, "float32");
    assert.deepEqual(q.toArray(), [1.5, 0.5]);
    const s = tensor([true, false]).add(tensor([true, true]));
    assert.equal(s.dtype, "int32");
    assert.deepEqual(s.toArray(), [2, 1]);
  });
});

describe("arithmetic gradients (gradcheck, float64)", () => {
  test("add/sub/mul/div with broadcasting both ways", () => {
    for (const f of [ops.add, ops.sub, ops.mul]) {
      check((x, y) => f(x, y), [leaf([2, 3], 1), leaf([3], 2)]);
      check((x, y) => f(x, y), [leaf([2, 1], 3), leaf([1, 3], 4)]);
    }
    check((x, y) => ops.div(x, y), [leaf([2, 3], 5), leafIn([2, 1], 0.5, 2, 6)]);
    check((x, y) => ops.add(x, y, -2.5), [leaf([3], 7), leaf([2, 3], 8)]);
  });

  test("scalar operands, neg and rsub", () => {
    check((x) => x.mul(3).add(1).div(2).sub(4), [leaf([4], 1)]);
    check((x) => ops.rsub(x.neg(), 2), [leaf([2, 2], 2)]);
    check((x) => ops.div(x, scalar(0.5, { dtype: "float64" })), [leaf([3], 3)]);
  });

  test("non-contiguous inputs: transposed leaf, sliced leaf, expanded view of a leaf", () => {
    const t = randn64([3, 2], 1).T.requiresGrad_();
    const s = randn64([2, 6], 2).slice(1, 0, 6, 2).requiresGrad_();
    check((x, y) => x.mul(y), [t, s]);
    check((x, y) => x.expand(2, 3).mul(y), [leaf([1, 3], 3), leaf([2, 3], 4)]);
    check((x) => x.unsqueeze(0).expand(4, 3).div(2).add(x), [leaf([3], 5)]);
  });

  test("pow in both arguments (positive base), remainder, maximum/minimum away from ties", () => {
    check((x, y) => x.pow(y), [leafIn([2, 3], 0.5, 2, 1), leaf([3], 2)]);
    check((x) => x.pow(3), [leaf([4], 3)]);
    check((x, y) => x.remainder(y), [leafIn([4], 0.1, 0.9, 4), leafIn([4], 1.1, 1.9, 5)]);
    check((x, y) => ops.maximum(x, y), [leaf([2, 3], 6), leaf([3], 7)]);
    check((x, y) => ops.minimum(x, y), [leaf([2, 3], 8), leaf([2, 1], 9)]);
  });

  test("pow: the exponent's gradient is 0 where the base is 0 (not NaN), as PyTorch", () => {
    const a = tensor([0, 2], { dtype: "float64", requiresGrad: true });
    const b = tensor([2, 3], { dtype: "float64", requiresGrad: true });
    a.pow(b).sum().backward();
    assertClose(gradOf(b), [0, 8 * Math.LN2], 1e-15);
    assertClose(gradOf(a), [0, 12], 1e-15);
  });

  test("maximum/minimum split the gradient evenly at ties, as PyTorch", () => {
    const x = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const y = tensor([1, 5, 0], { dtype: "float64", requiresGrad: true });
    x.maximum(y).sum().backward();
    assertClose(gradOf(x), [0.5, 0, 1]);
    assertClose(gradOf(y), [0.5, 1, 0]);
  });

  test("comparisons are not differentiable", () => {
    const x = leaf([2], 1);
    assert.equal(x.gt(0).requiresGrad, false);
    assert.equal(x.gt(0).gradFn, null);
  });
});

test("ShapeError is a LoomError with the class name", () => {
  const e = (() => {
    try {
      tensor([1, 2]).add(tensor([1, 2, 3]));
    } catch (err) {
      return err;
    }
    return null;
  })();
  assert.ok(e instanceof ShapeError);
  assert.equal((e as Error).name, "ShapeError");
});

test("broadcast add/mul against a naive index walk, random broadcastable shapes (fast-check)", () => {
  const dimPair = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }));
  fc.assert(
    fc.property(fc.array(dimPair, { minLength: 0, maxLength: 3 }), fc.integer({ min: 0, max: 3 }), fc.boolean(), (pairs, drop, transposeA) => {
      // each output dim has size n; a or b may have 1 there (kind 1 / 2); b may lack leading dims
      let aShape = pairs.map(([n, kind]) => (kind === 1 ? 1 : n));
      const bFull = pairs.map(([n, kind]) => (kind === 2 ? 1 : n));
      const bShape = bFull.slice(Math.min(drop, bFull.length));
      let a = randn64(aShape, 1);
      if (transposeA && aShape.length >= 2) {
        // same values through a transposed view of a differently laid out tensor
        const t = randn64([...aShape.slice(0, -2), aShape[aShape.length - 1] as number, aShape[aShape.length - 2] as number], 2);
        a = t.transpose(-1, -2);
        aShape = [...a.shape];
      }
      const b = randn64(bShape, 3);
      // expected output shape: per dim, the larger of the two sizes (a missing leading dim counts as 1)
      const out = aShape.map((n, d) => Math.max(n, bShape[d - (aShape.length - bShape.length)] ?? 1));
      assert.deepEqual(a.add(b).shape, out);
      const av = flat(a);
      const bv = flat(b);
      const sum = flat(a.add(b));
      const prod = flat(a.mul(b));
      const size = out.reduce((p, n) => p * n, 1);
      for (let i = 0; i < size; i++) {
        // multi-index of i in `out`, then each operand's own flat index
        let rem = i;
        const idx = new Array<number>(out.length);
        for (let d = out.length - 1; d >= 0; d--) {
          idx[d] = rem % (out[d] as number);
          rem = Math.floor(rem / (out[d] as number));
        }
        const at = (shape: number[]): number => {
          const lead = out.length - shape.length;
          let k = 0;
          for (let d = 0; d < shape.length; d++) k = k * (shape[d] as number) + ((shape[d] as number) === 1 ? 0 : (idx[lead + d] as number));
          return k;
        };
        const x = av[at(aShape)] as number;
        const y = bv[at(bShape)] as number;
        assert.equal(sum[i], x + y);
        assert.equal(prod[i], x * y);
      }
    }),
    { numRuns: 80, seed: 4 },
  );
});
