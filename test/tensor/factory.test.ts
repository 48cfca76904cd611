import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Generator, ValueError, arange, eye, full, fullLike, linspace, ones, onesLike, rand, randint, randn, randperm, scalar, tensor, zeros, zerosLike,
} from "../../src/index.js";
import { assertClose } from "../ops/helpers.js";

test("tensor(): nested arrays, dtype inference and options, typed arrays, ragged input", () => {
  const t = tensor([[1, 2], [3, 4]]);
  assert.deepEqual(t.shape, [2, 2]);
  assert.equal(t.dtype, "float32");
  assert.equal(tensor([true, false]).dtype, "bool");
  assert.equal(tensor([1, 2], { dtype: "int32" }).dtype, "int32");
  assert.equal(tensor(new Float64Array([1, 2])).dtype, "float64");
  assert.equal(tensor(new Int32Array([1, 2]), { dtype: "float32" }).dtype, "float32");
  assert.deepEqual(tensor(5).shape, []);
  assert.deepEqual(tensor([]).shape, [0]);
  assert.deepEqual(tensor([[], []]).shape, [2, 0]);
  assert.throws(() => tensor([[1, 2], [3]]), ValueError);
  assert.throws(() => tensor([1, [2]]), ValueError);
  assert.throws(() => tensor([1], { dtype: "int64" as never }), /tensor: unknown dtype "int64"/);
  assert.equal(tensor([1], { requiresGrad: true }).requiresGrad, true);
});

test("zeros, ones, full, scalar, *Like", () => {
  assert.deepEqual(zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
  assert.deepEqual(ones([3], { dtype: "int32" }).toArray(), [1, 1, 1]);
  assert.deepEqual(full([2], 7).toArray(), [7, 7]);
  assert.equal(scalar(3, { dtype: "float64" }).item(), 3);
  const f = tensor([1, 2], { dtype: "float64" });
  assert.equal(zerosLike(f).dtype, "float64");
  assert.deepEqual(onesLike(f).toArray(), [1, 1]);
  assert.deepEqual(fullLike(f, 4, { dtype: "int32" }).toArray(), [4, 4]);
  assert.throws(() => zeros([2, -1]), /zeros|full: invalid shape \[2,-1\]/);
  assert.throws(() => zeros([1.5]), ValueError);
});

test("arange: integer → int32, fractional → float32, negative steps, empty ranges", () => {
  const a = arange(5);
  assert.equal(a.dtype, "int32");
  assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4]);
  assert.deepEqual(arange(2, 5).toArray(), [2, 3, 4]);
  const b = arange(1, 2, 0.25);
  assert.equal(b.dtype, "float32");
  assert.deepEqual(b.toArray(), [1, 1.25, 1.5, 1.75]);
  assert.deepEqual(arange(5, 0, -2).toArray(), [5, 3, 1]);
  assert.deepEqual(arange(3, 1).toArray(), []);
  assert.throws(() => arange(0, 1, 0), ValueError);
});

test("linspace includes both ends; eye", () => {
  assert.deepEqual(linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(linspace(2, 2, 1).toArray(), [2]);
  assert.deepEqual(linspace(0, 1, 0).toArray(), []);
  assertClose(linspace(0, 0.3, 4, { dtype: "float64" }), [0, 0.1, 0.2, 0.3], 1e-15);
  assert.equal(linspace(0, 0.3, 4, { dtype: "float64" }).toArray().toString().endsWith(",0.3"), true, "the end is exact");
  assert.throws(() => linspace(0, 1, -1), ValueError);
  assert.deepEqual(eye(2).toArray(), [[1, 0], [0, 1]]);
  assert.deepEqual(eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
});

test("random factories are deterministic per generator and in range", () => {
  const g1 = new Generator(5);
  const g2 = new Generator(5);
  assert.deepEqual(randn([3, 2], { generator: g1 }).toArray(), randn([3, 2], { generator: g2 }).toArray());
  const r = rand([1000], { generator: g1 }).toTypedArray();
  assert.ok(r.every((v) => v >= 0 && v < 1));
  const k = randint(-2, 3, [1000], { generator: g1 });
  assert.equal(k.dtype, "int32");
  const kv = Array.from(k.toTypedArray());
  assert.equal(Math.min(...kv), -2);
  assert.equal(Math.max(...kv), 2);
  assert.throws(() => randint(3, 3, [1]), ValueError);
  const p = Array.from(randperm(10, { generator: g1 }).toTypedArray());
  assert.deepEqual([...p].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.notDeepEqual(p, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(randn([2], { dtype: "float64" }).dtype, "float64");
});
