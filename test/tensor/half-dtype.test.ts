/**
 * float16 / bfloat16 tensors: `to(dtype)` bit-exact against PyTorch 1.13's `Tensor.to` on every float16
 * pattern and 2²⁰ float32 → bfloat16/float16 rounding cases (the io/half fixture, through tensors this
 * time), factories, item/toArray/printing as numbers, safetensors F16/BF16 kept as half both ways.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BFloat16Storage, Float16Storage } from "../../src/tensor/dtype.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { full, ones, randn, tensor, zeros } from "../../src/tensor/factory.js";
import { to } from "../../src/ops/cast.js";
import { sum } from "../../src/ops/reduce.js";
import { load, save } from "../../src/safetensors.js";
import { manualSeed } from "../../src/tensor/rng.js";
import { N_DENSE, N_PATTERNS, denseInputs, fixture } from "../io/half-fixture.js";

function countDiffs(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let n = 0;
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) n++;
  return n;
}

test("to(float32) of every float16 and bfloat16 pattern equals torch's .float() bit for bit", () => {
  const patterns = Uint16Array.from({ length: N_PATTERNS }, (_, h) => h);
  const f16 = new Tensor(Float16Storage.from(patterns), [N_PATTERNS]);
  const bf16 = new Tensor(BFloat16Storage.from(patterns), [N_PATTERNS]);
  assert.equal(f16.dtype, "float16");
  assert.equal(bf16.dtype, "bfloat16");
  const wideF16 = to(f16, "float32").storage as Float32Array;
  const wideBf16 = to(bf16, "float32").storage as Float32Array;
  assert.equal(countDiffs(new Uint32Array(wideF16.buffer, wideF16.byteOffset, N_PATTERNS), fixture.halfToF32), 0);
  assert.equal(countDiffs(new Uint32Array(wideBf16.buffer, wideBf16.byteOffset, N_PATTERNS), fixture.bf16ToF32), 0);
});

test("to(float16) and to(bfloat16) of 2^20 dense float32 patterns equal torch's rounding bit for bit", () => {
  const inputs = denseInputs();
  const x = new Tensor(new Float32Array(inputs.buffer), [N_DENSE]);
  const half = to(x, "float16");
  const bf = to(x, "bfloat16");
  assert.ok(half.storage instanceof Float16Storage && bf.storage instanceof BFloat16Storage);
  assert.equal(countDiffs(half.storage, fixture.denseToHalf), 0);
  assert.equal(countDiffs(bf.storage, fixture.denseToBf16), 0);
  // Views keep their dtype (subarray uses the subclass) and strided views convert in row-major order.
  const m = to(new Tensor(x.storage, [1024, 1024]), "bfloat16");
  const col = new Tensor(m.storage, [1024], [1024], 3); // column 3
  const wide = to(col, "float32").toArray() as number[];
  const expected = Array.from({ length: 1024 }, (_, r) => new Float32Array(new Uint32Array([fixture.denseToBf16[r * 1024 + 3]! << 16]).buffer)[0]!);
  assert.deepEqual(wide.map((v) => (Number.isNaN(v) ? "NaN" : v)), expected.map((v) => (Number.isNaN(v) ? "NaN" : v)));
});

test("factories make half tensors rounded once to nearest even; item, toArray and printing show numbers", () => {
  const t = tensor([1, 0.1, -2.5, 65504, 70000, 1 + 2 ** -8], { dtype: "bfloat16" });
  assert.equal(t.dtype, "bfloat16");
  assert.deepEqual(t.toArray(), [1, 0.10009765625, -2.5, 65536, 70144, 1]);
  const h = tensor([1, 0.1, 65504, 70000, 2 ** -24], { dtype: "float16" });
  assert.deepEqual(h.toArray(), [1, 0.0999755859375, 65504, Infinity, 2 ** -24]);
  assert.deepEqual(full([2], 3.3, { dtype: "float16" }).toArray(), [3.30078125, 3.30078125]);
  assert.equal(tensor(3.3, { dtype: "float16" }).item(), 3.30078125);
  assert.deepEqual(zeros([2], { dtype: "float16" }).toArray(), [0, 0]);
  assert.deepEqual(ones([2], { dtype: "bfloat16" }).toArray(), [1, 1]);
  assert.equal(String(tensor([1.5, 0.1], { dtype: "bfloat16" })), "tensor([1.5000, 0.1001], dtype=bfloat16)");
  assert.equal(String(tensor([1.5, 0.1], { dtype: "float16" })), "tensor([1.5000, 0.1000], dtype=float16)");
  manualSeed(3);
  const a = randn([64], { dtype: "bfloat16" });
  manualSeed(3);
  const b = to(randn([64]), "bfloat16");
  assert.deepEqual([...a.storage], [...b.storage]);
  const hr = tensor([1, 2], { dtype: "bfloat16", requiresGrad: true });
  assert.equal(hr.requiresGrad, true);
});

test("to() between half and other dtypes: values, int truncation, bool, and the gradient cast back", () => {
  const x = tensor([1.75, -2.5, 0, 3.999], { requiresGrad: true });
  const h = to(x, "float16");
  assert.deepEqual(to(h, "int32").toArray(), [1, -2, 0, 3]);
  assert.deepEqual(to(h, "bool").toArray(), [true, true, false, true]);
  assert.deepEqual(to(to(h, "bfloat16"), "float64").toArray(), [1.75, -2.5, 0, 4]);
  sum(to(h, "float32")).backward();
  assert.equal(x.grad?.dtype, "float32");
  assert.deepEqual(x.grad?.toArray(), [1, 1, 1, 1]);
});

test("safetensors save and load keep float16/bfloat16 tensors as F16/BF16 bits", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-half-"));
  try {
    const f16 = tensor([[1, -0.1], [65504, 2 ** -24]], { dtype: "float16" });
    const bf = tensor([3.14159, -1e30, 0.5], { dtype: "bfloat16" });
    const file = join(dir, "half.safetensors");
    save({ f16, bf, f32: tensor([1, 2]) }, file);
    const back = load(file);
    assert.equal(back.get("f16")?.dtype, "float16");
    assert.equal(back.get("bf")?.dtype, "bfloat16");
    assert.equal(back.get("f32")?.dtype, "float32");
    assert.deepEqual([...back.get("f16")!.storage], [...f16.storage]);
    assert.deepEqual([...back.get("bf")!.storage], [...bf.storage]);
    assert.deepEqual(back.get("f16")?.shape, [2, 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a torch-written F16/BF16 file loads as half tensors with torch's bits", () => {
  const file = new URL("../fixtures/half/torch_half.safetensors", import.meta.url).pathname;
  const t = load(file);
  const x = t.get("x")!;
  const xf16 = t.get("x.f16")!;
  const xbf16 = t.get("x.bf16")!;
  assert.equal(xf16.dtype, "float16");
  assert.equal(xbf16.dtype, "bfloat16");
  assert.deepEqual([...to(x, "float16").storage], [...xf16.storage]);
  assert.deepEqual([...to(x, "bfloat16").storage], [...xbf16.storage]);
  const wide = to(xf16, "float32").storage;
  const torchWide = t.get("x.f16.float")!.storage;
  assert.deepEqual([...new Uint32Array(wide.buffer, wide.byteOffset, wide.length)], [...new Uint32Array(torchWide.buffer, torchWide.byteOffset, torchWide.length)]);
});
