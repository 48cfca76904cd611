/**
 * The active backend. `setBackend` swaps it; `useFastBackend` switches to the WebAssembly backend and
 * `useReferenceBackend` to the TypeScript reference. The WebAssembly backend is the default where it
 * can run; `LOOM_BACKEND=js` starts on the reference backend instead.
 */
import type { Backend } from "./backend.js";
import { ValueError } from "../errors.js";
import { ReferenceBackend } from "./reference/index.js";
import { createWasmBackend } from "./wasm/index.js";

export type { Backend, FloatArray, MatmulLayout } from "./backend.js";
export { ReferenceBackend } from "./reference/index.js";
export { WasmBackend, createWasmBackend, type WasmBackendOptions } from "./wasm/index.js";

export const referenceBackend: Backend = new ReferenceBackend();

// Created on first use: compiling the kernels and reserving their memory is not free.
let fastBackend: Backend | undefined;

function fast(): Backend {
  fastBackend ??= createWasmBackend();
  return fastBackend;
}

/**
 * The starting backend: as `LOOM_BACKEND` says ("js" or "wasm") when set; otherwise the WebAssembly
 * backend wherever its SIMD kernels compile (Node 20+, current browsers), else the reference one.
 */
function backendFromEnv(): Backend {
  const name = process.env.LOOM_BACKEND;
  if (name === "js") return referenceBackend;
  if (name === "wasm") return fast();
  if (name !== undefined && name !== "") throw new ValueError(`LOOM_BACKEND must be "js" or "wasm", got "${name}"`);
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
 * Makes the WebAssembly backend (float32 SIMD kernels, `LOOM_THREADS` threads) the one ops dispatch
 * to, creating it on first use; returns the previous backend.
 */
export function useFastBackend(): Backend {
  return setBackend(fast());
}

/** Makes the reference TypeScript backend the one ops dispatch to; returns the previous one. */
export function useReferenceBackend(): Backend {
  return setBackend(referenceBackend);
}
