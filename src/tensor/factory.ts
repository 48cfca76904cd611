/** Tensor factory functions: tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint, … */
import { ValueError, formatShape } from "../errors.js";
import { type DType, type Storage, allocate, checkDType, dtypeOf } from "./dtype.js";
import { Generator, defaultGenerator } from "./rng.js";
import { checkShape, numel } from "./shape.js";
import { Tensor, type NestedArray } from "./tensor.js";

export interface TensorOptions {
  /** Element type; "float32" unless given (or taken from a typed array's own type). */
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

function finish(t: Tensor, options: TensorOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function shapeOf(data: NestedArray, op: string): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0] as NestedArray;
  }
  return checkShape(shape, op);
}

/**
 * Makes a tensor from nested arrays (or a typed array, or a number). Ragged nesting is an error.
 * `tensor([[1, 2], [3, 4]], { requiresGrad: true })`
 */
export function tensor(data: NestedArray | Storage, options: TensorOptions = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const dtype = options.dtype ? checkDType(options.dtype, "tensor") : dtypeOf(data);
    const storage = allocate(dtype, data.length);
    for (let i = 0; i < data.length; i++) storage[i] = data[i] ?? 0;
    return finish(new Tensor(storage, [data.length]), options);
  }
  const shape = shapeOf(data, "tensor");
  const flat: (number | boolean)[] = [];
  const walk = (x: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(x)) throw new ValueError(`tensor: ragged nested array (expected shape ${formatShape(shape)})`);
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ValueError(`tensor: ragged nested array (expected shape ${formatShape(shape)})`);
    }
    for (const y of x) walk(y, dim + 1);
  };
  walk(data, 0);
  const inferred: DType = flat.length > 0 && flat.every((v) => typeof v === "boolean") ? "bool" : "float32";
  const dtype = options.dtype ? checkDType(options.dtype, "tensor") : inferred;
  const storage = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    storage[i] = typeof v === "boolean" ? (v ? 1 : 0) : (v ?? 0);
  }
  return finish(new Tensor(storage, shape), options);
}

/** A 0-dimensional tensor holding one number. */
export function scalar(value: number, options: TensorOptions = {}): Tensor {
  const storage = allocate(options.dtype ?? "float32", 1);
  storage[0] = value;
  return finish(new Tensor(storage, []), options);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  const s = checkShape(shape, "full");
  const storage = allocate(options.dtype ?? "float32", numel(s));
  if (value !== 0) storage.fill(value);
  return finish(new Tensor(storage, s), options);
}

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...options });
}

export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...options });
}

export function fullLike(t: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

/** Values from start (inclusive) to end (exclusive) by step: `arange(5)`, `arange(1, 2, 0.25)`. */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new ValueError("arange: step must be non-zero");
  const n = Math.max(0, Math.ceil((end - start) / step));
  const allInts = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const storage = allocate(options.dtype ?? (allInts ? "int32" : "float32"), n);
  for (let i = 0; i < n; i++) storage[i] = start + i * step;
  return finish(new Tensor(storage, [n]), options);
}

/** `steps` evenly spaced values from start to end, both included. */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const storage = allocate(options.dtype ?? "float32", steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) storage[i] = i === steps - 1 && steps > 1 ? end : start + i * delta;
  return finish(new Tensor(storage, [steps]), options);
}

/** The n×m identity matrix. */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  const storage = allocate(options.dtype ?? "float32", n * m);
  for (let i = 0; i < Math.min(n, m); i++) storage[i * m + i] = 1;
  return finish(new Tensor(storage, checkShape([n, m], "eye")), options);
}

/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const s = checkShape(shape, "rand");
  const gen = options.generator ?? defaultGenerator;
  const storage = allocate(options.dtype ?? "float32", numel(s));
  for (let i = 0; i < storage.length; i++) storage[i] = gen.random();
  return finish(new Tensor(storage, s), options);
}

/** Standard normal samples. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const s = checkShape(shape, "randn");
  const gen = options.generator ?? defaultGenerator;
  const storage = allocate(options.dtype ?? "float32", numel(s));
  for (let i = 0; i < storage.length; i++) storage[i] = gen.normal();
  return finish(new Tensor(storage, s), options);
}

/** Uniform integers in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  if (!(high > low)) throw new ValueError(`randint: high (${high}) must be greater than low (${low})`);
  const s = checkShape(shape, "randint");
  const gen = options.generator ?? defaultGenerator;
  const storage = allocate(options.dtype ?? "int32", numel(s));
  for (let i = 0; i < storage.length; i++) storage[i] = gen.randint(low, high);
  return finish(new Tensor(storage, s), options);
}

/** A random permutation of 0..n-1 (Fisher–Yates), int32. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  const gen = options.generator ?? defaultGenerator;
  const storage = allocate(options.dtype ?? "int32", n);
  for (let i = 0; i < n; i++) storage[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = gen.randint(0, i + 1);
    const tmp = storage[i] ?? 0;
    storage[i] = storage[j] ?? 0;
    storage[j] = tmp;
  }
  return finish(new Tensor(storage, [n]), options);
}
