/**
 * safetensors F16/BF16 in and out. test/fixtures/half/torch_half.safetensors was written from PyTorch 1.13
 * tensors by scripts/fixtures/half_safetensors.py: a float32 tensor "x" with hard cases (±0, ±Inf, NaN,
 * subnormal range, float16 overflow and ties), torch's x.half() and x.bfloat16(), and their .float().
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors, type SafetensorsArray } from "../../src/io/index.js";
import { FormatError, ValueError } from "../../src/errors.js";

const fixturePath = new URL("../fixtures/half/torch_half.safetensors", import.meta.url).pathname;
const torchFile = loadSafetensors(fixturePath);

function bits(a: SafetensorsArray): number[] {
  return [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
}

function get(name: string): { dtype: string; shape: number[]; data: SafetensorsArray } {
  const e = torchFile.tensors.get(name);
  assert.ok(e, name);
  return e;
}

/** The stored bytes of each tensor in a safetensors file, by name. */
function rawData(bytes: Uint8Array): Map<string, Uint8Array> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8")) as Record<string, { data_offsets: [number, number] }>;
  const out = new Map<string, Uint8Array>();
  for (const [name, e] of Object.entries(header)) {
    if (name !== "__metadata__") out.set(name, bytes.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]));
  }
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

test("F16 and BF16 written by PyTorch load as float32, bit-identical to torch's .float()", () => {
  const f16 = get("x.f16");
  const bf16 = get("x.bf16");
  assert.equal(f16.dtype, "F16");
  assert.equal(bf16.dtype, "BF16");
  assert.ok(f16.data instanceof Float32Array && bf16.data instanceof Float32Array);
  assert.deepEqual(bits(f16.data), bits(get("x.f16.float").data));
  assert.deepEqual(bits(bf16.data), bits(get("x.bf16.float").data));
  assert.deepEqual(get("w.f16").shape, [3, 4]);
  assert.deepEqual(get("w.bf16").shape, [2, 3]);
  // Spot values that show the hard cases are in the file: 65520 → Inf in float16, 2^-25 → 0.
  assert.equal(f16.data[7], Infinity);
  assert.equal(f16.data[11], 0);
  assert.ok(Number.isNaN(f16.data[4]!));
});

test("saving float32 as F16/BF16 writes the same bytes as torch's .half() / .bfloat16()", () => {
  const x = get("x");
  const torchBytes = rawData(readFileSync(fixturePath));
  for (const floatDType of ["F16", "BF16"] as const) {
    const ours = rawData(concat(encodeSafetensors([["x", { shape: x.shape, data: x.data }]], {}, { floatDType })));
    assert.deepEqual([...ours.get("x")!], [...torchBytes.get(floatDType === "F16" ? "x.f16" : "x.bf16")!], floatDType);
  }
});

test("round trip: F16/BF16 saved and loaded again equal the rounded values; selection by name; other dtypes unchanged", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-half-"));
  try {
    const path = join(dir, "m.safetensors");
    const w = new Float32Array([0.1, -2.5, 1e-6, 70000, 3.14159]);
    const bias = new Float32Array([0.3, 0.7]);
    const ids = new Int32Array([1, 2, 3]);
    const check = new Float64Array([0.1]);
    saveSafetensors(path, [["w", { shape: [5], data: w }], ["b", { shape: [2], data: bias }], ["ids", { shape: [3], data: ids }],
      ["f64", { shape: [1], data: check }]], { format: "pt" }, { floatDType: "BF16", select: (name) => name !== "b" });
    const back = loadSafetensors(path);
    assert.equal(back.tensors.get("w")!.dtype, "BF16");
    assert.equal(back.tensors.get("b")!.dtype, "F32");
    assert.equal(back.tensors.get("ids")!.dtype, "I32");
    assert.equal(back.tensors.get("f64")!.dtype, "F64");
    assert.deepEqual(bits(back.tensors.get("b")!.data), bits(bias));
    assert.deepEqual([...back.tensors.get("ids")!.data], [1, 2, 3]);
    assert.deepEqual([...back.tensors.get("f64")!.data], [0.1]);
    // bfloat16 keeps 8 significant bits: the loaded value is the float32 with its low 16 bits rounded off.
    assert.deepEqual([...back.tensors.get("w")!.data], [0.10009765625, -2.5, 9.98377799987793e-7, 70144, 3.140625]);
    assert.equal(back.metadata.format, "pt");

    saveSafetensors(path, [["w", { shape: [5], data: w }]], {}, { floatDType: "F16" });
    const half = loadSafetensors(path).tensors.get("w")!;
    assert.equal(half.dtype, "F16");
    assert.deepEqual([...half.data], [0.0999755859375, -2.5, 1.0132789611816406e-6, Infinity, 3.140625]);
    // A second round trip changes nothing: half values are exact in float32.
    saveSafetensors(path, [["w", { shape: [5], data: half.data }]], {}, { floatDType: "F16" });
    assert.deepEqual(bits(loadSafetensors(path).tensors.get("w")!.data), bits(half.data));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a per-tensor F16/BF16 dtype converts a Float32Array; other mismatches and bad options are named errors", () => {
  const bytes = concat(encodeSafetensors([["a", { shape: [2], data: new Float32Array([1, 2]), dtype: "F16" }]]));
  const a = decodeSafetensors(bytes).tensors.get("a")!;
  assert.equal(a.dtype, "F16");
  assert.deepEqual([...a.data], [1, 2]);
  assert.equal(bytes.length, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)) + 4);
  assert.throws(() => encodeSafetensors([["a", { shape: [1], data: new Float64Array([1]), dtype: "F16" }]]), FormatError);
  assert.throws(() => encodeSafetensors([["a", { shape: [1], data: new Float32Array([1]) }]], {}, { floatDType: "F8" as "F16" }), ValueError);
});
