/**
 * Conversion of metric inputs to flat number arrays. Metrics accept inputs structurally, so they do
 * not depend on the Tensor class: a plain array, a typed array, a nested array of rows, or anything
 * with `shape` and `toTypedArray()` (a loom Tensor). Every metric computes in float64.
 */
import { ShapeError, ValueError, formatShape } from "../errors.js";

/** Anything with a shape and a contiguous flat copy of its data, such as a loom Tensor. */
export interface TensorLike {
  readonly shape: readonly number[];
  toTypedArray(): ArrayLike<number>;
}

/** Anything metrics accept: plain arrays, typed arrays, or a loom Tensor (which has shape and toTypedArray()). */
export type MetricInput = ArrayLike<number> | readonly (readonly number[])[] | TensorLike;

/** A metric input read into row-major flat data and its shape. */
export interface FlatInput {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** A [rows, cols] matrix in row-major order. */
export interface MatrixInput {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

function isTensorLike(x: MetricInput): x is TensorLike {
  return typeof (x as Partial<TensorLike>).toTypedArray === "function" && Array.isArray((x as TensorLike).shape);
}

function isNested(x: MetricInput): x is readonly (readonly number[])[] {
  return Array.isArray(x) && x.length > 0 && typeof x[0] === "object" && x[0] !== null;
}

/** Reads any metric input into flat data and a shape; `name` ("yTrue", "scores", …) goes into messages. */
export function readInput(metric: string, name: string, x: MetricInput): FlatInput {
  if (isTensorLike(x)) {
    const data = x.toTypedArray();
    const size = x.shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new ShapeError(`${metric}: ${name} has shape ${formatShape(x.shape)} but ${data.length} values`);
    }
    return { data, shape: [...x.shape] };
  }
  if (isNested(x)) {
    const cols = x[0].length;
    const data = new Float64Array(x.length * cols);
    x.forEach((row, i) => {
      if (row.length !== cols) {
        throw new ShapeError(`${metric}: ${name} is ragged: row 0 has ${cols} values, row ${i} has ${row.length}`);
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = row[j];
    });
    return { data, shape: [x.length, cols] };
  }
  const flat = x as ArrayLike<number>;
  return { data: flat, shape: [flat.length] };
}

/** Reads a vector: shape [n], or [n, 1] as models often produce. */
export function readVector(metric: string, name: string, x: MetricInput): ArrayLike<number> {
  const { data, shape } = readInput(metric, name, x);
  if (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) return data;
  throw new ShapeError(`${metric}: ${name} must be a vector of shape [n] or [n,1], got ${formatShape(shape)}`);
}

/** Reads a [rows, cols] matrix, such as class scores of shape [n, classes]. */
export function readMatrix(metric: string, name: string, x: MetricInput): MatrixInput {
  const { data, shape } = readInput(metric, name, x);
  if (shape.length !== 2) {
    throw new ShapeError(`${metric}: ${name} must be a matrix of shape [n, classes], got ${formatShape(shape)}`);
  }
  return { data, rows: shape[0], cols: shape[1] };
}

/** Throws a ShapeError naming the metric and both lengths when yTrue and yPred disagree. */
export function checkSameLength(metric: string, trueLength: number, predLength: number, predName = "yPred"): void {
  if (trueLength !== predLength) {
    throw new ShapeError(`${metric}: yTrue has ${trueLength} values but ${predName} has ${predLength}`);
  }
}

/** Reads yTrue and yPred as vectors of the same length. */
export function readPair(
  metric: string,
  yTrue: MetricInput,
  yPred: MetricInput,
): { yTrue: ArrayLike<number>; yPred: ArrayLike<number> } {
  const t = readVector(metric, "yTrue", yTrue);
  const p = readVector(metric, "yPred", yPred);
  checkSameLength(metric, t.length, p.length);
  return { yTrue: t, yPred: p };
}

/** Rejects NaN and ±Infinity, which have no place in labels, scores or regression targets. */
export function checkFinite(metric: string, name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new ValueError(`${metric}: ${name}[${i}] is ${data[i]}; values must be finite`);
    }
  }
}

/** Sorted distinct values of one or more arrays (numeric order). */
export function uniqueSorted(...arrays: ArrayLike<number>[]): number[] {
  const seen = new Set<number>();
  for (const a of arrays) for (let i = 0; i < a.length; i++) seen.add(a[i]);
  return [...seen].sort((a, b) => a - b);
}
