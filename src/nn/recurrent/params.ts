/** Parameter plumbing shared by the recurrent cells and layers (PyTorch names, PyTorch init). */
import { ValueError } from "../../errors.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { zeros } from "../../tensor/factory.js";
import { uniform } from "../init.js";
import type { Module } from "../module.js";
import { Parameter } from "../parameter.js";

/** A parameter registered under a computed name (`weight_ih_l0`), looked up at call time so `to()` is seen. */
export function namedParameter(module: Module, name: string): Parameter | null {
  const value = (module as unknown as Record<string, unknown>)[name];
  return value instanceof Parameter ? value : null;
}

export function requiredParameter(module: Module, name: string): Parameter {
  const p = namedParameter(module, name);
  if (p === null) throw new ValueError(`${module.constructor.name}: parameter "${name}" is missing`);
  return p;
}

export function addParameter(module: Module, name: string, shape: number[], dtype: FloatDType): void {
  module.registerParameter(name, new Parameter(zeros(shape, { dtype })));
}

/** PyTorch's RNNBase/RNNCellBase.reset_parameters: every weight and bias ~ U(−1/√H, 1/√H). */
export function resetRecurrentParameters(module: Module, hiddenSize: number): void {
  const bound = hiddenSize > 0 ? 1 / Math.sqrt(hiddenSize) : 0;
  for (const p of module.parameters()) uniform(p, -bound, bound);
}
