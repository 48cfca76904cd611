/**
 * Reverse-mode autograd: walk the graph from the output in reverse topological order, apply each
 * node's backward rule, and accumulate gradients — summing where a tensor feeds several ops, adding
 * into `.grad` of leaves across backward calls (gradient accumulation), as PyTorch does.
 */
import { AutogradError, ShapeError, formatShape } from "../errors.js";
import { getBackend, type FloatArray } from "../backend/index.js";
import { BinaryOp } from "../backend/reference/elementwise.js";
import { type DType, allocate, allocateUninitialized, convertStorage, isFloating, isHalf } from "../tensor/dtype.js";
import { shapesEqual } from "../tensor/shape.js";
import { addStrided, copyStrided, sumStrided } from "../tensor/strided.js";
import { Tensor } from "../tensor/tensor.js";
import { setGradEnabled } from "./grad-mode.js";
import { isRecyclable, noteEscaped, recycleBuffer, withRecycling } from "../tensor/storage-pool.js";

/** Options of `Tensor.backward()` and `autograd.backward()`. */
export interface BackwardOptions {
  /** Keep the graph's saved values so backward can run through it again. */
  retainGraph?: boolean;
}

/**
 * Runs backward from `root`. With `captured` (used by `checkpoint`), the tensors that are its keys are
 * boundaries: the walk does not go past them, and each gradient contribution reaching one is appended
 * to its list, in arrival order, instead of being accumulated or propagated further.
 */
export function backward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions, captured?: Map<Tensor, Tensor[]>): void {
  if (!root.requiresGrad) {
    throw new AutogradError("backward: tensor does not require grad and has no gradFn");
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new AutogradError(
        `backward: grad can be implicitly created only for scalar outputs, got shape ${formatShape(root.shape)}`,
      );
    }
    const one = allocate(root.dtype, 1);
    // 1.0, as bits for the half dtypes (bfloat16 0x3F80, float16 0x3C00).
    one[0] = root.dtype === "bfloat16" ? 0x3f80 : root.dtype === "float16" ? 0x3c00 : 1;
    seed = new Tensor(one, root.shape);
  } else {
    if (!shapesEqual(gradient.shape, root.shape)) {
      throw new ShapeError(`backward: gradient shape ${formatShape(gradient.shape)} does not match output shape ${formatShape(root.shape)}`);
    }
    seed = toDense(gradient, root);
  }

  const order: (Tensor | null)[] = topologicalOrder(root, captured);
  // Gradients flowing to each tensor. A rule's output is kept as is (no copy) until a second
  // contribution arrives; only then is a fresh, engine-owned sum made — rules may return the same
  // tensor for several inputs (add) or views of saved values, so those are never written in place.
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const owned = new Set<Tensor>([seed]);
  // Buffers of the gradients still waiting in `grads`, counted per view: a gradient the walk has
  // finished with goes back to the storage pool only when no waiting gradient views its buffer and it
  // was allocated inside this backward (tensor/storage-pool.ts), so nothing outside can hold it.
  const waiting = new Map<ArrayBufferLike, number>();
  const hold = (x: Tensor): void => {
    const b = x.storage.buffer;
    waiting.set(b, (waiting.get(b) ?? 0) + 1);
  };
  const unhold = (x: Tensor): void => {
    const b = x.storage.buffer;
    const n = (waiting.get(b) ?? 1) - 1;
    if (n > 0) waiting.set(b, n);
    else waiting.delete(b);
  };
  const finished: Tensor[] = [];
  const recycleFinished = (): void => {
    for (const x of finished) {
      const b = x.storage.buffer;
      if (!waiting.has(b) && isRecyclable(b)) recycleBuffer(b);
    }
    finished.length = 0;
  };
  hold(seed);
  const previous = setGradEnabled(false);
  try {
    withRecycling(() => {
      for (let index = 0; index < order.length; index++) {
        const t = order[index] as Tensor;
        // Dropped from the walk's list once reached, so a consumed activation is garbage as soon as its
        // node is released (nothing else in the engine holds it).
        order[index] = null;
        const g = grads.get(t);
        if (g === undefined) continue;
        grads.delete(t);
        unhold(g);
        if (captured?.has(t)) {
          captured.get(t)!.push(g);
          noteEscaped(g.storage.buffer);
          continue;
        }
        finished.push(g);
        const node = t.gradFn;
        if (node === null) {
          accumulateInto(t, g, !waiting.has(g.storage.buffer));
          recycleFinished();
          continue;
        }
        if (t.retainsGrad) accumulateInto(t, g);
        const inputGrads = node.apply(g);
        if (inputGrads === null) {
          throw new AutogradError(
            `backward: trying to backward through the graph a second time (through ${node.name}); ` +
              "its saved values were freed after the first backward — pass { retainGraph: true } to the first call",
          );
        }
        (node.gradInputs ?? node.inputs).forEach((input, i) => {
          const ig = inputGrads[i];
          if (ig === null || ig === undefined) return;
          if (!input.requiresGrad) {
            finished.push(ig);
            return;
          }
          if (!shapesEqual(ig.shape, input.shape)) {
            throw new ShapeError(
              `backward of ${node.name}: gradient shape ${formatShape(ig.shape)} does not match input shape ${formatShape(input.shape)}`,
            );
          }
          if (captured?.has(input)) {
            const dense = ig.dtype === input.dtype ? ig : toDense(ig, input);
            captured.get(input)!.push(dense);
            noteEscaped(dense.storage.buffer);
            return;
          }
          const existing = grads.get(input);
          if (existing === undefined) {
            const dense = ig.dtype === input.dtype ? ig : toDense(ig, input);
            if (dense !== ig) finished.push(ig);
            grads.set(input, dense);
            hold(dense);
          } else if (owned.has(existing)) {
            addDense(existing, ig);
            finished.push(ig);
          } else if (summableInPlace(existing, ig, input, waiting)) {
            // The only waiting view of a buffer made inside this backward (a residual stream's first
            // contribution): nothing else can read it, so the second one is added into it instead of
            // into a fresh buffer (the same a + g per element, so the same bits).
            addDense(existing, ig);
            owned.add(existing);
            finished.push(ig);
          } else {
            const sum = existing.isContiguous() && existing.dtype === input.dtype
              ? sumDense(existing, ig, input)
              : addDense(toDense(existing, input), ig);
            owned.add(sum);
            grads.set(input, sum);
            unhold(existing);
            hold(sum);
            finished.push(existing, ig);
          }
        });
        if (!options.retainGraph) node.release();
        recycleFinished();
      }
    });
  } finally {
    setGradEnabled(previous);
  }
}

/**
 * Tensors reachable from root that require grad, outputs before inputs, not walking past the keys of
 * `boundaries`. Iterative: graphs can be deep.
 */
function topologicalOrder(root: Tensor, boundaries?: ReadonlyMap<Tensor, unknown>): Tensor[] {
  const post: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as [Tensor, number];
    const [t, i] = top;
    const inputs = boundaries?.has(t) ? [] : (t.gradFn?.inputs ?? []);
    if (i < inputs.length) {
      top[1] = i + 1;
      const next = inputs[i] as Tensor;
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      post.push(t);
    }
  }
  return post.reverse();
}

/** A fresh contiguous tensor with the values of `g` in the dtype of `like`. */
function toDense(g: Tensor, like: Tensor): Tensor {
  // A half gradient, or one for a half tensor, is converted by value (rounded to nearest even), never
  // copied as raw elements: storage holds bit patterns there.
  if (g.dtype !== like.dtype && (isHalf(g.dtype) || isHalf(like.dtype))) {
    return new Tensor(convertStorage(g.contiguousValues(), g.dtype, like.dtype), like.shape);
  }
  const out = allocateUninitialized(like.dtype, g.size);
  copyStrided(out, 0, g.storage, g.shape, g.strides, g.offset);
  return new Tensor(out, like.shape);
}

/**
 * The elements of t as a float array view when t is contiguous and of the given float dtype (so the
 * backend's elementwise kernels can take it), else null.
 */
function floatView(t: Tensor, dtype: DType): FloatArray | null {
  if (t.dtype !== dtype || !isFloating(dtype) || !t.isContiguous()) return null;
  return t.storage.subarray(t.offset, t.offset + t.size) as FloatArray;
}

/**
 * Whether `existing` (a rule's output waiting in the engine) may take g's contribution in place: float
 * (not half) and contiguous in the input's dtype, on a buffer allocated inside this backward that no
 * graph node holds (isRecyclable) and that no other waiting gradient views, and not sharing g's buffer.
 */
function summableInPlace(existing: Tensor, g: Tensor, input: Tensor, waiting: ReadonlyMap<ArrayBufferLike, number>): boolean {
  const buffer = existing.storage.buffer;
  return existing.dtype === input.dtype && !isHalf(input.dtype) && isFloating(input.dtype) && existing.isContiguous() &&
    waiting.get(buffer) === 1 && g.storage.buffer !== buffer && isRecyclable(buffer);
}

/** dense += g, in place on dense's own (contiguous, engine-owned) storage. */
function addDense(dense: Tensor, g: Tensor): Tensor {
  if (isHalf(dense.dtype) || isHalf(g.dtype)) {
    // Half sums are taken in float32 and rounded once, as PyTorch accumulates half gradients.
    const sum = halfSum(dense, g);
    dense.storage.set(convertStorage(sum, "float32", dense.dtype), dense.offset);
    return dense;
  }
  const d = floatView(dense, dense.dtype);
  const gv = floatView(g, dense.dtype);
  if (d && gv) getBackend().binary(BinaryOp.add, d, d, gv);
  else addStrided(dense.storage.subarray(dense.offset, dense.offset + dense.size), g.storage, g.shape, g.strides, g.offset);
  return dense;
}

/** A fresh contiguous tensor a + g (a contiguous) in a's dtype: one pass instead of copy-then-add. */
function sumDense(a: Tensor, g: Tensor, like: Tensor): Tensor {
  if (isHalf(like.dtype) || isHalf(g.dtype) || isHalf(a.dtype)) return new Tensor(convertStorage(halfSum(a, g), "float32", like.dtype), like.shape);
  const out = allocateUninitialized(like.dtype, a.size);
  const av = a.storage.subarray(a.offset, a.offset + a.size);
  const gv = floatView(g, like.dtype);
  if (gv && isFloating(like.dtype)) getBackend().binary(BinaryOp.add, out as FloatArray, av as FloatArray, gv);
  else sumStrided(out, av, g.storage, g.shape, g.strides, g.offset);
  return new Tensor(out, like.shape);
}

/** a + g elementwise (a contiguous, g any layout of a's shape) in float32, for half operands. */
function halfSum(a: Tensor, g: Tensor): Float32Array {
  const out = convertStorage(a.contiguousValues(), a.dtype, "float32") as Float32Array;
  const gv = convertStorage(g.contiguousValues(), g.dtype, "float32") as Float32Array;
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i]! + gv[i]!);
  return out;
}

/**
 * Adds g into t.grad (made where null). With `adoptable` (no gradient still waiting in the engine views
 * g's buffer), a leaf's first gradient that is a whole buffer made inside this backward — nothing
 * outside the engine can hold it — becomes t.grad as it is, instead of being copied into a fresh one
 * (a SMALL GPT's 10.7M parameters: 41 MiB copied per step).
 */
function accumulateInto(t: Tensor, g: Tensor, adoptable = false): void {
  const storage = g.storage;
  if (t.grad === null && adoptable && g.dtype === t.dtype && g.offset === 0 && g.isContiguous() && storage.length === g.size &&
      storage.byteLength === storage.buffer.byteLength && isRecyclable(storage.buffer)) {
    t.grad = new Tensor(storage, t.shape);
    noteEscaped(storage.buffer); // the user's now: never recycled
    return;
  }
  if (t.grad === null || !t.grad.isContiguous() || t.grad.dtype !== t.dtype) {
    t.grad = t.grad === null ? toDense(g, t) : addDense(toDense(t.grad, t), g);
    noteEscaped(t.grad.storage.buffer); // the user's now: never recycled
  } else {
    addDense(t.grad, g);
  }
}
