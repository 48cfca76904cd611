/**
 * Joining and splitting along a dim: cat, stack, split, chunk (PyTorch semantics and argument order).
 * cat's backward hands each input the narrow slice of the gradient it produced; split and chunk are
 * narrow views, so their gradients come from the slice rule in views.ts.
 */
import { ShapeError, ValueError, formatShape } from "../errors.js";
import { type DType, allocate, isHalf, promoteTypes } from "../tensor/dtype.js";
import { to } from "./cast.js";
import { normalizeDim, numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";
import { narrow, unsqueeze } from "./views.js";

/** Concatenates tensors along an existing dim; all shapes must agree outside `dim`. dtypes promote. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const first = tensors[0];
  if (first === undefined) throw new ValueError("cat: expected a non-empty list of tensors");
  if (first.ndim === 0) throw new ShapeError("cat: zero-dimensional tensor (at position 0) cannot be concatenated");
  const d = normalizeDim(dim, first.ndim, "cat");
  let dtype: DType = first.dtype;
  let total = 0;
  for (const t of tensors) {
    const fits = t.ndim === first.ndim && t.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!fits) {
      throw new ShapeError(`cat: tensors must have the same shape except in dim ${d}, got ${formatShape(first.shape)} and ${formatShape(t.shape)}`);
    }
    dtype = promoteTypes(dtype, t.dtype);
    total += t.shape[d] ?? 0;
  }
  // Elements are copied as stored, so a half tensor meets only its own dtype.
  if (tensors.some((t) => t.dtype !== dtype && (isHalf(t.dtype) || isHalf(dtype)))) return cat(tensors.map((t) => to(t, dtype)), dim);
  const shape = [...first.shape];
  shape[d] = total;
  // View every tensor as [outer, size_d·inner] rows and copy each row into its place in the output.
  const outer = numel(first.shape.slice(0, d));
  const inner = numel(first.shape.slice(d + 1));
  const out = allocate(dtype, numel(shape));
  const starts: number[] = [];
  let start = 0;
  for (const t of tensors) {
    const size = t.shape[d] ?? 0;
    starts.push(start);
    const src = t.isContiguous() ? t.storage : t.toTypedArray();
    const so = t.isContiguous() ? t.offset : 0;
    const run = size * inner;
    for (let o = 0; o < outer; o++) {
      const dst = (o * total + start) * inner;
      const from = so + o * run;
      for (let j = 0; j < run; j++) out[dst + j] = src[from + j] as number;
    }
    start += size;
  }
  return record(new Tensor(out, shape), "cat", [...tensors], (g) =>
    tensors.map((t, i) => (t.requiresGrad ? narrow(g, d, starts[i] as number, t.shape[d] ?? 0) : null)),
  );
}

/** Stacks equal-shaped tensors along a new dim (0 ≤ dim ≤ ndim). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const first = tensors[0];
  if (first === undefined) throw new ValueError("stack: expected a non-empty list of tensors");
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, j) => s !== first.shape[j])) {
      throw new ShapeError(`stack: expects each tensor to be equal size, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim(dim, first.ndim + 1, "stack");
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/**
 * Splits into views along dim: a number gives pieces of that size (the last may be smaller), a list
 * gives the size of each piece (they must sum to the dim's size).
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.ndim, "split");
  const n = x.shape[d] ?? 1;
  let sizes: number[];
  if (typeof splitSizeOrSections === "number") {
    const s = splitSizeOrSections;
    if (!Number.isInteger(s) || s < 0 || (s === 0 && n !== 0)) {
      throw new ValueError(`split: split size must be a positive integer, got ${s}`);
    }
    const pieces = s === 0 ? 1 : Math.max(1, Math.ceil(n / s));
    sizes = Array.from({ length: pieces }, (_, i) => Math.min(s, n - i * s));
  } else {
    sizes = [...splitSizeOrSections];
    const sum = sizes.reduce((p, s) => p + s, 0);
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sum !== n) {
      throw new ValueError(`split: sections [${sizes.join(",")}] must be non-negative and sum to ${n} (size of dim ${d} of ${formatShape(x.shape)})`);
    }
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    out.push(narrow(x, d, start, s));
    start += s;
  }
  return out;
}

/** Splits into `chunks` pieces of size ⌈n/chunks⌉ along dim (fewer when n is small), as torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim(dim, x.ndim, "chunk");
  const n = x.shape[d] ?? 1;
  return split(x, n === 0 ? 0 : Math.ceil(n / chunks), d);
}
