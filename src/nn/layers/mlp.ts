/**
 * MLP(sizes): Linear layers between consecutive sizes, with an activation (and optional dropout)
 * after every layer but the last: [in, h₁, …, out] → Linear, act, [Dropout], …, Linear.
 */
import { ValueError } from "../../errors.js";
import type { TensorModule } from "../module.js";
import { ACTIVATION_FUNCTIONS, Activation, type ElementwiseActivationName } from "./activation.js";
import { Sequential } from "./containers.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import type { LayerOptions } from "./options.js";


/** Sizes, activation and dropout of an {@link MLP}. */
export interface MLPOptions extends LayerOptions {
  /**
   * Activation between layers: a Hugging Face name from the activation table (`"relu"`, `"gelu"`,
   * `"gelu_new"`, `"silu"`, …; not a gated one, which would halve the width) or a factory making a
   * fresh module (default "relu").
   */
  activation?: ElementwiseActivationName | (() => TensorModule);
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
    if (typeof act !== "function" && !Object.hasOwn(ACTIVATION_FUNCTIONS, act)) {
      throw new ValueError(`MLP: unknown activation "${String(act)}" (known: ${Object.keys(ACTIVATION_FUNCTIONS).join(", ")})`);
    }
    const make = typeof act === "function" ? act : () => new Activation(act);
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
