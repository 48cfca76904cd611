/**
 * Element types. Storage is a plain typed array owned by the tensor (DESIGN.md decision 2); "bool" is
 * the result type of comparisons and is stored as bytes (0 or 1).
 */
import { DTypeError } from "../errors.js";

export type DType = "float32" | "float64" | "int32" | "bool";
export type FloatDType = "float32" | "float64";
export type Storage = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

export function allocate(dtype: DType, length: number): Storage {
  switch (dtype) {
    case "float32":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
    case "int32":
      return new Int32Array(length);
    case "bool":
      return new Uint8Array(length);
  }
}

/**
 * Below this many bytes a zero-filled typed array is as cheap as an uninitialised one (V8 allocates
 * small buffers on its own heap).
 */
const UNINITIALIZED_MIN_BYTES = 4096;

/** Node's Buffer, where it exists (not in browsers): the only way to get memory that is not zeroed. */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;

let poisonUninitialized = false;

/**
 * Makes `allocateUninitialized` fill its arrays with NaN (floats) or a large sentinel (ints), so a test
 * can prove that an op writes every element of its output. Returns the previous setting.
 */
export function setUninitializedPoison(on: boolean): boolean {
  const previous = poisonUninitialized;
  poisonUninitialized = on;
  return previous;
}

/**
 * A typed array whose contents are unspecified, for outputs that the caller overwrites completely
 * (kernel results, copies). Zero-filling a large buffer costs as much as writing it once more
 * (≈ 90 µs for 2 MiB against ≈ 8 µs unfilled), and a training step allocates hundreds of them.
 */
export function allocateUninitialized(dtype: DType, length: number): Storage {
  const bytes = length * BYTES[dtype];
  let out: Storage;
  if (NodeBuffer === undefined || bytes < UNINITIALIZED_MIN_BYTES) {
    out = allocate(dtype, length);
  } else {
    const raw = NodeBuffer.allocUnsafeSlow(bytes);
    out = viewAs(dtype, raw.buffer, raw.byteOffset, length);
  }
  if (poisonUninitialized) out.fill(dtype === "bool" ? 0xff : dtype === "int32" ? 0x7fffffff : NaN);
  return out;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

function viewAs(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, length: number): Storage {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, byteOffset, length);
    case "float64":
      return new Float64Array(buffer, byteOffset, length);
    case "int32":
      return new Int32Array(buffer, byteOffset, length);
    case "bool":
      return new Uint8Array(buffer, byteOffset, length);
  }
}

export function dtypeOf(storage: Storage): DType {
  if (storage instanceof Float32Array) return "float32";
  if (storage instanceof Float64Array) return "float64";
  if (storage instanceof Int32Array) return "int32";
  return "bool";
}

export function isFloating(dtype: DType): dtype is FloatDType {
  return dtype === "float32" || dtype === "float64";
}

export function checkDType(dtype: string, op: string): DType {
  if ((DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  throw new DTypeError(`${op}: unknown dtype "${dtype}" (expected one of ${DTYPES.join(", ")})`);
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's promotion between two tensors: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}
