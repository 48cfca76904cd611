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
