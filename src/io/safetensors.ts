/**
 * The safetensors format (Hugging Face), read and written here: an 8-byte little-endian header length
 * N, N bytes of JSON header `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": {…} }`
 * (padded with spaces to a multiple of 8), then the raw little-endian data; offsets are relative to
 * the start of the data. This layer is independent of tensors: it moves typed arrays.
 *
 * Half precision: F16 and BF16 tensors load as Float32Array (exact widening) by default, or as their raw
 * bits in a Uint16Array with `{ keepHalf: true }` (for float16/bfloat16 tensors); a Uint16Array given
 * "F16" or "BF16" is written as is, and float32 tensors can be rounded to F16 or BF16 on the way out
 * (`SafetensorsWriteOptions`).
 * Both directions use ../tensor/half.ts, which imports nothing but the error classes, so this layer
 * stays free of tensors; conversions are bit-exact with PyTorch's.
 */
import { readFileSync, statSync } from "node:fs";
import { FormatError, ValueError } from "../errors.js";
import { writeFileAtomic } from "./atomic.js";
import { bfloat16ToFloat32, float16ToFloat32, float32ToBFloat16, float32ToFloat16, fromFloat16Bits } from "./half.js";

/** The element types a safetensors header names. */
export type SafetensorsDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

/**
 * In-memory arrays: F32 decodes to Float32Array, F16 and BF16 to Float32Array (widened) or, with
 * `keepHalf`, to a Uint16Array of their bits; F64 to Float64Array, integer types to Int32Array, U8/BOOL
 * to Uint8Array.
 */
export type SafetensorsArray = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array;

/** Options for reading safetensors. */
export interface SafetensorsReadOptions {
  /** Keep F16/BF16 data as its 16-bit patterns (a Uint16Array) instead of widening it to float32 (default false). */
  keepHalf?: boolean;
}

/** One tensor of a safetensors file, as a typed array with its shape and stored dtype. */
export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  data: SafetensorsArray;
}

/** A decoded safetensors file: its tensors by name and its string metadata. */
export interface SafetensorsFile {
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/** Bytes per element. A Map, not an object, so that a dtype such as "toString" is not found on its prototype. */
const BYTES: ReadonlyMap<string, number> = new Map<SafetensorsDType, number>([
  ["F64", 8], ["F32", 4], ["F16", 2], ["BF16", 2], ["I64", 8], ["I32", 4], ["I16", 2], ["I8", 1], ["U8", 1], ["BOOL", 1],
]);

/** A tensor to write: its data, shape and, optionally, the dtype to store it as. */
export interface SafetensorsInput {
  shape: readonly number[];
  data: SafetensorsArray;
  /**
   * The stored dtype; by default the array's own (F32, F64, I32, U8). A Float32Array may also be given
   * "F16" or "BF16": it is rounded to nearest even on the way out. A Uint8Array may be "BOOL". A
   * Uint16Array (half bits) must be given "F16" or "BF16".
   */
  dtype?: SafetensorsDType;
}

/** Options for writing safetensors: store float32 tensors in half precision. */
export interface SafetensorsWriteOptions {
  /**
   * The dtype float32 tensors are stored as: "F32" (default), or "F16"/"BF16" (rounded to nearest even,
   * bit-exact with PyTorch's `tensor.half()`/`tensor.bfloat16()`; F16 overflows to ±Inf past 65504).
   * float64 and integer tensors, and tensors given an explicit `dtype`, are written unchanged.
   */
  floatDType?: "F32" | "F16" | "BF16";
  /** Which float32 tensors `floatDType` applies to, by name (default: all). */
  select?: (name: string) => boolean;
}

/** The largest header the reference implementation (Hugging Face's `safetensors` crate) accepts. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

function dtypeForArray(a: SafetensorsArray): SafetensorsDType {
  if (a instanceof Float32Array) return "F32";
  if (a instanceof Float64Array) return "F64";
  if (a instanceof Int32Array) return "I32";
  if (a instanceof Uint16Array) throw new ValueError('encodeSafetensors: a Uint16Array holds half bits and needs dtype "F16" or "BF16"');
  return "U8";
}

/** Serialises tensors (in the given order) and metadata into safetensors bytes. */
export function encodeSafetensors(
  tensors: Iterable<[string, SafetensorsInput]>,
  metadata: Record<string, string> = {},
  options: SafetensorsWriteOptions = {},
): Uint8Array[] {
  const floatDType = options.floatDType ?? "F32";
  if (!["F32", "F16", "BF16"].includes(floatDType)) {
    throw new ValueError(`encodeSafetensors: floatDType must be "F32", "F16" or "BF16", got ${JSON.stringify(floatDType)}`);
  }
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === "__metadata__") throw new FormatError("<safetensors>", name, "reserved tensor name");
    const halfBits = t.data instanceof Uint16Array && (t.dtype === "F16" || t.dtype === "BF16");
    const natural = halfBits ? (t.dtype as SafetensorsDType) : dtypeForArray(t.data);
    const dtype = t.dtype ?? (natural === "F32" && (options.select?.(name) ?? true) ? floatDType : natural);
    const halfOfFloat32 = (dtype === "F16" || dtype === "BF16") && natural === "F32";
    if (dtype !== natural && !halfOfFloat32 && !(dtype === "BOOL" && t.data instanceof Uint8Array)) {
      throw new FormatError("<safetensors>", name, `dtype ${dtype} does not match a ${t.data.constructor.name}`);
    }
    const n = t.shape.reduce((p, d) => p * d, 1);
    if (n !== t.data.length) throw new FormatError("<safetensors>", name, `shape [${t.shape.join(",")}] needs ${n} values, got ${t.data.length}`);
    const stored = !halfOfFloat32 ? t.data : dtype === "F16" ? float32ToFloat16(t.data as Float32Array) : float32ToBFloat16(t.data as Float32Array);
    const bytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
    // defineProperty: a tensor named "__proto__" must be an entry, not the header object's prototype.
    const entry = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    Object.defineProperty(header, name, { value: entry, enumerable: true, writable: true, configurable: true });
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const pad = (8 - (Buffer.byteLength(json) % 8)) % 8;
  json += " ".repeat(pad);
  const headerBytes = Buffer.from(json, "utf8");
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  return [prefix, headerBytes, ...chunks];
}

/**
 * Writes a safetensors file atomically (temp file + rename). A path that is a directory is refused
 * before anything is written, so no temp file is left beside it.
 */
export function saveSafetensors(
  path: string,
  tensors: Iterable<[string, SafetensorsInput]>,
  metadata: Record<string, string> = {},
  options: SafetensorsWriteOptions = {},
): void {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ValueError(`saveSafetensors: ${path} is a directory; give a file path such as ${path.replace(/\/+$/, "")}/model.safetensors`);
  }
  const chunks = encodeSafetensors(tensors, metadata, options);
  writeFileAtomic(path, chunks);
}

/** Reads and validates a safetensors file; a missing or unreadable file is a FormatError naming it. */
export function loadSafetensors(path: string, options: SafetensorsReadOptions = {}): SafetensorsFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a file" : `cannot be read (${code ?? (e as Error).message})`;
    throw new FormatError(path, "(file)", why);
  }
  return decodeSafetensors(bytes, path, options);
}

/** Parses safetensors bytes, validating the header against the file size and dtypes. */
export function decodeSafetensors(bytes: Uint8Array, file = "<safetensors>", options: SafetensorsReadOptions = {}): SafetensorsFile {
  if (bytes.length < 8) throw new FormatError(file, "header length", `file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > SAFETENSORS_MAX_HEADER_BYTES) {
    throw new FormatError(file, "header length", `header of ${n} bytes is over the format's limit of ${SAFETENSORS_MAX_HEADER_BYTES}`);
  }
  if (n > bytes.length - 8) throw new FormatError(file, "header length", `header of ${n} bytes does not fit in a ${bytes.length}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8"));
  } catch (e) {
    throw new FormatError(file, "header", `invalid JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new FormatError(file, "header", "expected a JSON object");
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = readMetadata(raw, file);
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new FormatError(file, name, `expected an object, got ${preview(entry)}`);
    const dtype = entry.dtype as SafetensorsDType;
    const elementBytes = typeof dtype === "string" ? BYTES.get(dtype) : undefined;
    if (elementBytes === undefined) {
      throw new FormatError(file, `${name}.dtype`, `unsupported dtype ${preview(entry.dtype)} (expected one of ${[...BYTES.keys()].join(", ")})`);
    }
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new FormatError(file, `${name}.shape`, `expected a list of non-negative integers, got ${preview(shape)}`);
    }
    const offs = entry.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0) || offs[0] > offs[1]) {
      throw new FormatError(file, `${name}.data_offsets`, `expected [begin, end], got ${preview(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end > dataLength) throw new FormatError(file, `${name}.data_offsets`, `[${begin}, ${end}] runs past the ${dataLength} data bytes`);
    const count = (shape as number[]).reduce((p, d) => p * d, 1);
    if (count * elementBytes !== end - begin) {
      throw new FormatError(file, `${name}.data_offsets`, `${end - begin} bytes for ${dtype} shape [${shape.join(",")}] (needs ${count * elementBytes})`);
    }
    // An empty tensor occupies no bytes, so it cannot overlap anything wherever its offsets point.
    if (end > begin) ranges.push([begin, end, name]);
    tensors.set(name, { dtype, shape: shape as number[], data: decodeData(bytes.subarray(dataStart + begin, dataStart + end), dtype, count, file, name, options.keepHalf ?? false) });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1] as [number, number, string];
    const cur = ranges[i] as [number, number, string];
    if (cur[0] < prev[1]) throw new FormatError(file, `${cur[2]}.data_offsets`, `overlaps ${prev[2]}`);
  }
  return { tensors, metadata };
}

/** A header value as messages show it: JSON, cut short so that a hostile header cannot flood the message. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `__metadata__` is a string-to-string map in the format (the Rust crate's `HashMap<String, String>`). */
function readMetadata(raw: unknown, file: string): Record<string, string> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new FormatError(file, "__metadata__", `expected an object of strings, got ${preview(raw)}`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== "string") throw new FormatError(file, `__metadata__.${key}`, `expected a string, got ${preview(value)}`);
    // defineProperty, so that a key such as "__proto__" stays an ordinary entry instead of a prototype.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function decodeData(raw: Uint8Array, dtype: SafetensorsDType, count: number, file: string, name: string, keepHalf: boolean): SafetensorsArray {
  // Copy into an aligned buffer first: tensor data need not be aligned within the file.
  const buf = new Uint8Array(raw.length);
  buf.set(raw);
  const dv = new DataView(buf.buffer);
  switch (dtype) {
    case "F32":
      return new Float32Array(buf.buffer, 0, count);
    case "F64":
      return new Float64Array(buf.buffer, 0, count);
    case "I32":
      return new Int32Array(buf.buffer, 0, count);
    case "U8":
    case "BOOL":
      return buf;
    case "I8":
      return Int32Array.from(new Int8Array(buf.buffer, 0, count));
    case "I16":
      return Int32Array.from(new Int16Array(buf.buffer, 0, count));
    case "I64": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) throw new FormatError(file, name, `int64 value ${v} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case "F16":
      // Widened exactly to float32 (NaNs as torch's `.float()`) unless the caller keeps half tensors.
      return keepHalf ? new Uint16Array(buf.buffer, 0, count) : float16ToFloat32(new Uint16Array(buf.buffer, 0, count));
    case "BF16":
      return keepHalf ? new Uint16Array(buf.buffer, 0, count) : bfloat16ToFloat32(new Uint16Array(buf.buffer, 0, count));
  }
}

/** IEEE 754 binary16 bits → number (exact). Kept for existing callers; see ../tensor/half.ts. */
export function halfToFloat(h: number): number {
  return fromFloat16Bits(h);
}
