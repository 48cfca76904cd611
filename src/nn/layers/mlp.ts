/**
 * MLP(sizes): Linear layers between consecutive sizes, with an activation (and optional dropout)
 * after every layer but the last: [in, h₁, …, out] → Linear, act, [Dropout], …, Linear.
 */
import { ValueError } from "../../errors.js";
import type { TensorModule } from "../module.js";
import { ELU, GELU, LeakyReLU, ReLU, SiLU, Sigmoid, Tanh } from "./activation.js";
import { Sequential } from "./containers.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import type { LayerOptions } from "./options.js";

export type ActivationName = "relu" | "gelu" | "geluTanh" | "tanh" | "sigmoid" | "silu" | "leakyRelu" | "elu";

const ACTIVATIONS: Record<ActivationName, () => TensorModule> = {
  relu: () => new ReLU(),
  gelu: () => new GELU(),
  geluTanh: () => new GELU({ approximate: "tanh" }),
  tanh: () => new Tanh(),
  sigmoid: () => new Sigmoid(),
  silu: () => new SiLU(),
  leakyRelu: () => new LeakyReLU(),
  elu: () => new ELU(),
};

export interface MLPOptions extends LayerOptions {
  /** Activation between layers: a name or a factory making a fresh module (default "relu"). */
  activation?: ActivationName | (() => TensorModule);
  /** Dropout probability after each activation (default 0: no Dropout layers). */
  dropout?: number;
  /** Biases in the Linear layers (default true). */
  bias?: boolean;
}

export class MLP extends Sequential {
  constructor(sizes: readonly number[], options: MLPOptions = {}) {
    super();
    if (sizes.length < 2) throw new ValueError(`MLP: needs at least an input and an output size, got [${sizes.join(", ")}]`);
    const act = options.activation ?? "relu";
    const make = typeof act === "function" ? act : ACTIVATIONS[act];
    if (make === undefined) throw new ValueError(`MLP: unknown activation "${String(act)}"`);
    const p = options.dropout ?? 0;
    const linearOptions = { bias: options.bias ?? true, dtype: options.dtype ?? "float32" } as const;
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.append(new Linear(sizes[i] as number, sizes[i + 1] as number, linearOptions));
      if (i + 2 < sizes.length) {
        this.append(make());
        if (p > 0) this.append(new Dropout(p));
      }
    }
  }
}
