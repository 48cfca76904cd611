/**
 * The active backend. `setBackend` swaps it; `useFastBackend` switches to the fastest backend that runs
 * here (native, else WebAssembly) and `useReferenceBackend` to the TypeScript reference. The native
 * backend is the default where it was built and the CPU can run it, else the WebAssembly one;
 * `LOOM_BACKEND=native|wasm|js` names the starting backend instead.
 */
import type { Backend } from "./backend.js";
import { ValueError } from "../errors.js";
import { ReferenceBackend } from "./reference/index.js";
import { createWasmBackend } from "./wasm/index.js";
import { createNativeBackend } from "./native/index.js";

export type { Backend, ElementArray, FloatArray, HalfBits, MatmulLayout } from "./backend.js";
export { ReferenceBackend } from "./reference/index.js";
export { WasmBackend, createWasmBackend, type WasmBackendOptions } from "./wasm/index.js";
export { NativeBackend, NativeUnavailableError, createNativeBackend, type NativeBackendOptions } from "./native/index.js";

export const referenceBackend: Backend = new ReferenceBackend();

// Created on first use: compiling the kernels and reserving their memory is not free.
let fastBackend: Backend | undefined;

function wasm(): Backend {
  wasmBackend ??= createWasmBackend();
  return wasmBackend;
}
let wasmBackend: Backend | undefined;

// The native backend, or why it cannot run here (tried once per process).
let nativeBackend: Backend | undefined;
let nativeUnavailable: string | undefined;

function native(): Backend {
  if (nativeBackend) return nativeBackend;
  if (nativeUnavailable === undefined) {
    try {
      nativeBackend = createNativeBackend();
      return nativeBackend;
    } catch (e) {
      nativeUnavailable = (e as Error).message;
    }
  }
  throw new ValueError(`LOOM_BACKEND=native: ${nativeUnavailable}`);
}

/** Why the native backend cannot run in this process, or null when it can. */
export function nativeBackendUnavailableReason(): string | null {
  try {
    native();
    return null;
  } catch {
    return nativeUnavailable ?? null;
  }
}

/** The fastest backend that runs here: native, else WebAssembly. */
function fast(): Backend {
  fastBackend ??= nativeBackendUnavailableReason() === null ? native() : wasm();
  return fastBackend;
}

/**
 * The starting backend: as `LOOM_BACKEND` says ("native", "wasm" or "js") when set; otherwise the
 * native backend where it was built for this CPU, else the WebAssembly backend wherever its SIMD
 * kernels compile (Node 20+, current browsers), else the reference one.
 */
function backendFromEnv(): Backend {
  const name = process.env.LOOM_BACKEND;
  if (name === "js") return referenceBackend;
  if (name === "wasm") return wasm();
  if (name === "native") return native();
  if (name !== undefined && name !== "") throw new ValueError(`LOOM_BACKEND must be "native", "wasm" or "js", got "${name}"`);
  try {
    return fast();
  } catch {
    return referenceBackend;
  }
}

// Chosen on first use rather than at import, so a bad LOOM_BACKEND or a missing kernel build is
// reported where a backend is first needed (where callers can catch it), not by every import.
let active: Backend | undefined;

/** The backend that ops dispatch to. */
export function getBackend(): Backend {
  active ??= backendFromEnv();
  return active;
}

/**
 * Makes `backend` the one ops dispatch to; returns the previous one (the reference backend when none
 * had been chosen yet, so that switching away never has to start the one LOOM_BACKEND names).
 */
export function setBackend(backend: Backend): Backend {
  const previous = active ?? referenceBackend;
  active = backend;
  return previous;
}

/**
 * Makes the fastest backend that runs here (native, else WebAssembly; `LOOM_THREADS` threads) the one
 * ops dispatch to, creating it on first use; returns the previous backend.
 */
export function useFastBackend(): Backend {
  return setBackend(fast());
}

/** Makes the reference TypeScript backend the one ops dispatch to; returns the previous one. */
export function useReferenceBackend(): Backend {
  return setBackend(referenceBackend);
}
