/**
 * Activations: the one table of activation functions keyed by Hugging Face's names (transformers'
 * `ACT2FN`), which config fields such as `activation_function`, `hidden_act` and `dense_act_fn` name,
 * plus the gated (GLU) variants; and the activation modules, thin wrappers as torch.nn's.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { elu, gelu, leakyRelu, logSoftmax, mul, relu, sigmoid, silu, slice, softmax, softplus, tanh } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

type ActivationFunction = (x: Tensor) => Tensor;

const geluTanh: ActivationFunction = (x) => gelu(x, { approximate: "tanh" });

/**
 * Element-wise activations by Hugging Face name. `gelu` is the exact erf form; `gelu_new` (GPT-2's
 * name) and `gelu_pytorch_tanh` are the same tanh approximation; `quick_gelu` is x·σ(1.702x) (CLIP);
 * `swish` is `silu`; `linear` is the identity.
 */
export const ACTIVATION_FUNCTIONS = {
  gelu: (x: Tensor) => gelu(x),
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  quick_gelu: (x: Tensor) => mul(x, sigmoid(mul(x, 1.702))),
  relu: (x: Tensor) => relu(x),
  leaky_relu: (x: Tensor) => leakyRelu(x, 0.01),
  elu: (x: Tensor) => elu(x),
  silu: (x: Tensor) => silu(x),
  swish: (x: Tensor) => silu(x),
  tanh: (x: Tensor) => tanh(x),
  sigmoid: (x: Tensor) => sigmoid(x),
  linear: (x: Tensor) => x,
} satisfies Record<string, ActivationFunction>;

/**
 * Gated linear units (Shazeer 2020, "GLU Variants Improve Transformer"): act(a) ⊙ b, where a and b are
 * the first and second halves of the last dim (a projection to 2F packs the gate and the value side by
 * side). The value is the element-wise activation of the gate.
 */
export const GATED_ACTIVATIONS = {
  swiglu: "silu",
  geglu: "gelu",
  reglu: "relu",
} as const satisfies Record<string, keyof typeof ACTIVATION_FUNCTIONS>;

/** Activations applied element by element (relu, gelu, gelu_new, silu, …). */
export type ElementwiseActivationName = keyof typeof ACTIVATION_FUNCTIONS;
/** Gated activations (swiglu, geglu, reglu): act(x₁) ⊙ x₂ over the two halves of the last dimension. */
export type GatedActivationName = keyof typeof GATED_ACTIVATIONS;
/** Every activation name the table knows (Hugging Face's names). */
export type ActivationName = ElementwiseActivationName | GatedActivationName;

/** Every name the table knows, element-wise first. */
export const ACTIVATION_NAMES = [...Object.keys(ACTIVATION_FUNCTIONS), ...Object.keys(GATED_ACTIVATIONS)] as readonly ActivationName[];

/** Whether `name` is a gated activation (which halves the last dimension). */
export function isGatedActivation(name: string): name is GatedActivationName {
  return Object.hasOwn(GATED_ACTIVATIONS, name);
}

/** act(x[..., :F]) ⊙ x[..., F:] for a last dim of 2F (the split form of a GLU). */
export function gatedActivation(x: Tensor, act: ElementwiseActivationName): Tensor {
  const last = x.shape[x.ndim - 1];
  if (x.ndim === 0 || last === undefined || last % 2 !== 0) throw new ShapeError(`gatedActivation: needs an even last dimension, got ${formatShape(x.shape)}`);
  const half = last / 2;
  return mul(ACTIVATION_FUNCTIONS[act](slice(x, -1, 0, half)), slice(x, -1, half));
}

/**
 * The function a name stands for; a gated name gives the split form (input [..., 2F] → [..., F]).
 * An unknown name is a ValueError listing the known ones.
 */
export function activationFunction(name: string): ActivationFunction {
  if (Object.hasOwn(ACTIVATION_FUNCTIONS, name)) return ACTIVATION_FUNCTIONS[name as ElementwiseActivationName];
  if (isGatedActivation(name)) {
    const act = GATED_ACTIVATIONS[name];
    return (x) => gatedActivation(x, act);
  }
  throw new ValueError(`unknown activation ${JSON.stringify(name)} (known: ${ACTIVATION_NAMES.join(", ")})`);
}

/** The activation `name` as a module (no parameters), e.g. for Sequential. */
export class Activation extends Module {
  private readonly fn: ActivationFunction;

  constructor(readonly name: ActivationName) {
    super();
    this.fn = activationFunction(name);
  }

  forward(x: Tensor): Tensor {
    return this.fn(x);
  }

  override extraRepr(): string {
    return this.name;
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** x for x > 0, negativeSlope·x otherwise (default slope 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** Exact GELU x·Φ(x) via erf, or `{ approximate: "tanh" }` for GPT-2's tanh approximation. */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(options: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = options.approximate ?? "none";
  }

  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate=${this.approximate}`;
  }
}

/** SiLU (swish): x·σ(x). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** (1/β)·ln(1 + e^(βx)). */
export class Softplus extends Module {
  constructor(readonly beta = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return softplus(x, this.beta);
  }

  override extraRepr(): string {
    return `beta=${this.beta}`;
  }
}

/** x for x > 0, α(eˣ − 1) otherwise. */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** softmax along `dim` (default the last). */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log softmax along `dim` (default the last). */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
