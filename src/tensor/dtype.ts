/**
 * Element types. Storage is a plain typed array owned by the tensor (DESIGN.md decision 2); "bool" is
 * the result type of comparisons and is stored as bytes (0 or 1).
 */
import { AllocationError, DTypeError, ValueError, formatShape } from "../errors.js";

/** The element types of tensors. */
export type DType = "float32" | "float64" | "int32" | "bool";
/** The floating-point element types. */
export type FloatDType = "float32" | "float64";
/** The typed arrays that hold tensor elements (Uint8Array for bool). */
export type Storage = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/**
 * The most elements one tensor may hold: 2³¹ − 1. Kernels address storage with int32 offsets (see
 * `stridedOffsets`) and WebAssembly memory is 32-bit, so a larger tensor could not be computed on even
 * where the JavaScript engine could allocate it.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** Writes an element count the way messages show it: `2,147,483,647` (or `1e+300` past 2^53). */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function article(dtype: DType): string {
  return dtype === "int32" ? "an" : "a";
}

function describe(dtype: DType, length: number, shape: readonly number[] | undefined): string {
  return shape === undefined ? `${article(dtype)} ${dtype} tensor of ${formatCount(length)} elements` : `${article(dtype)} ${dtype} tensor of shape ${formatShape(shape)} (${formatCount(length)} elements)`;
}

/**
 * Checks that `length` elements of `dtype` can be allocated, before anything is: a ValueError for a
 * length that is not a non-negative integer, an AllocationError past `MAX_TENSOR_ELEMENTS`. `op` and
 * `shape` go into the message (`zeros: a float32 tensor of shape [1000000,1000000] …`).
 */
export function checkAllocation(dtype: DType, length: number, op = "allocate", shape?: readonly number[]): void {
  if (length > MAX_TENSOR_ELEMENTS) {
    throw new AllocationError(`${op}: ${describe(dtype, length, shape)} is over the limit of ${formatCount(MAX_TENSOR_ELEMENTS)} elements per tensor`);
  }
  if (!Number.isInteger(length) || length < 0) {
    throw new ValueError(`${op}: cannot allocate ${length} elements${shape ? ` for shape ${formatShape(shape)}` : ""}; a size must be a non-negative integer`);
  }
}

/**
 * A zero-filled typed array of `length` elements. Sizes are checked first (see `checkAllocation`),
 * and an engine out of memory becomes an AllocationError naming `op`, the dtype and the shape.
 */
export function allocate(dtype: DType, length: number, op = "allocate", shape?: readonly number[]): Storage {
  checkAllocation(checkDType(dtype, op), length, op, shape);
  try {
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
  } catch (e) {
    if (e instanceof RangeError) {
      throw new AllocationError(`${op}: out of memory for ${describe(dtype, length, shape)}, ${formatCount(length * BYTES[dtype])} bytes (${e.message})`);
    }
    throw e;
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
export function allocateUninitialized(dtype: DType, length: number, op = "allocate", shape?: readonly number[]): Storage {
  checkAllocation(checkDType(dtype, op), length, op, shape);
  const bytes = length * BYTES[dtype];
  let out: Storage | null = null;
  if (NodeBuffer !== undefined && bytes >= UNINITIALIZED_MIN_BYTES) {
    try {
      const raw = NodeBuffer.allocUnsafeSlow(bytes);
      out = viewAs(dtype, raw.buffer, raw.byteOffset, length);
    } catch (e) {
      // Past Buffer's own size limit (4 GiB in Node 20) a typed array may still be had, zero-filled.
      if (!(e instanceof RangeError)) throw e;
    }
  }
  out ??= allocate(dtype, length, op, shape);
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
