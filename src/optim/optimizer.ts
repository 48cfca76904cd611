/**
 * The optimiser base class, as `torch.optim.Optimizer`: parameter groups with per-group
 * hyperparameters (defaults filled from the constructor's options), lazily created per-parameter
 * state, `zeroGrad()`, `step()`, `stateDict()` / `loadStateDict()` and `addParamGroup()`.
 *
 *   const opt = new AdamW([
 *     { params: weights },                      // lr and weightDecay from the defaults
 *     { params: biasesAndNorms, weightDecay: 0 },
 *   ], { lr: 3e-4 });
 *   loss.backward(); opt.step(); opt.zeroGrad();
 *
 * Updates run in place on the parameters' storage, outside gradient recording, through per-parameter
 * kernels over typed arrays. Parameters without a gradient are skipped.
 */
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { ValueError } from "../errors.js";
import type { FloatDType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import {
  type FloatArray, type OptimizerStateDict, type ParamStateDict, type SavedParamGroup,
  copyGroupValues, fromStateBuffer, isStateBuffer, toStateBuffer,
} from "./state-dict.js";
import { checkParameter, gradientData, parameterData } from "./tensor-data.js";

/** Hyperparameters every optimiser has. */
export interface OptimizerOptions {
  lr: number;
  weightDecay: number;
}

/** A parameter group: its tensors and its hyperparameters (schedulers change `lr` in place). */
export type ParamGroup<O extends OptimizerOptions> = O & {
  params: Tensor[];
  /** The lr a scheduler started from (set by the first scheduler attached, as PyTorch's `initial_lr`). */
  initialLr?: number;
};

/** A group as given to the constructor or `addParamGroup`: options left out take the defaults. */
export type ParamGroupSpec<O extends OptimizerOptions> = Partial<O> & {
  params: Tensor | Iterable<Tensor>;
  initialLr?: number;
};

/** What an optimiser accepts: tensors (one group) or group specs. */
export type ParamsInput<O extends OptimizerOptions> = Iterable<Tensor> | Iterable<ParamGroupSpec<O>>;

/** One parameter's state: counters as numbers, buffers as typed arrays of the parameter's length. */
export type ParamState = Record<string, number | FloatArray | null>;

export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions, S extends ParamState = ParamState> {
  /** The options each parameter group starts from. */
  readonly defaults: Readonly<O>;
  /** The parameter groups, each with its own options (e.g. learning rate, weight decay). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created at a parameter's first update. */
  protected readonly state = new Map<Tensor, S>();

  constructor(params: ParamsInput<O>, defaults: O) {
    this.validateOptions(defaults, "defaults");
    this.defaults = Object.freeze(copyGroupValues(defaults as unknown as Record<string, unknown>) as unknown as O);
    const items: unknown[] = [...params];
    if (items.length === 0) throw new ValueError(`${this.name}: got an empty parameter list`);
    if (items.every((x) => x instanceof Tensor)) {
      this.addParamGroup({ params: items as Tensor[] } as unknown as ParamGroupSpec<O>);
    } else if (items.every((x) => typeof x === "object" && x !== null && !(x instanceof Tensor) && "params" in x)) {
      for (const spec of items as ParamGroupSpec<O>[]) this.addParamGroup(spec);
    } else {
      throw new ValueError(`${this.name}: params must be all tensors or all parameter groups ({ params, ...options })`);
    }
  }

  /** The optimiser's name in messages ("Adam", "SGD", …). */
  get name(): string {
    return this.constructor.name;
  }

  /** Adds a group; options it leaves out take the constructor's defaults (useful when unfreezing layers). */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    const params = spec.params instanceof Tensor ? [spec.params] : [...spec.params];
    const taken = new Set<Tensor>(this.paramGroups.flatMap((g) => g.params));
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ValueError(`${this.name}: parameter ${i} of group ${this.paramGroups.length} is not a Tensor`);
      checkParameter(p, this.name);
      if (taken.has(p)) throw new ValueError(`${this.name}: some parameters appear in more than one parameter group`);
      if (seen.has(p)) throw new ValueError(`${this.name}: parameter ${i} of group ${this.paramGroups.length} appears twice in the group`);
      seen.add(p);
    });
    const group: Record<string, unknown> = copyGroupValues(this.defaults as unknown as Record<string, unknown>);
    for (const [key, value] of Object.entries(spec)) {
      if (key === "params" || value === undefined) continue;
      if (key !== "initialLr" && !(key in this.defaults)) {
        throw new ValueError(`${this.name}: unknown option "${key}" in parameter group ${this.paramGroups.length} (known: ${Object.keys(this.defaults).join(", ")})`);
      }
      group[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
    }
    group.params = params;
    const typed = group as unknown as ParamGroup<O>;
    this.validateOptions(typed, `parameter group ${this.paramGroups.length}`);
    this.paramGroups.push(typed);
  }

  /** Clears the gradients: to null (the default, as PyTorch 2), or to zeros in place. */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else if (p.grad.isContiguous()) p.grad.storage.fill(0, p.grad.offset, p.grad.offset + p.grad.size);
        else p.grad = new Tensor(p.grad.dtype === "float32" ? new Float32Array(p.size) : new Float64Array(p.size), p.shape);
      }
    }
  }

  /**
   * Updates every parameter that has a gradient. `closure`, when given, re-evaluates the model and
   * returns the loss (it runs with gradient recording on); its value is returned.
   */
  step(closure?: () => number): number | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = gradientData(p, this.name);
          if (grad === null) continue;
          this.updateParameter(p, parameterData(p), grad, group);
        }
      }
    });
    return loss;
  }

  /** The state of `p`, created by `init` on first use. */
  protected stateOf(p: Tensor, init: () => S): S {
    let s = this.state.get(p);
    if (s === undefined) {
      s = init();
      this.state.set(p, s);
    }
    return s;
  }

  /** A zero-filled buffer of the parameter's dtype and length. */
  protected zerosFor(p: Tensor): FloatArray {
    return p.dtype === "float32" ? new Float32Array(p.size) : new Float64Array(p.size);
  }

  /** Updates one parameter in place: `data` is its storage, `grad` its gradient's values. */
  protected abstract updateParameter(p: Tensor, data: FloatArray, grad: FloatArray, group: ParamGroup<O>): void;

  /** Throws a ValueError naming the option when a hyperparameter is out of range. */
  protected abstract validateOptions(options: O, where: string): void;

  /** The state entries a parameter of `group` must have once it has been updated (checked on load). */
  protected abstract requiredStateKeys(group: ParamGroup<O>): string[];

  /** Throws unless options[key] is a finite number ≥ 0 (PyTorch's hyperparameter checks). */
  protected checkNonNegative(options: O, key: keyof O & string, where: string): void {
    const value = options[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new ValueError(`${this.name}: invalid ${key} ${String(value)} in ${where} (expected a finite number ≥ 0)`);
    }
  }

  /** Throws unless options[key] is a boolean. */
  protected checkBoolean(options: O, key: keyof O & string, where: string): void {
    if (typeof options[key] !== "boolean") throw new ValueError(`${this.name}: ${key} must be true or false in ${where}, got ${String(options[key])}`);
  }

  /**
   * The optimiser's state in PyTorch's layout (see state-dict.ts): copies of the buffers, parameters
   * numbered across the groups in order.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const indices = params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return { ...copyGroupValues(options), params: indices } as SavedParamGroup;
    });
    const state: Record<string, ParamStateDict> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const entry: ParamStateDict = {};
      for (const [key, value] of Object.entries(s)) {
        entry[key] = value === null || typeof value === "number" ? value : toStateBuffer(value, p.shape);
      }
      state[String(i)] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()`: the group hyperparameters and the per-parameter state, after checking
   * the number of groups, of parameters per group, and each buffer's shape against its parameter's.
   * Buffers are copied and cast to the parameter's dtype.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    if (!Array.isArray(sd.paramGroups) || typeof sd.state !== "object" || sd.state === null) {
      throw new ValueError(`${this.name}.loadStateDict: expected { state, paramGroups }`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(`${this.name}.loadStateDict: the saved state has ${sd.paramGroups.length} parameter groups, this optimiser has ${this.paramGroups.length}`);
    }
    const params: Tensor[] = [];
    const groupOf: ParamGroup<O>[] = [];
    const groups = sd.paramGroups.map((saved, g) => {
      const current = this.paramGroups[g] as ParamGroup<O>;
      if (!Array.isArray(saved.params) || saved.params.length !== current.params.length) {
        throw new ValueError(
          `${this.name}.loadStateDict: parameter group ${g} has ${Array.isArray(saved.params) ? saved.params.length : "no"} parameters in the saved state, ${current.params.length} here`,
        );
      }
      const { params: _indices, ...options } = saved;
      const group = { ...copyGroupValues(options), params: current.params } as ParamGroup<O>;
      this.validateOptions(group, `saved parameter group ${g}`);
      for (const p of current.params) {
        params.push(p);
        groupOf.push(group);
      }
      return group;
    });
    const state = new Map<Tensor, S>();
    for (const [key, entry] of Object.entries(sd.state)) {
      const i = Number(key);
      const p = params[i];
      const group = groupOf[i];
      if (!Number.isInteger(i) || p === undefined || group === undefined) {
        throw new ValueError(`${this.name}.loadStateDict: state for parameter ${key}, but the optimiser has ${params.length} parameters`);
      }
      const s: ParamState = {};
      for (const [name, value] of Object.entries(entry)) {
        if (value === null || typeof value === "number") s[name] = value;
        else if (isStateBuffer(value)) s[name] = fromStateBuffer(value, p.shape, p.dtype as FloatDType, `state[${key}].${name}`);
        else throw new ValueError(`${this.name}.loadStateDict: state[${key}].${name} is neither a number, null nor a buffer { dtype, shape, data }`);
      }
      for (const required of this.requiredStateKeys(group)) {
        if (!(required in s)) throw new ValueError(`${this.name}.loadStateDict: state[${key}] has no "${required}" (saved by a different optimiser?)`);
      }
      state.set(p, s as S);
    }
    // Everything checked: only now replace the current groups and state.
    groups.forEach((group, g) => (this.paramGroups[g] = group));
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }
}
