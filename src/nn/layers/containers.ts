/**
 * Containers: Sequential (chains modules), ModuleList (an indexable list), ModuleDict (a keyed map),
 * as in torch.nn. Children are registered under "0", "1", … (or the dict keys), so parameter names
 * read `layers.0.weight`.
 */
import { IndexError, ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Module, type TensorModule } from "../module.js";

function resolveIndex(index: number, length: number, what: string): number {
  const i = index < 0 ? index + length : index;
  if (!Number.isInteger(i) || i < 0 || i >= length) throw new IndexError(`${what}: index ${index} out of range for length ${length}`);
  return i;
}

/** An indexable list of modules; `for (const block of this.blocks)` iterates them in order. */
export class ModuleList<M extends Module = Module> extends Module {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return this.items.length;
  }

  append(module: M): this {
    if (!(module instanceof Module)) throw new ValueError(`${this.constructor.name}.append: expected a Module`);
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): M {
    return this.items[resolveIndex(index, this.items.length, this.constructor.name)] as M;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/** Applies its modules in order: forward(x) = mₙ(…m₁(x)). */
export class Sequential extends ModuleList<TensorModule> {
  constructor(...modules: TensorModule[]) {
    super(modules);
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this) y = m.forward(y);
    return y;
  }
}

/** Modules by name, in insertion order; names become parameter-name segments (`heads.key.weight`). */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly items = new Map<string, M>();

  constructor(modules: Iterable<readonly [string, M]> | Readonly<Record<string, M>> = {}) {
    super();
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<readonly [string, M]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  get size(): number {
    return this.items.size;
  }

  set(key: string, module: M): this {
    if (!(module instanceof Module)) throw new ValueError(`ModuleDict.set: "${key}" must be a Module`);
    this.registerModule(key, module);
    this.items.set(key, module);
    return this;
  }

  get(key: string): M {
    const m = this.items.get(key);
    if (m === undefined) throw new IndexError(`ModuleDict: no module named "${key}"`);
    return m;
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  values(): M[] {
    return [...this.items.values()];
  }

  entries(): [string, M][] {
    return [...this.items.entries()];
  }
}
