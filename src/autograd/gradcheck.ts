/**
 * Gradient checking: the analytical gradient from backward() against central finite differences
 * (f(x+ε) − f(x−ε)) / 2ε, in float64 (DESIGN.md decision 4). Like torch.autograd.gradcheck, outputs are
 * projected on a fixed random direction r, so one backward per output checks the whole Jacobian-vector
 * product rᵀJ; each input element is perturbed in place through its own strides, so views
 * (transposed, sliced, expanded-free) are checked as they are.
 */
import { AutogradError, DTypeError } from "../errors.js";
import { Generator } from "../tensor/rng.js";
import { stridedOffsets } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "./grad-mode.js";

/** Tolerances and step of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the projection direction (default 0). */
  seed?: number;
  /** Throw an AutogradError describing the first mismatch (default true); otherwise return false. */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(y: Tensor | readonly Tensor[]): Tensor[] {
  return y instanceof Tensor ? [y] : [...y];
}

/**
 * Checks the gradients of `fn` at `inputs` (float64 tensors with `requiresGrad`) against central finite differences; throws
 * naming the input and element that disagree, else returns true.
 * @example
 * ```ts
 * import { autograd, tensor } from "loom";
 * const x = tensor([0.5, -1.2, 2], { dtype: "float64", requiresGrad: true });
 * autograd.gradcheck((t) => t.tanh().mul(t).sum(), [x]); // true
 * ```
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const raise = options.raiseException ?? true;
  const checked = inputs.filter((t) => t.requiresGrad);
  if (checked.length === 0) throw new AutogradError("gradcheck: no input requires grad");
  for (const t of checked) {
    if (t.dtype !== "float64") {
      throw new DTypeError(`gradcheck: inputs that require grad must be float64 for a meaningful check, got ${t.dtype}`);
    }
  }

  // Projection directions, one per output, fixed by the seed.
  const gen = new Generator(options.seed ?? 0);
  const first = outputsOf(noGrad(() => fn(...inputs)));
  const directions = first.map((o) => {
    const r = new Float64Array(o.size);
    for (let i = 0; i < r.length; i++) r[i] = gen.normal();
    return r;
  });
  const project = (outs: Tensor[]): number => {
    let s = 0;
    outs.forEach((o, j) => {
      const v = o.toTypedArray();
      const r = directions[j] as Float64Array;
      for (let i = 0; i < v.length; i++) s += (v[i] as number) * (r[i] as number);
    });
    return s;
  };

  // Analytical: backward of Σ_j ⟨out_j, r_j⟩.
  for (const t of checked) t.grad = null;
  const outs = outputsOf(fn(...inputs));
  outs.forEach((o, j) => {
    if (!o.requiresGrad) return;
    o.backward(new Tensor(Float64Array.from(directions[j] as Float64Array), o.shape), { retainGraph: true });
  });
  const analytical = checked.map((t) => (t.grad ? t.grad.toTypedArray() : new Float64Array(t.size)));
  for (const t of checked) t.grad = null;

  // Numerical: central differences, element by element.
  for (let ti = 0; ti < checked.length; ti++) {
    const t = checked[ti] as Tensor;
    const offsets = stridedOffsets(t.shape, t.strides, t.offset);
    const data = t.storage;
    const an = analytical[ti] as ArrayLike<number>;
    for (let e = 0; e < offsets.length; e++) {
      const at = offsets[e] as number;
      const orig = data[at] as number;
      data[at] = orig + eps;
      const fp = project(outputsOf(noGrad(() => fn(...inputs))));
      data[at] = orig - eps;
      const fm = project(outputsOf(noGrad(() => fn(...inputs))));
      data[at] = orig;
      const numerical = (fp - fm) / (2 * eps);
      const a = an[e] as number;
      if (!(Math.abs(a - numerical) <= atol + rtol * Math.abs(numerical))) {
        if (!raise) return false;
        throw new AutogradError(
          `gradcheck: input ${inputs.indexOf(t)} element ${e}: analytical ${a} vs numerical ${numerical} (atol ${atol}, rtol ${rtol})`,
        );
      }
    }
  }
  return true;
}
