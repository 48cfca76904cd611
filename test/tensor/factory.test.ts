import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AllocationError, Generator, MAX_TENSOR_ELEMENTS, ValueError, arange, eye, full, fullLike, linspace, ones, onesLike, rand, randint, randn, randperm, scalar, tensor, zeros, zerosLike,
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

test("sizes past the per-tensor limit are an AllocationError naming the op, dtype, shape and limit (issue 17.9)", () => {
  const limit = "over the limit of 2,147,483,647 elements per tensor";
  assert.throws(() => zeros([1e6, 1e6]), {
    name: "AllocationError",
    message: `zeros: a float32 tensor of shape [1000000,1000000] (1,000,000,000,000 elements) is ${limit}`,
  });
  assert.throws(() => arange(1e10), { name: "AllocationError", message: `arange: an int32 tensor of shape [10000000000] (10,000,000,000 elements) is ${limit}` });
  assert.throws(() => randn([1e5, 1e5]), (e: unknown) => e instanceof AllocationError && e.message.startsWith("randn: a float32 tensor of shape [100000,100000]"));
  assert.throws(() => ones([2 ** 31], { dtype: "bool" }), /ones: a bool tensor of shape \[2147483648\]/);
  assert.throws(() => linspace(0, 1, 3e9), AllocationError);
  assert.throws(() => full([1e300, 1e300], 1), /full: a float32 tensor of shape \[1e\+300,1e\+300\] \(Infinity elements\)/);
  assert.equal(MAX_TENSOR_ELEMENTS, 2 ** 31 - 1);
  // Non-finite ranges and malformed arguments are ValueErrors, not RangeErrors from the engine.
  assert.throws(() => arange(Infinity), { name: "ValueError", message: "arange: end must be a finite number, got Infinity" });
  assert.throws(() => arange(0, 1, Number.NaN), { name: "ValueError", message: "arange: step must be a finite number, got NaN" });
  assert.throws(() => eye(-1), { name: "ValueError", message: "eye: invalid shape [-1,-1]" });
  assert.throws(() => randperm(-1), ValueError);
  assert.throws(() => zeros(5 as never), { name: "ValueError", message: "zeros: shape must be an array of sizes, got 5" });
  assert.throws(() => zeros([2], { dtype: "toString" as never }), { name: "DTypeError", message: /zeros: unknown dtype "toString"/ });
  assert.throws(() => full([2], "a" as never), { name: "ValueError", message: 'full: value is the string "a"; expected a number' });
});

test("tensor(): elements that are not numbers or booleans are named errors (issue 17.9)", () => {
  assert.throws(() => tensor(["a", 1] as never), { name: "ValueError", message: 'tensor: element at [0] is the string "a"; expected a number or a boolean' });
  assert.throws(() => tensor(undefined as never), {
    name: "ValueError",
    message: "tensor: data is undefined; expected a number, a boolean, nested arrays of them, or a typed array",
  });
  assert.throws(() => tensor(null as never), /tensor: data is null/);
  assert.throws(() => tensor("12" as never), /tensor: data is the string "12"/);
  assert.throws(() => tensor([[1, 2], [3, undefined]] as never), { name: "ValueError", message: "tensor: element at [1,1] is undefined; expected a number or a boolean" });
  assert.throws(() => tensor([{}] as never), /element at \[0\] is an object \(Object\)/);
  assert.throws(() => tensor([1n] as never), /element at \[0\] is the bigint 1n/);
  assert.throws(() => tensor([[1], [2, 3]]), { name: "ValueError", message: "tensor: ragged nested array at [1] (expected shape [2,1])" });
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  assert.throws(() => tensor(deep as never), /tensor: nested more than 64 levels deep/);
  // NaN stays a valid float, as in PyTorch.
  assert.ok(Number.isNaN(tensor([Number.NaN]).item()));
  // Typed arrays: small integer types become int32 with their values (an Int8Array was read as bool bytes).
  assert.deepEqual(tensor(new Int8Array([-1, 5])).toArray(), [-1, 5]);
  assert.equal(tensor(new Uint16Array([65535])).dtype, "int32");
  assert.throws(() => tensor(new Uint32Array([2 ** 32 - 1])), { name: "DTypeError", message: /Uint32Array value 4294967295 at \[0\] does not fit int32/ });
  assert.throws(() => tensor(new BigInt64Array(1) as never), /tensor: cannot make a tensor from a BigInt64Array/);
  assert.throws(() => tensor(new DataView(new ArrayBuffer(4)) as never), /cannot make a tensor from a DataView/);
});
