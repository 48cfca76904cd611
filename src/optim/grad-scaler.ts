/**
 * Loss scaling for float16 mixed-precision training, with the defaults and rules of PyTorch's
 * `torch.cuda.amp.GradScaler` (1.13):
 *
 *   const scaler = new GradScaler();
 *   scaler.scale(loss).backward();      // gradients of loss · S, so small fp16 gradients do not flush to zero
 *   scaler.unscale_(opt);               // optional: gradients ÷ S, before clipGradNorm
 *   clipGradNorm(params, 1.0);
 *   scaler.step(opt);                   // skipped when any gradient is Inf/NaN
 *   scaler.update();                    // S × backoff after an overflow, S × growth after growthInterval clean steps
 *   opt.zeroGrad();
 *
 * Update rule (torch's `_amp_update_scale_`): with a found Inf/NaN, S ← S · backoffFactor and the
 * growth tracker ← 0; otherwise the tracker counts up, and when it reaches growthInterval,
 * S ← S · growthFactor (only if that is finite in float32) and the tracker ← 0. S is held in float32, as
 * torch holds it in a float32 tensor; 1/S is computed in float64 and rounded to float32, as torch does.
 */
import { ValueError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import type { Optimizer } from "./optimizer.js";
import { stridedOffsets } from "../tensor/shape.js";

/** GradScaler settings; every field defaults to PyTorch's value. */
export interface GradScalerOptions {
  /** Initial scale (default 2¹⁶ = 65536). */
  initScale?: number;
  /** Factor the scale grows by after `growthInterval` steps without Inf/NaN (default 2; must be > 1). */
  growthFactor?: number;
  /** Factor the scale shrinks by after a step with Inf/NaN gradients (default 0.5; must be in (0, 1)). */
  backoffFactor?: number;
  /** Consecutive clean steps before the scale grows (default 2000). */
  growthInterval?: number;
  /** When false every method is a pass-through: `scale` returns its input, `step` just steps (default true). */
  enabled?: boolean;
}

/** What `GradScaler.stateDict()` saves (empty for a disabled scaler, as in PyTorch). */
export interface GradScalerState {
  scale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
  /** Clean steps since the scale last changed. */
  growthTracker: number;
}

/** Where an optimiser is in the current iteration (torch's OptState). */
type Stage = "unscaled" | "stepped";

interface OptimizerRecord {
  stage: Stage;
  /** Whether unscale_ met an Inf or NaN in this optimiser's gradients. */
  foundInf: boolean;
}

function checkFactor(name: string, value: number, ok: boolean, rule: string): number {
  if (typeof value !== "number" || !ok) throw new ValueError(`GradScaler: ${name} must be ${rule}, got ${value}`);
  return value;
}

/** Dynamic loss scaling for float16 training (PyTorch's `torch.cuda.amp.GradScaler`); see the module comment. */
export class GradScaler {
  private scaleValue: number;
  private growthFactor: number;
  private backoffFactor: number;
  private growthInterval: number;
  private growthTracker = 0;
  private readonly enabled: boolean;
  /** Optimisers unscaled or stepped since the last update(), in first-touched order. */
  private readonly perOptimizer = new Map<Optimizer, OptimizerRecord>();

  constructor(options: GradScalerOptions = {}) {
    const initScale = options.initScale ?? 2 ** 16;
    this.scaleValue = Math.fround(checkFactor("initScale", initScale, initScale > 0 && Number.isFinite(Math.fround(initScale)), "a positive finite float32"));
    this.growthFactor = checkFactor("growthFactor", options.growthFactor ?? 2, (options.growthFactor ?? 2) > 1, "> 1");
    const backoff = options.backoffFactor ?? 0.5;
    this.backoffFactor = checkFactor("backoffFactor", backoff, backoff > 0 && backoff < 1, "in (0, 1)");
    const interval = options.growthInterval ?? 2000;
    this.growthInterval = checkFactor("growthInterval", interval, Number.isInteger(interval) && interval > 0, "a positive integer");
    this.enabled = options.enabled ?? true;
  }

  /** Whether scaling is on. */
  isEnabled(): boolean {
    return this.enabled;
  }

  /** The current scale S (1 when disabled). */
  getScale(): number {
    return this.enabled ? this.scaleValue : 1;
  }

  /** The growth factor. */
  getGrowthFactor(): number {
    return this.growthFactor;
  }

  /** Sets the growth factor (must be > 1). */
  setGrowthFactor(value: number): void {
    this.growthFactor = checkFactor("growthFactor", value, value > 1, "> 1");
  }

  /** The backoff factor. */
  getBackoffFactor(): number {
    return this.backoffFactor;
  }

  /** Sets the backoff factor (must be in (0, 1)). */
  setBackoffFactor(value: number): void {
    this.backoffFactor = checkFactor("backoffFactor", value, value > 0 && value < 1, "in (0, 1)");
  }

  /** The growth interval. */
  getGrowthInterval(): number {
    return this.growthInterval;
  }

  /** Sets the growth interval (a positive integer). */
  setGrowthInterval(value: number): void {
    this.growthInterval = checkFactor("growthInterval", value, Number.isInteger(value) && value > 0, "a positive integer");
  }

  /** Clean steps counted since the scale last changed (torch's `_growth_tracker`). */
  getGrowthTracker(): number {
    return this.growthTracker;
  }

  /** `output · S` (each tensor of an array), recorded for backward; the input itself when disabled. */
  scale(output: Tensor): Tensor;
  scale(outputs: readonly Tensor[]): Tensor[];
  scale(outputs: Tensor | readonly Tensor[]): Tensor | Tensor[] {
    if (!this.enabled) return outputs instanceof Tensor ? outputs : [...outputs];
    return outputs instanceof Tensor ? outputs.mul(this.scaleValue) : outputs.map((t) => t.mul(this.scaleValue));
  }

  /**
   * Divides the optimiser's gradients by S in place and notes whether any is Inf or NaN. Call it before
   * clipping or inspecting gradients; `step` calls it when it was not called. Once per optimiser between
   * `update()`s, and not after `step`.
   */
  unscale_(optimizer: Optimizer): void {
    if (!this.enabled) return;
    const record = this.perOptimizer.get(optimizer);
    if (record?.stage === "unscaled") throw new ValueError("GradScaler.unscale_: already called on this optimizer since the last update()");
    if (record?.stage === "stepped") throw new ValueError("GradScaler.unscale_: called after step(); call update() first");
    const invScale = Math.fround(1 / this.scaleValue);
    let foundInf = false;
    for (const group of optimizer.paramGroups) {
      for (const p of group.params) {
        if (p.grad !== null && unscaleInPlace(p.grad, invScale)) foundInf = true;
      }
    }
    this.perOptimizer.set(optimizer, { stage: "unscaled", foundInf });
  }

  /**
   * Unscales (if `unscale_` was not called) and runs `optimizer.step()` unless a gradient is Inf or NaN,
   * in which case the step is skipped and undefined returned. Once per optimiser between `update()`s.
   */
  step(optimizer: Optimizer): number | undefined {
    if (!this.enabled) return optimizer.step();
    if (this.perOptimizer.get(optimizer)?.stage === "stepped") {
      throw new ValueError("GradScaler.step: already called on this optimizer since the last update()");
    }
    if (this.perOptimizer.get(optimizer) === undefined) this.unscale_(optimizer);
    const record = this.perOptimizer.get(optimizer)!;
    const result = record.foundInf ? undefined : optimizer.step();
    record.stage = "stepped";
    return result;
  }

  /** Whether the last `unscale_`/`step` of `optimizer` in this iteration met an Inf/NaN (undefined before either). */
  foundInf(optimizer: Optimizer): boolean | undefined {
    return this.perOptimizer.get(optimizer)?.foundInf;
  }

  /**
   * Updates S for the next iteration from what this iteration's optimisers found (see the module
   * comment), or sets it to `newScale` when given. Call once per iteration, after `step`.
   */
  update(newScale?: number): void {
    if (!this.enabled) return;
    if (newScale !== undefined) {
      this.scaleValue = Math.fround(checkFactor("update: newScale", newScale, newScale > 0 && Number.isFinite(Math.fround(newScale)), "a positive finite float32"));
    } else {
      if (this.perOptimizer.size === 0) {
        throw new ValueError("GradScaler.update: no Inf/NaN checks were recorded; call unscale_() or step() before update()");
      }
      const foundInf = [...this.perOptimizer.values()].some((r) => r.foundInf);
      if (foundInf) {
        this.scaleValue = Math.fround(this.scaleValue * this.backoffFactor);
        this.growthTracker = 0;
      } else if (this.growthTracker + 1 === this.growthInterval) {
        const grown = Math.fround(this.scaleValue * this.growthFactor);
        if (Number.isFinite(grown)) this.scaleValue = grown;
        this.growthTracker = 0;
      } else {
        this.growthTracker += 1;
      }
    }
    this.perOptimizer.clear();
  }

  /** The scale, factors, interval and growth tracker (an empty object when disabled, as PyTorch's). */
  stateDict(): GradScalerState | Record<string, never> {
    if (!this.enabled) return {};
    return {
      scale: this.scaleValue, growthFactor: this.growthFactor, backoffFactor: this.backoffFactor,
      growthInterval: this.growthInterval, growthTracker: this.growthTracker,
    };
  }

  /** Restores a `stateDict()`, so a resumed run continues the same scale trajectory. */
  loadStateDict(state: GradScalerState | Record<string, never>): void {
    if (!this.enabled) return;
    const s = state as Partial<GradScalerState>;
    if (Object.keys(state).length === 0) {
      throw new ValueError("GradScaler.loadStateDict: the state is empty, possibly saved from a disabled GradScaler");
    }
    for (const key of ["scale", "growthFactor", "backoffFactor", "growthInterval", "growthTracker"] as const) {
      if (typeof s[key] !== "number") throw new ValueError(`GradScaler.loadStateDict: ${key} must be a number, got ${JSON.stringify(s[key])}`);
    }
    const tracker = s.growthTracker!;
    if (!Number.isInteger(tracker) || tracker < 0) throw new ValueError(`GradScaler.loadStateDict: growthTracker must be a non-negative integer, got ${tracker}`);
    this.scaleValue = Math.fround(checkFactor("scale", s.scale!, s.scale! > 0 && Number.isFinite(Math.fround(s.scale!)), "a positive finite float32"));
    this.setGrowthFactor(s.growthFactor!);
    this.setBackoffFactor(s.backoffFactor!);
    this.setGrowthInterval(s.growthInterval!);
    this.growthTracker = tracker;
  }
}

/**
 * g ← g · invScale in place (in g's own precision, as torch's `_amp_foreach_non_finite_check_and_unscale_`,
 * which multiplies even when it finds Inf/NaN); returns whether any element was Inf or NaN.
 */
function unscaleInPlace(g: Tensor, invScale: number): boolean {
  const s = g.storage as Float32Array | Float64Array;
  let foundInf = false;
  const offsets = g.isContiguous() ? null : stridedOffsets(g.shape, g.strides, g.offset);
  const n = g.size; // a getter that multiplies the shape out: read once, not per element
  for (let k = 0; k < n; k++) {
    const i = offsets === null ? g.offset + k : offsets[k]!;
    const v = s[i]!;
    if (!Number.isFinite(v)) foundInf = true;
    if (invScale !== 1) s[i] = v * invScale;
  }
  return foundInf;
}
