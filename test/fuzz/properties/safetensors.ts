/**
 * Fuzz properties of the safetensors loader (run by test/fuzz/safetensors.test.ts, each in a child
 * process): byte mutations of a valid file, and valid headers with one field replaced by arbitrary
 * JSON, give a FormatError or a valid load whose decoded data is at most 4× the file (int8 widens to
 * int32), never an internal error. Seeded, a few hundred cases each.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeSafetensors, encodeSafetensors, type SafetensorsFile } from "../../../src/io/safetensors.js";
import { expectNamedErrorOrValid, mutate, mutationsArbitrary } from "./mutations.js";

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A small file with every kind of entry: float, int, byte and empty tensors, a scalar, metadata. */
const valid = concat(
  encodeSafetensors(
    [
      ["transformer.wte.weight", { shape: [3, 2], data: Float32Array.from([1, -2, 3.5, 0, 1e-3, 7]) }],
      ["pi", { shape: [], data: Float64Array.from([Math.PI]) }],
      ["ids", { shape: [2, 2], data: Int32Array.from([1, -1, 2147483647, 0]) }],
      ["mask", { shape: [3], data: Uint8Array.from([1, 0, 1]), dtype: "BOOL" }],
      ["empty", { shape: [0, 4], data: new Float32Array(0) }],
    ],
    { format: "pt", loom_step: "12" },
  ),
);
const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));

/** What every successful load must satisfy. */
function checkLoad(file: SafetensorsFile, inputBytes: number): void {
  let decodedBytes = 0;
  for (const [name, entry] of file.tensors) {
    const count = entry.shape.reduce((p, d) => p * d, 1);
    assert.equal(entry.data.length, count, `${name}: ${entry.data.length} values for shape [${entry.shape.join(",")}]`);
    decodedBytes += entry.data.byteLength;
  }
  assert.ok(decodedBytes <= 4 * inputBytes, `decoded ${decodedBytes} bytes from a ${inputBytes}-byte file`);
  for (const value of Object.values(file.metadata)) assert.equal(typeof value, "string");
}

/** The unmutated file loads. */
export function unmutated(): void {
  const file = decodeSafetensors(valid, "valid.safetensors");
  assert.equal(file.tensors.size, 5);
  checkLoad(file, valid.length);
}

/** Byte mutations: a FormatError or a valid load. */
export function byteMutations(): void {
  fc.assert(
    fc.property(mutationsArbitrary(4), (mutations) => {
      const bytes = mutate(valid, mutations, [0, headerEnd]);
      expectNamedErrorOrValid(
        () => decodeSafetensors(bytes, "fuzz.safetensors"),
        (file) => checkLoad(file, bytes.length),
      );
    }),
    { seed: 17_12, numRuns: 400 },
  );
}

/** Hand-made file from a header object (the data bytes of `valid`). */
function withHeader(header: unknown): Uint8Array {
  const json = Buffer.from(JSON.stringify(header) ?? "null", "utf8");
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(json.length), true);
  return concat([prefix, json, valid.subarray(headerEnd)]);
}

/** Structured mutations: one header field replaced by arbitrary JSON. */
export function structuredMutations(): void {
  const header = JSON.parse(Buffer.from(valid.subarray(8, headerEnd)).toString("utf8")) as Record<string, Record<string, unknown>>;
  const names = Object.keys(header);
  const fields = ["dtype", "shape", "data_offsets", "(entry)"];
  const oddValue = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom("toString", "__proto__", "constructor", "valueOf", "F16", "I64", "BF16"),
    fc.array(fc.oneof(fc.integer(), fc.constantFrom(0, 2 ** 31, 2 ** 53, 1e300, -1, 0.5)), { maxLength: 4 }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...names), fc.constantFrom(...fields), oddValue, (name, field, value) => {
      const copy = JSON.parse(JSON.stringify(header)) as Record<string, unknown>;
      if (field === "(entry)" || name === "__metadata__") copy[name] = value;
      else (copy[name] as Record<string, unknown>)[field] = value;
      const bytes = withHeader(copy);
      expectNamedErrorOrValid(
        () => decodeSafetensors(bytes, "fuzz.safetensors"),
        (file) => checkLoad(file, bytes.length),
      );
    }),
    { seed: 17_1212, numRuns: 400 },
  );
}
