/**
 * Gradient-flow visibility for recurrent layers: ‖∂L/∂h_t‖ per time step, the quantity whose decay
 * over t is the vanishing-gradient problem (Bengio et al. 1994; Hochreiter 1991). The layers' sequence
 * op reports it from inside its backward (where the full gradient of each hidden state — from the
 * output at t and from step t + 1 — is at hand), so recording costs one norm per step.
 */
export interface StepGradNorms {
  /** Which layer and direction, e.g. "l0" or "l1_reverse" (prefixed by the call order: "#0 l0"). */
  label: string;
  /** ‖∂L/∂h_t‖₂ over the batch, indexed by time t (not by processing order); zero where none flowed. */
  norms: Float64Array;
}

let active: StepGradNorms[] | null = null;

/** Called by the sequence op at forward time: the entry its backward fills, or null when not recording. */
export function stepGradEntry(label: string, steps: number): StepGradNorms | null {
  if (active === null) return null;
  const entry = { label: `#${active.length} ${label}`, norms: new Float64Array(steps) };
  active.push(entry);
  return entry;
}

/**
 * Runs fn (which should run the forward pass of one or more LSTM/GRU/RNN layers and then backward)
 * and returns, for every layer-direction the forward ran, ‖∂L/∂h_t‖ per time step t. A second backward
 * through the same graph (retainGraph) overwrites the norms.
 */
export function recordStepGradNorms(fn: () => void): StepGradNorms[] {
  const previous = active;
  const entries: StepGradNorms[] = [];
  active = entries;
  try {
    fn();
  } finally {
    active = previous;
  }
  return entries;
}
