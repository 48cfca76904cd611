/**
 * Module: the base class of layers and models, shaped like `torch.nn.Module`.
 *
 * How weights are found (registration). A module owns three kinds of named slots: parameters,
 * buffers and submodules. Slots are filled two ways:
 *  - automatically: any own enumerable field holding a `Parameter` or a `Module` is registered under
 *    its field name the next time the module is traversed (`parameters()`, `stateDict()`, …) or a
 *    `register*` call is made, so TypeScript class fields (`fc = new Linear(4, 8)`) just work;
 *  - explicitly: `registerParameter`, `registerModule` and `registerBuffer` (buffers are plain
 *    tensors, so they are never detected, as in PyTorch). These also set the field, so `this.name`
 *    reads the value.
 * Order is the order in which slots were registered — first assignment order for fields, because
 * every `register*` call (and every traversal) picks up fields assigned before it. That is PyTorch's
 * attribute-assignment order, which fixes the order of `parameters()` and of state-dict keys.
 * Reassigning a field (`this.fc = new Linear(…)`) replaces the slot's value; a field set to null is
 * skipped. Arrays of modules are not looked into: use `ModuleList`, as in PyTorch.
 *
 * TypeScript caveat: a subclass field declared without initialiser (`w!: Parameter`) is redefined as
 * `undefined` after its parent's constructor ran; declare such fields with `declare w: Parameter`.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { ShapeError, ValueError, formatShape } from "../errors.js";
import { copyInto, to } from "../ops/index.js";
import { type DType, isFloatingPoint } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { Parameter } from "./parameter.js";

type SlotKind = "parameter" | "buffer" | "module";

interface Slot {
  kind: SlotKind;
  /** Buffers only: whether the buffer is part of the state dict. */
  persistent: boolean;
}

/** Name → tensor, in registration order: parameters and persistent buffers. */
export type StateDict = Map<string, Tensor>;

export interface LoadStateDictOptions {
  /** Fail on missing or unexpected keys too, not only on shape mismatches (default true). */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export interface RegisterBufferOptions {
  /** Whether the buffer is saved in and loaded from the state dict (default true). */
  persistent?: boolean;
}

export interface ZeroGradOptions {
  /** Set gradients to null (default, PyTorch's set_to_none=True) rather than filling them with zeros. */
  setToNone?: boolean;
}

/** A module whose forward maps one tensor to one tensor (what Sequential chains). */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

type Fields = Record<string, unknown>;

function joinName(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}

function indent(text: string, spaces: number): string {
  const pad = " ".repeat(spaces);
  return text.split("\n").map((line, i) => (i === 0 ? line : pad + line)).join("\n");
}

export class Module {
  /** Training mode (dropout active); set for the whole tree by `train()` / `eval()`. */
  training = true;
  private readonly slots = new Map<string, Slot>();

  /**
   * Calls `forward` with the same arguments, for symmetry with PyTorch's `module(x)`:
   * `model.call(x)` ≡ `model.forward(x)`.
   */
  call<M extends { forward(...args: never[]): unknown }>(this: M, ...args: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    const forward = this.forward as (...a: Parameters<M["forward"]>) => ReturnType<M["forward"]>;
    return forward.apply(this, args);
  }

  // ---- registration -------------------------------------------------------------------------

  /** Adds (or with null, declares) a parameter under `name`, as PyTorch's `register_parameter`. */
  registerParameter(name: string, param: Parameter | null): void {
    if (param !== null && !(param instanceof Parameter)) {
      throw new ValueError(`registerParameter: "${name}" must be a Parameter (wrap the tensor: new Parameter(t))`);
    }
    this.register(name, param, { kind: "parameter", persistent: true });
  }

  /** Adds a buffer: a tensor saved in the state dict (unless not persistent) but not trained. */
  registerBuffer(name: string, tensor: Tensor | null, options: RegisterBufferOptions = {}): void {
    if (tensor !== null && !(tensor instanceof Tensor)) throw new ValueError(`registerBuffer: "${name}" must be a Tensor`);
    if (tensor instanceof Parameter) throw new ValueError(`registerBuffer: "${name}" is a Parameter; use registerParameter`);
    this.register(name, tensor, { kind: "buffer", persistent: options.persistent ?? true });
  }

  /** Adds a child module under `name`. */
  registerModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new ValueError(`registerModule: "${name}" must be a Module`);
    this.register(name, module, { kind: "module", persistent: true });
  }

  private register(name: string, value: unknown, slot: Slot): void {
    if (typeof name !== "string" || name === "" || name.includes(".")) {
      throw new ValueError(`register: invalid name "${name}" (must be non-empty and contain no ".")`);
    }
    const fields = this as unknown as Fields;
    const existing = Object.prototype.hasOwnProperty.call(this, name) ? fields[name] : undefined;
    const clashes =
      (!Object.prototype.hasOwnProperty.call(this, name) && name in this) ||
      (existing !== undefined && existing !== null && !(existing instanceof Tensor) && !(existing instanceof Module));
    if (clashes && !this.slots.has(name)) throw new ValueError(`register: "${name}" is already an attribute of ${this.constructor.name}`);
    this.sync();
    this.slots.set(name, slot);
    Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
  }

  /** Registers fields assigned since the last call, and re-kinds slots whose value changed kind. */
  private sync(): void {
    const fields = this as unknown as Fields;
    for (const name of Object.keys(this)) {
      const value = fields[name];
      const slot = this.slots.get(name);
      if (value instanceof Parameter) {
        if (slot?.kind !== "parameter") this.slots.set(name, { kind: "parameter", persistent: true });
      } else if (value instanceof Module) {
        if (slot?.kind !== "module") this.slots.set(name, { kind: "module", persistent: true });
      } else if (slot?.kind === "parameter" && value instanceof Tensor) {
        throw new ValueError(`${this.constructor.name}: "${name}" was a parameter but now holds a plain Tensor; wrap it in Parameter`);
      }
    }
  }

  /** This module's own (non-recursive) slots of one kind with non-null values, in order. */
  private own<T>(kind: SlotKind, persistentOnly = false): [string, T][] {
    this.sync();
    const fields = this as unknown as Fields;
    const out: [string, T][] = [];
    for (const [name, slot] of this.slots) {
      if (slot.kind !== kind || (persistentOnly && !slot.persistent)) continue;
      const value = fields[name];
      if (value === null || value === undefined) continue;
      out.push([name, value as T]);
    }
    return out;
  }

  // ---- traversal ----------------------------------------------------------------------------

  /** Direct submodules with their names (each module once). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, m] of this.own<Module>("module")) {
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
    }
    return out;
  }

  /** The direct child modules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all below it, pre-order, with dotted names ("" for this one); each module once. */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [childName, child] of m.own<Module>("module")) visit(child, joinName(name, childName));
    };
    visit(this, prefix);
    return out;
  }

  /** This module and all modules below it, depth first. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameters with PyTorch-style dotted names (`layers.0.weight`), in registration order. A parameter
   * shared by two modules (weight tying) is listed once, under its first name.
   */
  namedParameters(prefix = ""): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [name, p] of m.own<Parameter>("parameter")) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([joinName(modName, name), p]);
      }
    }
    return out;
  }

  /** Every parameter of this module and its children (each once), for an optimiser. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer below this module with its dotted name. */
  namedBuffers(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.own<Tensor>("buffer")) {
        if (seen.has(b)) continue;
        seen.add(b);
        out.push([joinName(modName, name), b]);
      }
    }
    return out;
  }

  /** Every buffer below this module. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Number of parameter elements (each shared parameter counted once). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!options.trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  /** Calls fn on every submodule (children first, recursively) and then on this module. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients ------------------------------------------------------------------

  /** Sets training mode on this module and every submodule. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (`train(false)`): dropout becomes the identity. */
  eval(): this {
    return this.train(false);
  }

  /** Clears parameter gradients: null by default (PyTorch's set_to_none), or filled with zeros. */
  zeroGrad(options: ZeroGradOptions = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const p of this.parameters()) {
      if (setToNone || p.grad === null) p.grad = null;
      else noGrad(() => copyInto(p.grad as Tensor, new Tensor(new Float64Array(p.size), p.shape)));
    }
  }

  /** Turns gradient tracking of every parameter on or off (for freezing). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Converts floating-point parameters and buffers to `dtype` (e.g. "float64" for gradient checks).
   * Parameters are replaced by new Parameter objects (a tied parameter stays tied), so do this before
   * building an optimiser.
   */
  to(dtype: DType): this {
    if (!isFloatingPoint(dtype)) throw new ValueError(`Module.to: expected a floating dtype, got ${dtype}`);
    const converted = new Map<Parameter, Parameter>();
    for (const m of this.modules()) {
      const fields = m as unknown as Fields;
      for (const [name, p] of m.own<Parameter>("parameter")) {
        if (p.dtype === dtype || !isFloatingPoint(p.dtype)) continue;
        let q = converted.get(p);
        if (q === undefined) {
          q = new Parameter(noGrad(() => to(p.detach(), dtype)), p.requiresGrad);
          converted.set(p, q);
        }
        fields[name] = q;
      }
      for (const [name, b] of m.own<Tensor>("buffer")) {
        if (isFloatingPoint(b.dtype) && b.dtype !== dtype) fields[name] = noGrad(() => to(b, dtype));
      }
    }
    return this;
  }

  // ---- state dict ---------------------------------------------------------------------------

  /** Live parameter and persistent-buffer tensors by dotted name; shared ones under every name. */
  private stateEntries(prefix: string, out: [string, Tensor][]): [string, Tensor][] {
    for (const [name, p] of this.own<Parameter>("parameter")) out.push([joinName(prefix, name), p]);
    for (const [name, b] of this.own<Tensor>("buffer", true)) out.push([joinName(prefix, name), b]);
    for (const [name, m] of this.own<Module>("module")) m.stateEntries(joinName(prefix, name), out);
    return out;
  }

  /**
   * Parameters and persistent buffers by dotted name (PyTorch's `state_dict()`): the tensors are
   * detached but share storage with the module, so clone them for a snapshot.
   */
  stateDict(): StateDict {
    return new Map(this.stateEntries("", []).map(([k, t]) => [k, t.detach()]));
  }

  /**
   * Copies values from `stateDict` into the existing parameters and buffers (so optimisers holding
   * them keep working). Shapes must match; with `strict` (default) every key must also match. All
   * problems are reported in one error before anything is copied: a ShapeError when only shapes
   * mismatch, a ValueError otherwise.
   */
  loadStateDict(stateDict: StateDict | Readonly<Record<string, Tensor>>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const given = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const own = this.stateEntries("", []);
    const ownNames = new Set(own.map(([k]) => k));
    const missingKeys = own.filter(([k]) => !given.has(k)).map(([k]) => k);
    const unexpectedKeys = [...given.keys()].filter((k) => !ownNames.has(k));
    const mismatched: string[] = [];
    for (const [k, t] of own) {
      const v = given.get(k);
      if (v === undefined) continue;
      if (!(v instanceof Tensor)) throw new ValueError(`loadStateDict: value of "${k}" is not a Tensor`);
      if (v.shape.length !== t.shape.length || v.shape.some((d, i) => d !== t.shape[i])) {
        mismatched.push(`${k} (module ${formatShape(t.shape)}, state dict ${formatShape(v.shape)})`);
      }
    }
    const keyProblems = strict && (missingKeys.length > 0 || unexpectedKeys.length > 0);
    if (keyProblems || mismatched.length > 0) {
      const parts: string[] = [];
      if (strict && missingKeys.length > 0) parts.push(`missing keys: ${missingKeys.join(", ")}`);
      if (strict && unexpectedKeys.length > 0) parts.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
      if (mismatched.length > 0) parts.push(`shape mismatches: ${mismatched.join(", ")}`);
      const message = `loadStateDict: error(s) loading into ${this.constructor.name}: ${parts.join("; ")}`;
      throw keyProblems ? new ValueError(message) : new ShapeError(message);
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const v = given.get(k);
        if (v !== undefined && v !== t) copyInto(t, v);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing -----------------------------------------------------------------------------

  /** The settings shown between the parentheses of `toString()`, e.g. `inFeatures=4, outFeatures=8`. */
  extraRepr(): string {
    return "";
  }

  /** The module tree, laid out like PyTorch's repr. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === "" ? [] : extra.split("\n");
    const childLines = this.own<Module>("module").map(([name, m]) => `(${name}): ${indent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.constructor.name}(`;
    if (lines.length === 1 && childLines.length === 0) s += extraLines[0];
    else if (lines.length > 0) s += `\n  ${lines.join("\n  ")}\n`;
    return `${s})`;
  }
}
