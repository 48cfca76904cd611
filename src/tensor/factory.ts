/** Tensor factory functions: tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint, … */
import { DTypeError, ValueError, formatShape } from "../errors.js";
import { type DType, type Storage, allocate as allocateStorage, BFloat16Storage, Float16Storage, checkDType, convertStorage, dtypeOf, isHalf } from "./dtype.js";
import { Generator, defaultGenerator } from "./rng.js";
import { checkShape, numel } from "./shape.js";
import { Tensor, type NestedArray } from "./tensor.js";

/** Options of the factory functions: the dtype (default float32, or inferred) and `requiresGrad`. */
export interface TensorOptions {
  /** Element type; "float32" unless given (or taken from a typed array's own type). */
  dtype?: DType;
  requiresGrad?: boolean;
}

/** {@link TensorOptions} plus the generator random values are drawn from (default: the global one, seeded by `manualSeed`). */
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

function finish(t: Tensor, options: TensorOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * Factories write numbers into their storage; a float16/bfloat16 one is filled as float32 first and
 * rounded to half by `halfAware` (one rounding, to nearest even, as PyTorch's factories do).
 */
function allocate(dtype: DType, length: number, op: string, shape?: readonly number[]): Storage {
  return allocateStorage(isHalf(dtype) ? "float32" : dtype, length, op, shape);
}

/** `t` (filled as float32 when `dtype` is half) stored as `dtype`. */
function halfAware(t: Tensor, dtype: DType | undefined): Tensor {
  if (dtype === undefined || !isHalf(dtype)) return t;
  return new Tensor(convertStorage(t.storage, "float32", dtype), t.shape);
}

/** What `tensor()` accepts: a number or boolean, nested arrays of them, or a typed array (small integer types become int32). */
export type TensorData = NestedArray | Storage | Int8Array | Int16Array | Uint16Array | Uint8ClampedArray | Uint32Array;

/** Deepest nesting `tensor()` reads (PyTorch's tensors have at most 64 dims too). */
const MAX_NESTING = 64;

function shapeOf(data: NestedArray, op: string): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    if (shape.length === MAX_NESTING) throw new ValueError(`${op}: nested more than ${MAX_NESTING} levels deep`);
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0] as NestedArray;
  }
  return checkShape(shape, op);
}

/** What a value is, for messages: `the string "a"`, `undefined`, `an object`. */
function describeValue(x: unknown): string {
  if (typeof x === "string") return `the string ${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x)}`;
  if (x === null || x === undefined) return String(x);
  if (typeof x === "bigint") return `the bigint ${x}n`;
  if (typeof x === "object") return `an object (${Object.prototype.toString.call(x).slice(8, -1)})`;
  return `a ${typeof x}`;
}

/** The element type a typed array's values need: its own where loom has it, int32 for small integer types. */
function dtypeOfTypedArray(data: ArrayBufferView, op: string): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "bool";
  if (data instanceof Int8Array || data instanceof Int16Array || data instanceof Uint16Array || data instanceof Uint8ClampedArray) return "int32";
  if (data instanceof Uint32Array) {
    for (let i = 0; i < data.length; i++) {
      if ((data[i] ?? 0) > 0x7fffffff) throw new DTypeError(`${op}: Uint32Array value ${data[i]} at [${i}] does not fit int32; pass a Float64Array`);
    }
    return "int32";
  }
  throw new DTypeError(`${op}: cannot make a tensor from a ${data.constructor.name} (expected a Float32Array, Float64Array or integer typed array)`);
}

/**
 * Makes a tensor from nested arrays (or a typed array, or a number). Ragged nesting and elements
 * that are not numbers or booleans are errors (a ValueError naming the index).
 * `tensor([[1, 2], [3, 4]], { requiresGrad: true })`
 */
export function tensor(data: TensorData, options: TensorOptions = {}): Tensor {
  const op = "tensor";
  if (data instanceof Float16Storage || data instanceof BFloat16Storage) {
    // Half bits: copied as they are, or converted by value when another dtype is asked for.
    const own = dtypeOf(data);
    const dtype = options.dtype ? checkDType(options.dtype, op) : own;
    return finish(new Tensor(convertStorage(data, own, dtype, op), [data.length]), options);
  }
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfTypedArray(data, op);
    const dtype = options.dtype ? checkDType(options.dtype, op) : own;
    const values = data as ArrayLike<number>;
    const storage = allocate(dtype, values.length, op, [values.length]);
    for (let i = 0; i < values.length; i++) storage[i] = values[i] ?? 0;
    return finish(halfAware(new Tensor(storage, [values.length]), options.dtype), options);
  }
  if (!Array.isArray(data) && typeof data !== "number" && typeof data !== "boolean") {
    throw new ValueError(`${op}: data is ${describeValue(data)}; expected a number, a boolean, nested arrays of them, or a typed array`);
  }
  const shape = shapeOf(data, op);
  const flat: (number | boolean)[] = [];
  const index: number[] = [];
  const where = (): string => (index.length > 0 ? ` at [${index.join(",")}]` : "");
  const walk = (x: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(x)) throw new ValueError(`${op}: ragged nested array: a list${where()} where a number belongs (expected shape ${formatShape(shape)})`);
      if (typeof x !== "number" && typeof x !== "boolean") {
        throw new ValueError(`${op}: element${where()} is ${describeValue(x)}; expected a number or a boolean`);
      }
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ValueError(`${op}: ragged nested array${where()} (expected shape ${formatShape(shape)})`);
    }
    for (let i = 0; i < x.length; i++) {
      index.push(i);
      walk(x[i] as NestedArray, dim + 1);
      index.pop();
    }
  };
  walk(data, 0);
  const inferred: DType = flat.length > 0 && flat.every((v) => typeof v === "boolean") ? "bool" : "float32";
  const dtype = options.dtype ? checkDType(options.dtype, op) : inferred;
  const storage = allocate(dtype, flat.length, op, shape);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    storage[i] = typeof v === "boolean" ? (v ? 1 : 0) : (v ?? 0);
  }
  return finish(halfAware(new Tensor(storage, shape), options.dtype), options);
}

/** A 0-dimensional tensor holding one number. */
export function scalar(value: number, options: TensorOptions = {}): Tensor {
  checkFillValue(value, "scalar");
  const storage = allocate(options.dtype ?? "float32", 1, "scalar", []);
  storage[0] = value;
  return finish(halfAware(new Tensor(storage, []), options.dtype), options);
}

function checkFillValue(value: unknown, op: string): void {
  if (typeof value !== "number" && typeof value !== "boolean") throw new ValueError(`${op}: value is ${describeValue(value)}; expected a number`);
}

/** full, zeros and ones, with the name of the one called for messages. */
function filled(op: string, shape: readonly number[], value: number, options: TensorOptions): Tensor {
  const s = checkShape(shape, op);
  checkFillValue(value, op);
  const storage = allocate(options.dtype ?? "float32", numel(s), op, s);
  if (value !== 0) storage.fill(value);
  return finish(halfAware(new Tensor(storage, s), options.dtype), options);
}

/** A tensor of `shape` with every element `value`. */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return filled("full", shape, value, options);
}

/**
 * A tensor of `shape` filled with zeros (float32 unless `dtype` says otherwise).
 * @example
 * ```ts
 * import { zeros } from "loom";
 * zeros([2, 3], { dtype: "float64" });
 * ```
 */
export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled("zeros", shape, 0, options);
}

/** A tensor of `shape` filled with ones. */
export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled("ones", shape, 1, options);
}

/** Zeros with the shape (and by default the dtype) of `t`. */
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...options });
}

/** Ones with the shape (and by default the dtype) of `t`. */
export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...options });
}

/** `value` everywhere, with the shape (and by default the dtype) of `t`. */
export function fullLike(t: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

/** Values from start (inclusive) to end (exclusive) by step: `arange(5)`, `arange(1, 2, 0.25)`. */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  const op = "arange";
  if (end === undefined) {
    end = start;
    start = 0;
  }
  for (const [name, v] of [["start", start], ["end", end], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${describeNumber(v)}`);
  }
  if (step === 0) throw new ValueError(`${op}: step must be non-zero`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const allInts = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const storage = allocate(options.dtype ?? (allInts ? "int32" : "float32"), n, op, [n]);
  for (let i = 0; i < n; i++) storage[i] = start + i * step;
  return finish(halfAware(new Tensor(storage, [n]), options.dtype), options);
}

function describeNumber(v: unknown): string {
  return typeof v === "number" ? String(v) : describeValue(v);
}

/** `steps` evenly spaced values from start to end, both included. */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  const op = "linspace";
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`${op}: steps must be a non-negative integer, got ${describeNumber(steps)}`);
  const storage = allocate(options.dtype ?? "float32", steps, op, [steps]);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) storage[i] = i === steps - 1 && steps > 1 ? end : start + i * delta;
  return finish(halfAware(new Tensor(storage, [steps]), options.dtype), options);
}

/** The n×m identity matrix. */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  const shape = checkShape([n, m], "eye");
  const storage = allocate(options.dtype ?? "float32", n * m, "eye", shape);
  for (let i = 0; i < Math.min(n, m); i++) storage[i * m + i] = 1;
  return finish(halfAware(new Tensor(storage, shape), options.dtype), options);
}

/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const s = checkShape(shape, "rand");
  const gen = options.generator ?? defaultGenerator;
  const storage = allocate(options.dtype ?? "float32", numel(s), "rand", s);
  for (let i = 0; i < storage.length; i++) storage[i] = gen.random();
  return finish(halfAware(new Tensor(storage, s), options.dtype), options);
}

/** Standard normal samples. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const s = checkShape(shape, "randn");
  const gen = options.generator ?? defaultGenerator;
  const storage = allocate(options.dtype ?? "float32", numel(s), "randn", s);
  for (let i = 0; i < storage.length; i++) storage[i] = gen.normal();
  return finish(halfAware(new Tensor(storage, s), options.dtype), options);
}

/** Uniform integers in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  if (!(high > low)) throw new ValueError(`randint: high (${high}) must be greater than low (${low})`);
  const s = checkShape(shape, "randint");
  const gen = options.generator ?? defaultGenerator;
  const storage = allocate(options.dtype ?? "int32", numel(s), "randint", s);
  for (let i = 0; i < storage.length; i++) storage[i] = gen.randint(low, high);
  return finish(halfAware(new Tensor(storage, s), options.dtype), options);
}

/** A random permutation of 0..n-1 (Fisher–Yates), int32. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  const gen = options.generator ?? defaultGenerator;
  const storage = allocate(options.dtype ?? "int32", n, "randperm", [n]);
  for (let i = 0; i < n; i++) storage[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = gen.randint(0, i + 1);
    const tmp = storage[i] ?? 0;
    storage[i] = storage[j] ?? 0;
    storage[j] = tmp;
  }
  return finish(halfAware(new Tensor(storage, [n]), options.dtype), options);
}
