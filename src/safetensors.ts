/**
 * Tensors to and from safetensors files, as Hugging Face's `safetensors.torch.save_file`/`load_file`:
 * a named set of tensors (a model's `stateDict()`, for example) in one file that PyTorch, JAX and
 * transformers read. The byte format itself is `io`'s; this file adds tensors on top.
 */
import { ValueError } from "./errors.js";
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors, type SafetensorsArray } from "./io/safetensors.js";
import { Tensor } from "./tensor/tensor.js";
import { BFloat16Storage, Float16Storage, type Storage } from "./tensor/dtype.js";

/** Tensors by name: a `Map` (as `stateDict()` returns) or a plain object. */
export type NamedTensors = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

const STORED_DTYPE = { bool: "BOOL", float16: "F16", bfloat16: "BF16" } as const;

function entries(tensors: NamedTensors): [string, { shape: readonly number[]; data: SafetensorsArray; dtype?: "BOOL" | "F16" | "BF16" }][] {
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors as Record<string, Tensor>);
  return list.map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new ValueError(`safetensors.save: "${name}" is not a Tensor`);
    // Row-major copy of the values (views are laid out contiguously); bool tensors are written as BOOL,
    // float16/bfloat16 ones as F16/BF16 (their bits, unchanged).
    const stored = t.dtype === "bool" || t.dtype === "float16" || t.dtype === "bfloat16" ? { dtype: STORED_DTYPE[t.dtype] } : {};
    return [name, { shape: t.shape, data: t.toTypedArray(), ...stored }];
  });
}

function toTensors(file: { tensors: Map<string, { dtype: string; shape: number[]; data: SafetensorsArray }> }): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, entry] of file.tensors) out.set(name, new Tensor(storageOf(entry.dtype, entry.data), entry.shape));
  return out;
}

/** A decoded array as tensor storage: F16/BF16 bits (read with `keepHalf`) tagged with their format. */
function storageOf(dtype: string, data: SafetensorsArray): Storage {
  if (!(data instanceof Uint16Array)) return data;
  return dtype === "F16" ? new Float16Storage(data.buffer as ArrayBuffer, data.byteOffset, data.length) : new BFloat16Storage(data.buffer as ArrayBuffer, data.byteOffset, data.length);
}

/**
 * Writes tensors to a `.safetensors` file (atomically: a crash leaves the old file), with optional
 * string metadata. Every dtype is kept (float16/bfloat16 as F16/BF16).
 * @example
 * ```ts
 * import { join } from "node:path";
 * import { tmpdir } from "node:os";
 * import { nn, safetensors } from "loom";
 * const layer = new nn.Linear(4, 2);
 * const file = join(tmpdir(), "linear.safetensors");
 * safetensors.save(layer.stateDict(), file, { note: "example" });
 * layer.loadStateDict(safetensors.load(file));
 * ```
 */
export function save(tensors: NamedTensors, path: string, metadata: Record<string, string> = {}): void {
  saveSafetensors(path, entries(tensors), metadata);
}

/**
 * Reads every tensor of a `.safetensors` file, by name. F16/BF16 become float16/bfloat16 tensors, 8/16/64-bit
 * integers int32 (64-bit values must fit), U8/BOOL bool.
 */
export function load(path: string): Map<string, Tensor> {
  return toTensors(loadSafetensors(path, { keepHalf: true }));
}

/** The metadata (`__metadata__`) of a `.safetensors` file, e.g. `{ format: "pt" }`. */
export function loadMetadata(path: string): Record<string, string> {
  return loadSafetensors(path).metadata;
}

/** Tensors to safetensors bytes (for a browser download or a network upload). */
export function serialize(tensors: NamedTensors, metadata: Record<string, string> = {}): Uint8Array {
  const parts = encodeSafetensors(entries(tensors), metadata);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Safetensors bytes to tensors, by name. */
export function deserialize(bytes: Uint8Array): Map<string, Tensor> {
  return toTensors(decodeSafetensors(bytes, "<safetensors>", { keepHalf: true }));
}
