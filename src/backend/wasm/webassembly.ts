/**
 * Types for the parts of the WebAssembly JavaScript API this backend uses. The project compiles against
 * lib ES2023 without DOM, and @types/node does not declare the `WebAssembly` global, so the global is
 * read through these interfaces instead (https://webassembly.github.io/spec/js-api/).
 */

/** A compiled module; can be sent to worker threads (structured clone). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmMemory {
  /** A SharedArrayBuffer for shared memories; a new object after the memory grows. */
  readonly buffer: ArrayBufferLike;
  /** Grows by `pages` pages of 64 KiB; returns the previous size in pages; throws RangeError past the maximum. */
  grow(pages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

export const wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
