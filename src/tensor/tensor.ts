/**
 * The Tensor: a typed-array storage viewed through shape, strides and offset (views share storage),
 * plus the autograd fields. Differentiable ops live in src/ops/ and are installed as methods by
 * src/ops/methods.ts, so `x.add(y).matmul(w).sum().backward()` reads as in PyTorch.
 */
import { AutogradError, DTypeError, ValueError, formatShape } from "../errors.js";
import { backward as runBackward, type BackwardOptions } from "../autograd/engine.js";
import type { Node } from "../autograd/node.js";
import { type DType, type Storage, allocateUninitialized, convertStorage, dtypeOf, isFloatingPoint, isHalf } from "./dtype.js";
import { contiguousStrides, numel, type Shape } from "./shape.js";
import { copyStrided } from "./strided.js";
import { formatTensor } from "./print.js";

/** Node's hook for `console.log`/`util.inspect`, by its registered name, so no `node:util` import is needed (browser-safe). */
const inspectCustom: unique symbol = Symbol.for("nodejs.util.inspect.custom") as never;

/** Nested JavaScript arrays, as returned by `toArray()`. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array with autograd, as PyTorch's `torch.Tensor`: a typed-array storage viewed through shape, strides and
 * offset; views share storage; ops record a graph when an input requires gradients, and `backward()` fills `.grad`.
 * @example
 * ```ts
 * import { tensor } from "loom";
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum(); // Σ x²
 * y.backward();
 * x.grad?.toArray(); // [[2, 4], [6, 8]]
 * ```
 */
export class Tensor {
  /** The typed array holding the elements (shared by views). */
  readonly storage: Storage;
  /** Size of each dimension. */
  readonly shape: readonly number[];
  /** Elements to step in `storage` per index step of each dimension. */
  readonly strides: readonly number[];
  /** Index in `storage` of the first element. */
  readonly offset: number;
  /** Accumulated gradient after `backward()`, for leaves that require grad (and `retainGrad()` tensors). */
  grad: Tensor | null = null;
  /** The op that made this tensor, when it was made by a recorded differentiable op. */
  gradFn: Node | null = null;
  private requiresGradFlag = false;
  private retainsGradFlag = false;

  constructor(storage: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
  }

  /** The element type: float32, float64, int32, bool, float16 or bfloat16. */
  get dtype(): DType {
    return dtypeOf(this.storage);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return numel(this.shape);
  }

  /** Number of elements (the product of the shape). */
  numel(): number {
    return numel(this.shape);
  }

  /** Whether ops on this tensor are recorded for `backward()`. */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  /** Marks a leaf tensor as needing gradients (as PyTorch's `requires_grad_`). */
  set requiresGrad(value: boolean) {
    if (value && !isFloatingPoint(this.dtype)) {
      throw new DTypeError(`requiresGrad: only floating-point tensors can require gradients, got ${this.dtype}`);
    }
    if (!value && this.gradFn !== null) {
      throw new AutogradError("requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()");
    }
    this.requiresGradFlag = value;
  }

  /** Sets `requiresGrad` in place and returns this tensor (PyTorch's `requires_grad_`). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** A leaf was made by the user (or by an op outside gradient recording), not by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Whether `backward()` keeps `.grad` on this non-leaf tensor (see `retainGrad()`). */
  get retainsGrad(): boolean {
    return this.retainsGradFlag;
  }

  /** Keeps `.grad` on a non-leaf tensor after backward. */
  retainGrad(): this {
    if (!this.requiresGradFlag) throw new AutogradError("retainGrad: tensor does not require grad");
    if (this.gradFn !== null) this.retainsGradFlag = true;
    return this;
  }

  /** Called by ops: marks this tensor as produced by `node`. */
  setGradFn(node: Node): void {
    this.gradFn = node;
    this.requiresGradFlag = true;
  }

  /** Whether the elements lie row-major and without gaps in `storage`. */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const size = this.shape[i] ?? 1;
      if (size !== 1 && this.strides[i] !== expected) return false;
      expected *= size;
    }
    return true;
  }

  /** A contiguous copy of the elements in row-major order, as a fresh typed array. */
  toTypedArray(): Storage {
    const n = this.size;
    if (this.isContiguous()) return this.storage.slice(this.offset, this.offset + n);
    const out = allocateUninitialized(this.dtype, n);
    copyStrided(out, 0, this.storage, this.shape, this.strides, this.offset);
    return out;
  }

  /**
   * The elements in row-major order without copying when the tensor is contiguous: the storage itself
   * or a subarray view of it (so it must be treated as read-only), else a fresh contiguous copy.
   */
  contiguousValues(): Storage {
    if (!this.isContiguous()) return this.toTypedArray();
    const s = this.storage;
    return this.offset === 0 && s.length === this.size ? s : s.subarray(this.offset, this.offset + this.size);
  }

  /**
   * The elements in row-major order as numbers: `toTypedArray()`, except that float16/bfloat16 bit
   * patterns are widened (exactly) to a Float32Array.
   */
  toNumbers(): Exclude<Storage, Uint16Array> {
    const flat = this.toTypedArray();
    return (isHalf(this.dtype) ? convertStorage(flat, this.dtype, "float32") : flat) as Exclude<Storage, Uint16Array>;
  }

  /** The elements as nested JavaScript arrays (booleans for "bool" tensors, numbers for half ones), like `tolist()`. */
  toArray(): NestedArray {
    const flat = this.toNumbers();
    const isBool = this.dtype === "bool";
    const value = (i: number): number | boolean => (isBool ? flat[i] !== 0 : (flat[i] ?? 0));
    if (this.shape.length === 0) return value(0);
    let pos = 0;
    const build = (dim: number): NestedArray[] => {
      const size = this.shape[dim] ?? 0;
      const out: NestedArray[] = new Array(size);
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < size; i++) out[i] = value(pos++);
      } else {
        for (let i = 0; i < size; i++) out[i] = build(dim + 1);
      }
      return out;
    };
    return build(0);
  }

  /** The value of a one-element tensor as a JavaScript number. */
  item(): number {
    if (this.size !== 1) {
      throw new ValueError(`item: only one-element tensors can be converted to a number, got shape ${formatShape(this.shape)}`);
    }
    if (isHalf(this.dtype)) return convertStorage(this.storage.subarray(this.offset, this.offset + 1), this.dtype, "float32")[0] ?? 0;
    return this.storage[this.offset] ?? 0;
  }

  /**
   * Computes gradients of this tensor with respect to the graph leaves. A non-scalar tensor needs an
   * upstream `gradient` of its own shape.
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, gradient, options);
  }

  /** The same data, cut from the graph (shares storage). */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  /**
   * The tensor as PyTorch prints it: `tensor([[0.4885, 1.0000]], requires_grad=True)`, 4 digits,
   * summarised with `...` past 1,000 elements, dtype noted unless float32/int32/bool (see
   * `setPrintOptions`).
   */
  toString(): string {
    return formatTensor(this);
  }

  /** What `console.log(t)` and `util.inspect(t)` show in Node: the same text as `toString()`. */
  [inspectCustom](): string {
    return formatTensor(this);
  }
}
