/** The active backend. `setBackend` swaps it; `LOOM_BACKEND=js` selects the reference backend. */
import type { Backend } from "./backend.js";
import { ReferenceBackend } from "./reference/index.js";

export type { Backend, FloatArray, MatmulLayout } from "./backend.js";
export { ReferenceBackend } from "./reference/index.js";

export const referenceBackend: Backend = new ReferenceBackend();
let active: Backend = referenceBackend;

/** The backend that ops dispatch to. */
export function getBackend(): Backend {
  return active;
}

/** Makes `backend` the one ops dispatch to; returns the previous one. */
export function setBackend(backend: Backend): Backend {
  const previous = active;
  active = backend;
  return previous;
}
