/**
 * Which kernels the commands run on: the fastest backend that runs here (native, else WebAssembly)
 * unless `LOOM_BACKEND` (or `--backend native|wasm|js`) names one. When no backend is named and the
 * native kernels cannot run, one line says why; if WebAssembly cannot start either, the reference
 * backend is used and the reason printed.
 */
import {
  createWasmBackend, getBackend, nativeBackendUnavailableReason, referenceBackend, setBackend, useFastBackend,
} from "../backend/index.js";
import { ValueError } from "../errors.js";

/** The backends a command can be asked for. */
export const BACKEND_NAMES = ["native", "wasm", "js"] as const;

export function chooseBackend(name: string | undefined, log: (line: string) => void = console.error): string {
  const source = name !== undefined ? "--backend" : "LOOM_BACKEND";
  const wanted = name ?? (process.env.LOOM_BACKEND || undefined);
  if (wanted !== undefined && !(BACKEND_NAMES as readonly string[]).includes(wanted)) {
    const names = `${BACKEND_NAMES.slice(0, -1).join(", ")} or ${BACKEND_NAMES[BACKEND_NAMES.length - 1]}`;
    throw new ValueError(`${source}: expected ${names}, got "${wanted}" (loom has no GPU backend yet)`);
  }
  if (wanted === "js") {
    setBackend(referenceBackend);
    return "js";
  }
  const nativeReason = nativeBackendUnavailableReason();
  if (wanted === "native" && nativeReason !== null) throw new ValueError(`${source}: native: ${nativeReason}`);
  try {
    if (wanted === "wasm") setBackend(createWasmBackend());
    else {
      if (nativeReason !== null) log(`loom: ${nativeReason}; using the WebAssembly backend`);
      useFastBackend();
    }
    return getBackend().name;
  } catch (e) {
    log(`loom: the WebAssembly backend is unavailable (${(e as Error).message}); using the reference backend`);
    setBackend(referenceBackend);
    return "js";
  }
}
