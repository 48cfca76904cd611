/**
 * Which kernels the commands run on: the WebAssembly SIMD backend unless `LOOM_BACKEND=js` (or
 * `--backend js`) asks for the reference one. If WebAssembly cannot start here, the reference backend
 * is used and the reason printed.
 */
import { referenceBackend, setBackend, useFastBackend } from "../backend/index.js";
import { ValueError } from "../errors.js";

/** The backends a command can be asked for. */
export const BACKEND_NAMES = ["wasm", "js"] as const;

export function chooseBackend(name: string | undefined, log: (line: string) => void = console.error): string {
  const source = name !== undefined ? "--backend" : "LOOM_BACKEND";
  const wanted = name ?? (process.env.LOOM_BACKEND || "wasm");
  if (!(BACKEND_NAMES as readonly string[]).includes(wanted)) {
    throw new ValueError(`${source}: expected ${BACKEND_NAMES.join(" or ")}, got "${wanted}" (loom has no GPU backend yet)`);
  }
  if (wanted === "js") {
    setBackend(referenceBackend);
    return "js";
  }
  try {
    useFastBackend();
    return "wasm";
  } catch (e) {
    log(`loom: the WebAssembly backend is unavailable (${(e as Error).message}); using the reference backend`);
    setBackend(referenceBackend);
    return "js";
  }
}
