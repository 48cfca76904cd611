/**
 * Element types. Storage is a plain typed array owned by the tensor (DESIGN.md decision 2); "bool" is
 * the result type of comparisons and is stored as bytes (0 or 1). float16 and bfloat16 hold their bit
 * patterns in a `Uint16Array` (Node 20 has no `Float16Array`); the two are told apart by a subclass
 * each (`Float16Storage`, `BFloat16Storage`), so a storage still names its dtype and `slice`/`subarray`
 * keep it (they build the result with the array's own constructor).
 */
import { AllocationError, DTypeError, ValueError, formatShape } from "../errors.js";
import { bfloat16ToFloat32, float16ToFloat32, float32ToBFloat16, float32ToFloat16 } from "../io/half.js";
import { getBackend } from "../backend/index.js";
import { noteAllocated, takePooledBuffer } from "./storage-pool.js";

/** The element types of tensors. */
export type DType = "float32" | "float64" | "int32" | "bool" | "float16" | "bfloat16";
/** The floating-point element types the kernels compute in (float32 and float64). */
export type FloatDType = "float32" | "float64";
/** The 16-bit floating-point storage types: ops on them compute in float32 and round the result back. */
export type HalfDType = "float16" | "bfloat16";

/** Storage of a float16 tensor: IEEE 754 binary16 bit patterns. */
export class Float16Storage extends Uint16Array {}
/** Storage of a bfloat16 tensor: the upper 16 bits of float32 patterns. */
export class BFloat16Storage extends Uint16Array {}

/** The typed arrays that hold tensor elements (Uint8Array for bool, a Uint16Array subclass for half). */
export type Storage = Float32Array | Float64Array | Int32Array | Uint8Array | Float16Storage | BFloat16Storage;

/** Every dtype, in the order messages list them. */
export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool", "float16", "bfloat16"];

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
      case "float16":
        return new Float16Storage(length);
      case "bfloat16":
        return new BFloat16Storage(length);
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
      // A buffer the autograd engine has finished with (storage-pool.ts), else a new one.
      const buffer = takePooledBuffer(bytes) ?? NodeBuffer.allocUnsafeSlow(bytes).buffer;
      noteAllocated(buffer);
      out = viewAs(dtype, buffer, 0, length);
    } catch (e) {
      // Past Buffer's own size limit (4 GiB in Node 20) a typed array may still be had, zero-filled.
      if (!(e instanceof RangeError)) throw e;
    }
  }
  out ??= allocate(dtype, length, op, shape);
  if (poisonUninitialized) out.fill(dtype === "bool" ? 0xff : dtype === "int32" ? 0x7fffffff : isHalf(dtype) ? 0x7fff : NaN);
  return out;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1, float16: 2, bfloat16: 2 };

/** Bytes per element of `dtype`. */
export function bytesPerElement(dtype: DType): number {
  return BYTES[dtype];
}

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
    case "float16":
      return new Float16Storage(buffer as ArrayBuffer, byteOffset, length);
    case "bfloat16":
      return new BFloat16Storage(buffer as ArrayBuffer, byteOffset, length);
  }
}

/** The dtype a storage array holds (a plain Uint16Array is not a storage: it names no half format). */
export function dtypeOf(storage: Storage): DType {
  if (storage instanceof Float32Array) return "float32";
  if (storage instanceof Float64Array) return "float64";
  if (storage instanceof Int32Array) return "int32";
  if (storage instanceof BFloat16Storage) return "bfloat16";
  if (storage instanceof Float16Storage) return "float16";
  if (storage instanceof Uint8Array) return "bool";
  throw new DTypeError(`dtypeOf: a ${(storage as object).constructor.name} is no tensor storage (wrap half bits in Float16Storage or BFloat16Storage)`);
}

/** Whether kernels compute on `dtype` directly: float32 and float64 (half tensors are widened first). */
export function isFloating(dtype: DType): dtype is FloatDType {
  return dtype === "float32" || dtype === "float64";
}

/** Whether `dtype` is float16 or bfloat16. */
export function isHalf(dtype: DType): dtype is HalfDType {
  return dtype === "float16" || dtype === "bfloat16";
}

/** PyTorch's `is_floating_point`: float16, bfloat16, float32 and float64. */
export function isFloatingPoint(dtype: DType): dtype is FloatDType | HalfDType {
  return isFloating(dtype) || isHalf(dtype);
}

/** `dtype` as a known dtype, or a DTypeError naming `op` and the dtypes there are. */
export function checkDType(dtype: string, op: string): DType {
  if ((DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  throw new DTypeError(`${op}: unknown dtype "${dtype}" (expected one of ${DTYPES.join(", ")})`);
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float16: 2, bfloat16: 2, float32: 3, float64: 4 };

/**
 * PyTorch's promotion between two tensors: bool < int32 < float16, bfloat16 < float32 < float64, and
 * float16 with bfloat16 gives float32 (neither holds the other's values).
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a !== b && isHalf(a) && isHalf(b)) return "float32";
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * out[i] = the float32 value of half bits src[i] (exact), for `from`'s format: on the active backend's
 * conversion where it has one (native: F16C or a shift), else io/half.ts.
 */
export function widenHalfInto(out: Float32Array, src: Uint16Array, from: HalfDType): void {
  const backend = getBackend();
  const widen = from === "float16" ? backend.float16ToFloat32 : backend.bfloat16ToFloat32;
  if (widen) widen.call(backend, out, src);
  else if (from === "float16") float16ToFloat32(src, out);
  else bfloat16ToFloat32(src, out);
}

/**
 * The elements of a contiguous `src` of dtype `from` as a new storage of dtype `to`: float → half rounds
 * to nearest even (bit-exact with PyTorch, see io/half.ts; float64 and int32 go through float32 first,
 * as PyTorch's conversions do), half → float is exact, → int32 truncates toward zero, → bool tests ≠ 0.
 */
export function convertStorage(src: Storage, from: DType, to: DType, op = "to"): Storage {
  if (from === to) return src.slice();
  const backend = getBackend();
  if (isHalf(from)) {
    const wide = allocateUninitialized("float32", src.length, op) as Float32Array;
    widenHalfInto(wide, src as Uint16Array, from);
    return to === "float32" ? wide : convertStorage(wide, "float32", to, op);
  }
  if (isHalf(to)) {
    const f32 = src instanceof Float32Array ? src : Float32Array.from(src);
    const out = allocateUninitialized(to, src.length, op) as Uint16Array;
    const narrow = to === "float16" ? backend.float32ToFloat16 : backend.float32ToBFloat16;
    if (narrow) narrow.call(backend, out, f32);
    else if (to === "float16") float32ToFloat16(f32, out);
    else float32ToBFloat16(f32, out);
    return out as Storage;
  }
  const out = allocateUninitialized(to, src.length, op);
  if (to === "bool") for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  else if (to === "int32") for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i] ?? 0);
  else for (let i = 0; i < src.length; i++) out[i] = src[i] ?? 0;
  return out;
}
