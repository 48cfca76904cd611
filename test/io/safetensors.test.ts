import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveSafetensors, loadSafetensors, decodeSafetensors, encodeSafetensors, halfToFloat } from "../../src/io/index.js";
import { FormatError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "loom-st-"));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Builds a file by hand from a header object and data bytes (independent of the encoder). */
function handMade(header: object, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(json.length), true);
  return concat([len, json, data]);
}

test("round trip keeps names, order, dtypes, shapes, values and metadata", () => {
  const path = join(dir, "a.safetensors");
  const w = Float32Array.from([1.5, -2, 3.25, 4, 5, 6]);
  const ids = Int32Array.from([7, -8, 9]);
  const d = Float64Array.from([Math.PI]);
  saveSafetensors(path, [["transformer.wte.weight", { shape: [2, 3], data: w }], ["ids", { shape: [3], data: ids }], ["pi", { shape: [], data: d }]], { format: "pt" });
  const f = loadSafetensors(path);
  assert.deepEqual([...f.tensors.keys()], ["transformer.wte.weight", "ids", "pi"]);
  assert.deepEqual(f.metadata, { format: "pt" });
  assert.deepEqual(f.tensors.get("transformer.wte.weight"), { dtype: "F32", shape: [2, 3], data: w });
  assert.deepEqual(f.tensors.get("ids"), { dtype: "I32", shape: [3], data: ids });
  assert.equal(f.tensors.get("pi")?.data[0], Math.PI);
  // Header is padded to 8 bytes, as Hugging Face's writer does.
  const bytes = readFileSync(path);
  assert.equal(Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)) % 8, 0);
});

test("reads a hand-made file with F16, BF16 and I64", () => {
  const data = new Uint8Array(2 * 3 + 2 * 2 + 8 * 2);
  const dv = new DataView(data.buffer);
  [0x3c00, 0xc000, 0x7bff].forEach((h, i) => dv.setUint16(i * 2, h, true)); // 1, -2, 65504
  [0x3f80, 0x4049].forEach((h, i) => dv.setUint16(6 + i * 2, h, true)); // 1, 3.140625
  dv.setBigInt64(10, 42n, true);
  dv.setBigInt64(18, -5n, true);
  const file = handMade(
    {
      h: { dtype: "F16", shape: [3], data_offsets: [0, 6] },
      b: { dtype: "BF16", shape: [2], data_offsets: [6, 10] },
      l: { dtype: "I64", shape: [2], data_offsets: [10, 26] },
    },
    data,
  );
  const f = decodeSafetensors(file, "x.safetensors");
  assert.deepEqual([...(f.tensors.get("h")?.data ?? [])], [1, -2, 65504]);
  assert.deepEqual([...(f.tensors.get("b")?.data ?? [])], [1, 3.140625]);
  assert.deepEqual([...(f.tensors.get("l")?.data ?? [])], [42, -5]);
  assert.equal(halfToFloat(0x0001), Math.pow(2, -24));
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test("malformed files name the file and the field", () => {
  const good = concat(encodeSafetensors([["w", { shape: [2], data: Float32Array.from([1, 2]) }]]));
  const check = (bytes: Uint8Array, field: RegExp) =>
    assert.throws(() => decodeSafetensors(bytes, "model.safetensors"), (e: unknown) => e instanceof FormatError && e.message.startsWith("model.safetensors: ") && field.test(e.message));
  check(good.subarray(0, 4), /header length/);
  check(good.subarray(0, good.length - 3), /w\.data_offsets/);
  check(handMade({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /w\.data_offsets.*needs 12/);
  check(handMade({ w: { dtype: "Q4", shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)), /w\.dtype/);
  check(handMade({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 8] } }, new Uint8Array(8)), /w\.shape/);
  check(handMade({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /overlaps/);
  const bad = new Uint8Array(16);
  new DataView(bad.buffer).setBigUint64(0, 4n, true);
  bad.set(Buffer.from("{{{{"), 8);
  check(bad, /header: invalid JSON/);
});

test("an interrupted write leaves the previous file intact", () => {
  const path = join(dir, "keep.safetensors");
  saveSafetensors(path, [["w", { shape: [1], data: Float32Array.from([1]) }]]);
  const before = readFileSync(path);
  assert.throws(() => saveSafetensors(path, [["w", { shape: [5], data: Float32Array.from([1]) }]]), FormatError);
  assert.deepEqual(readFileSync(path), before);
  writeFileSync(join(dir, "unrelated"), "x");
});

test("edge cases of issue 17.12: empty tensors, prototype names, metadata type, saving onto a directory", () => {
  const check = (bytes: Uint8Array, message: string) =>
    assert.throws(() => decodeSafetensors(bytes, "m.safetensors"), (e: unknown) => e instanceof FormatError && e.message === message);
  // A zero-size tensor occupies no bytes, so it overlaps nothing, wherever its offsets point.
  const data = Float32Array.from([1, 2]);
  const withEmpty = handMade(
    {
      w: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      empty: { dtype: "F32", shape: [0, 3], data_offsets: [0, 0] },
      inside: { dtype: "I32", shape: [0], data_offsets: [4, 4] },
    },
    new Uint8Array(data.buffer),
  );
  const f = decodeSafetensors(withEmpty);
  assert.deepEqual(f.tensors.get("empty"), { dtype: "F32", shape: [0, 3], data: new Float32Array(0) });
  assert.deepEqual([...(f.tensors.get("w")?.data ?? [])], [1, 2]);
  // Keys of Object.prototype are not dtypes.
  for (const dtype of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    check(
      handMade({ w: { dtype, shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)),
      `m.safetensors: w.dtype: unsupported dtype "${dtype}" (expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)`,
    );
  }
  // __metadata__ is a map of strings.
  check(handMade({ __metadata__: ["a"] }, new Uint8Array(0)), 'm.safetensors: __metadata__: expected an object of strings, got ["a"]');
  check(handMade({ __metadata__: { step: 3 } }, new Uint8Array(0)), "m.safetensors: __metadata__.step: expected a string, got 3");
  check(handMade({ w: [1, 2] }, new Uint8Array(0)), "m.safetensors: w: expected an object, got [1,2]");
  // "__proto__" is an ordinary name, both as a tensor and as a metadata key, in both directions.
  const parts = encodeSafetensors([["__proto__", { shape: [1], data: Float32Array.from([5]) }]], JSON.parse('{"__proto__": "x"}') as Record<string, string>);
  const back = decodeSafetensors(concat(parts));
  assert.deepEqual([...back.tensors.keys()], ["__proto__"]);
  assert.deepEqual(Object.entries(back.metadata), [["__proto__", "x"]]);
  // Saving onto a directory is refused before a temp file is written.
  const target = mkdtempSync(join(dir, "target-"));
  assert.throws(() => saveSafetensors(target, [["w", { shape: [1], data: Float32Array.from([1]) }]]), {
    name: "ValueError",
    message: `saveSafetensors: ${target} is a directory; give a file path such as ${target}/model.safetensors`,
  });
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);
  assert.deepEqual(readdirSync(target), []);
  // Reading a missing file or a directory names the file.
  assert.throws(() => loadSafetensors(join(dir, "missing.safetensors")), { name: "FormatError", message: `${join(dir, "missing.safetensors")}: (file): no such file` });
  assert.throws(() => loadSafetensors(target), { name: "FormatError", message: `${target}: (file): is a directory, not a file` });
});
