/** Options shared by layers that own weights. */
import type { FloatDType } from "../../tensor/dtype.js";
import { ValueError } from "../../errors.js";

/** Options every layer takes: the dtype of its parameters and the generator of their initial values. */
export interface LayerOptions {
  /** Parameter dtype (default "float32"; "float64" for gradient checks). */
  dtype?: FloatDType;
}

/** Checks a layer size argument: a non-negative integer. */
export function checkSize(value: number, what: string, layer: string): number {
  if (!Number.isInteger(value) || value < 0) throw new ValueError(`${layer}: ${what} must be a non-negative integer, got ${value}`);
  return value;
}
