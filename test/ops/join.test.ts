import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ShapeError, ValueError, IndexError, cat, ops, stack, tensor } from "../../src/index.js";
import { check, leaf, randn64 } from "./helpers.js";

describe("cat", () => {
  test("joins along dim 0 and dim 1 (hand-computed)", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6]]);
    assert.deepEqual(cat([a, b]).toArray(), [[1, 2], [3, 4], [5, 6]]);
    const c = tensor([[7], [8]]);
    assert.deepEqual(cat([a, c], 1).toArray(), [[1, 2, 7], [3, 4, 8]]);
    assert.deepEqual(cat([a, c], -1).toArray(), [[1, 2, 7], [3, 4, 8]]);
  });

  test("reads non-contiguous inputs and promotes dtypes", () => {
    const a = tensor([[1, 2], [3, 4]]).T;
    const b = tensor([[9, 9]], { dtype: "float64" });
    const out = cat([a, b], 0);
    assert.equal(out.dtype, "float64");
    assert.deepEqual(out.toArray(), [[1, 3], [2, 4], [9, 9]]);
  });

  test("shape mismatch names the op, the dim and both shapes", () => {
    assert.throws(() => cat([tensor([[1, 2, 3], [4, 5, 6]]), tensor([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]])], 1), {
      name: "ShapeError",
      message: "cat: tensors must have the same shape except in dim 1, got [2,3] and [3,4]",
    });
    assert.throws(() => cat([tensor([1, 2]), tensor([[1, 2]])]), ShapeError);
    assert.throws(() => cat([]), ValueError);
    assert.throws(() => cat([tensor([1])], 1), IndexError);
  });

  test("gradcheck: three inputs, middle dim, one non-contiguous", () => {
    const a = leaf([2, 3, 4], 1);
    const b = leaf([2, 1, 4], 2);
    const c = randn64([4, 2, 2], 3).permute(2, 1, 0).requiresGrad_();
    assert.deepEqual(c.shape, [2, 2, 4]);
    check((x, y, z) => cat([x, y, z], 1), [a, b, c]);
  });

  test("an input that does not require grad gets none", () => {
    const a = leaf([2, 2], 1);
    const b = tensor([[1, 1]], { dtype: "float64" });
    cat([a, b]).sum().backward();
    assert.equal(b.grad, null);
    assert.deepEqual(a.grad?.toArray(), [[1, 1], [1, 1]]);
  });
});

describe("stack", () => {
  test("adds a new dim at 0, in the middle and at the end", () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([4, 5, 6]);
    assert.deepEqual(stack([a, b]).toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(stack([a, b], 1).toArray(), [[1, 4], [2, 5], [3, 6]]);
    assert.deepEqual(stack([a, b], -1).toArray(), [[1, 4], [2, 5], [3, 6]]);
    assert.deepEqual(stack([tensor([[1, 2]]), tensor([[3, 4]])], 1).shape, [1, 2, 2]);
  });

  test("unequal shapes throw a ShapeError naming both", () => {
    assert.throws(() => stack([tensor([1, 2]), tensor([1, 2, 3])]), /stack: .*\[2\] at entry 0 and \[3\] at entry 1/);
  });

  test("gradcheck", () => {
    check((x, y) => stack([x, y], 1), [leaf([2, 3], 1), randn64([3, 2], 2).T.requiresGrad_()]);
  });
});

describe("split and chunk", () => {
  test("split by size leaves a smaller last piece; by sections follows the list", () => {
    const x = tensor([0, 1, 2, 3, 4]);
    assert.deepEqual(ops.split(x, 2).map((t) => t.toArray()), [[0, 1], [2, 3], [4]]);
    assert.deepEqual(x.split([1, 4]).map((t) => t.toArray()), [[0], [1, 2, 3, 4]]);
    const m = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(m.split(2, 1).map((t) => t.toArray()), [[[1, 2], [4, 5]], [[3], [6]]]);
  });

  test("split pieces are views sharing storage", () => {
    const x = tensor([0, 1, 2, 3]);
    const [, second] = x.split(2);
    x.storage[3] = 42;
    assert.deepEqual(second?.toArray(), [2, 42]);
  });

  test("sections that do not sum to the size throw", () => {
    assert.throws(() => tensor([1, 2, 3]).split([1, 1]), /split: sections \[1,1\] must .* sum to 3/);
    assert.throws(() => tensor([1, 2, 3]).split(0), ValueError);
  });

  test("chunk gives ceil(n/chunks)-sized pieces, possibly fewer than asked (torch.chunk)", () => {
    const x = tensor([0, 1, 2, 3, 4, 5]);
    assert.deepEqual(x.chunk(4).map((t) => t.toArray()), [[0, 1], [2, 3], [4, 5]]);
    assert.deepEqual(x.chunk(3).map((t) => t.toArray()), [[0, 1], [2, 3], [4, 5]]);
    assert.deepEqual(ops.chunk(tensor([[1, 2, 3]]), 2, 1).map((t) => t.toArray()), [[[1, 2]], [[3]]]);
    assert.throws(() => x.chunk(0), ValueError);
  });

  test("gradcheck through split and chunk", () => {
    check((x) => {
      const [a, b] = x.split([1, 3], 1);
      return a.mul(2).sum().add(b.square().sum());
    }, [leaf([2, 4], 1)]);
    check((x) => x.chunk(2, 0), [leaf([5, 3], 2)]);
  });
});

test("split undoes cat, for random shapes and dims (fast-check)", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 2 }), fc.nat(), (sizes, dim, seed) => {
      const parts = sizes.map((s, i) => {
        const shape = [2, 3, 2];
        shape[dim] = s;
        return randn64(shape, seed + i);
      });
      const joined = cat(parts, dim);
      assert.equal(joined.shape[dim], sizes.reduce((p, s) => p + s, 0));
      const back = joined.split(sizes, dim);
      back.forEach((b, i) => assert.deepEqual(b.toArray(), parts[i]?.toArray()));
    }),
    { numRuns: 60, seed: 2 },
  );
});
