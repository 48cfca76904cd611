/** Whether ops record the graph. `noGrad(fn)` runs fn without recording, as `torch.no_grad()`. */

let enabled = true;

/** Whether ops record the autograd graph now (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Turns graph recording on or off, as `torch.set_grad_enabled`; returns the previous setting. Prefer `noGrad(fn)`, which restores
 * it.
 */
export function setGradEnabled(value: boolean): boolean {
  const previous = enabled;
  enabled = value;
  return previous;
}

/** Runs `fn` with gradient recording off and returns its result. */
export function noGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(previous);
  }
}

/** Runs `fn` with gradient recording on (inside a `noGrad` region, for instance). */
export function enableGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(previous);
  }
}

/** Told of each tensor that requires grad and meets an op while recording is off; see `observeUnrecorded`. */
export type UnrecordedListener = (input: { readonly requiresGrad: boolean }) => void;

let unrecordedListener: UnrecordedListener | null = null;

/**
 * Installs `listener` (or none, with null) and returns the previous one. `checkpoint` uses it to learn,
 * during its forward without recording, which tensors requiring grad its function reads (its inputs and
 * the parameters it closes over), so the recomputed graph can be joined to them.
 */
export function observeUnrecorded(listener: UnrecordedListener | null): UnrecordedListener | null {
  const previous = unrecordedListener;
  unrecordedListener = listener;
  return previous;
}

/** Called by ops when recording is off: reports the inputs that require grad to the listener, if any. */
export function noteUnrecorded(inputs: readonly { readonly requiresGrad: boolean }[]): void {
  if (unrecordedListener === null) return;
  for (const t of inputs) if (t.requiresGrad) unrecordedListener(t);
}
