/**
 * Gradient checkpointing (Chen et al. 2016, "Training deep nets with sublinear memory cost"), with the
 * semantics of PyTorch's non-reentrant `torch.utils.checkpoint`: the forward runs without recording, so
 * none of `fn`'s intermediate activations are kept, only its inputs; backward runs `fn` again with
 * recording on, from the same default-generator state (so dropout draws the same masks), and
 * backpropagates through that recomputed graph.
 *
 * Wiring, for outputs o₁…oₖ of `fn` and the tensors requiring grad that `fn` reads, r₁…rₘ (its tensor
 * inputs and whatever it closes over, parameters included, seen during the forward through
 * `observeUnrecorded`):
 *
 *     oᵢ ──(CheckpointOutput: stores gradᵢ)──► anchor ──(CheckpointBackward)──► r₁ … rₘ
 *
 * The engine reaches `anchor` only after every oᵢ (they are its only consumers), so all output gradients
 * are in hand when CheckpointBackward recomputes `fn` and runs one backward from all recomputed outputs
 * together, stopping at r₁…rₘ and handing their gradients back to the outer engine. Gradients therefore
 * flow in the same order as without checkpointing, which is what makes them bit-identical.
 */
import { AutogradError, formatShape } from "../errors.js";
import { allocate, isFloatingPoint } from "../tensor/dtype.js";
import { type AutocastDType, autocast, autocastDType, withoutAutocast } from "./autocast.js";
import { shapesEqual } from "../tensor/shape.js";
import { getRngState, setRngState } from "../tensor/rng.js";
import { Tensor } from "../tensor/tensor.js";
import { backward } from "./engine.js";
import { isGradEnabled, observeUnrecorded, setGradEnabled } from "./grad-mode.js";
import { Node } from "./node.js";
import { noteEscaped } from "../tensor/storage-pool.js";

/**
 * Runs `fn(...inputs)` keeping only its inputs, and recomputes it during backward
 * (`torch.utils.checkpoint.checkpoint(fn, *inputs, use_reentrant=False)`).
 *
 * - Values and gradients are bit-identical to calling `fn` directly: the recomputation replays the
 *   default generator (`manualSeed`), so dropout masks match; the generator is left where the forward
 *   left it. Other generators passed to `fn` explicitly are not replayed.
 * - Inputs may be any values; tensors among them may or may not require grad. Parameters and other
 *   tensors `fn` closes over get their gradients as without checkpointing.
 * - The result may be a tensor, or arrays and plain objects holding tensors and other values, nested;
 *   floating-point tensors made by `fn` are connected to the graph (all of them require grad: without
 *   recording, the forward cannot tell which depend on the inputs), other values returned as they are.
 * - Nested use works (a checkpointed function may checkpoint parts of itself). Under `noGrad`, or when
 *   nothing `fn` reads requires grad, `fn` simply runs.
 * - As with any saved tensor, inputs must not be modified in place before backward; `fn` must compute the
 *   same shapes when run again (checked: a mismatch is an AutogradError).
 *
 * @example
 * const h = checkpoint((x) => block.forward(x), x); // block's activations are recomputed in backward
 */
export function checkpoint<A extends unknown[], R>(fn: (...args: A) => R, ...inputs: A): R {
  if (!isGradEnabled()) return fn(...inputs);

  // Forward without recording, noting every tensor requiring grad that an op reads. The recomputation
  // replays the generator and the autocast state of this moment (as torch.utils.checkpoint does).
  const rngState = getRngState();
  const autocastState = autocastDType();
  const reads: Tensor[] = [];
  const seen = new Set<unknown>();
  const note = (t: unknown): void => {
    if (!seen.has(t) && t instanceof Tensor) {
      seen.add(t);
      reads.push(t);
    }
  };
  for (const x of inputs) if (x instanceof Tensor && x.requiresGrad) note(x);
  const previousListener = observeUnrecorded(note);
  const previousGrad = setGradEnabled(false);
  let result: R;
  try {
    result = fn(...inputs);
  } finally {
    setGradEnabled(previousGrad);
    observeUnrecorded(previousListener);
  }
  if (reads.length === 0) return result;

  // The tensors fn made (not its inputs or what it read, which are returned as they are).
  const made = madeTensors(result, seen, inputs);
  if (made.length === 0) return result;

  const slots: (Tensor | null)[] = made.map(() => null);
  const anchor = new Tensor(allocate("float32", 1), []);
  const node = new Node("CheckpointBackward", reads, () => {
    try {
      // Each read's contributions come back separately, in the order the recomputed backward made them,
      // so the outer engine sums them exactly as it would have without checkpointing.
      const contributions = recompute(fn, inputs, rngState, autocastState, made, slots, reads);
      node.gradInputs = contributions.map(([t]) => t);
      return contributions.map(([, g]) => g);
    } finally {
      slots.fill(null);
    }
  });
  anchor.setGradFn(node);
  const zero = new Tensor(allocate("float32", 1), []);
  const wired = new Map<Tensor, Tensor>();
  made.forEach((t, k) => {
    const out = new Tensor(t.storage, t.shape, t.strides, t.offset);
    out.setGradFn(new Node("CheckpointOutputBackward", [anchor], (g) => {
      slots[k] = g;
      noteEscaped(g.storage.buffer); // kept past this rule: the engine must not recycle it
      return [zero];
    }));
    wired.set(t, out);
  });
  return replaceTensors(result, wired) as R;
}

/** The backward of CheckpointBackward: runs fn again with recording on, then backward from its outputs. */
function recompute<A extends unknown[], R>(
  fn: (...args: A) => R, inputs: A, rngState: ReturnType<typeof getRngState>, autocastState: AutocastDType | null, made: readonly Tensor[],
  slots: readonly (Tensor | null)[], reads: readonly Tensor[],
): [Tensor, Tensor][] {
  const current = getRngState();
  setRngState(rngState);
  const previousGrad = setGradEnabled(true);
  let again: R;
  try {
    again = autocastState === null ? withoutAutocast(() => fn(...inputs)) : autocast(autocastState, () => fn(...inputs));
  } finally {
    setGradEnabled(previousGrad);
    setRngState(current);
  }
  const outputs = madeTensors(again, new Set<unknown>(reads), inputs);
  if (outputs.length !== made.length) {
    throw new AutogradError(`checkpoint: the recomputed forward returned ${outputs.length} tensors, the forward ${made.length}; fn must compute the same outputs when run again`);
  }
  outputs.forEach((t, k) => {
    const expected = made[k]!;
    if (!shapesEqual(t.shape, expected.shape) || t.dtype !== expected.dtype) {
      throw new AutogradError(`checkpoint: recomputed output ${k} is ${t.dtype} ${formatShape(t.shape)}, the forward gave ${expected.dtype} ${formatShape(expected.shape)}; fn must compute the same outputs when run again`);
    }
  });
  // One backward from all outputs together, through a root whose rule hands each output its gradient.
  const live = outputs.map((t, k) => (t.requiresGrad && slots[k] !== null ? k : -1)).filter((k) => k >= 0);
  const captured = new Map<Tensor, Tensor[]>(reads.map((t) => [t, []]));
  const order: [Tensor, Tensor][] = [];
  if (live.length > 0) {
    const root = new Tensor(allocate("float32", 1), []);
    root.setGradFn(new Node("CheckpointRecomputed", live.map((k) => outputs[k]!), () => live.map((k) => slots[k]!)));
    backward(root, undefined, {}, captured);
  }
  for (const t of reads) for (const g of captured.get(t)!) order.push([t, g]);
  return order;
}

/**
 * The floating-point tensors in `result` that fn made, each once, in order of first appearance: not
 * its inputs or the tensors it read (those are returned as they are).
 */
function madeTensors(result: unknown, read: ReadonlySet<unknown>, inputs: readonly unknown[]): Tensor[] {
  const made = new Set<Tensor>();
  collectTensors(result, (t) => {
    if (!read.has(t) && !inputs.includes(t) && isFloatingPoint(t.dtype)) made.add(t);
  });
  return [...made];
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Calls `visit` on every tensor in `x`, depth first, through arrays and plain objects. */
function collectTensors(x: unknown, visit: (t: Tensor) => void): void {
  if (x instanceof Tensor) visit(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, visit);
  else if (isPlainObject(x)) for (const v of Object.values(x)) collectTensors(v, visit);
}

/** `x` with the tensors that are keys of `by` replaced, arrays and plain objects rebuilt. */
function replaceTensors(x: unknown, by: ReadonlyMap<Tensor, Tensor>): unknown {
  if (x instanceof Tensor) return by.get(x) ?? x;
  if (Array.isArray(x)) return x.map((v) => replaceTensors(v, by));
  if (isPlainObject(x)) {
    const out: Record<string, unknown> = Object.getPrototypeOf(x) === null ? Object.create(null) as Record<string, unknown> : {};
    for (const [k, v] of Object.entries(x)) out[k] = replaceTensors(v, by);
    return out;
  }
  return x;
}
