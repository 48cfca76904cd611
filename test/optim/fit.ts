/** A small run that must learn: fit y = 3x − 2 (float32, 32 points in [−1, 1]) with a given optimiser. */
import { type Tensor, linspace, zeros } from "../../src/index.js";
import type { Optimizer } from "../../src/optim/index.js";
import type { OptimizerOptions } from "../../src/optim/optimizer.js";

/** Runs `steps` full-batch steps on w·x + b and returns the final mean squared error. */
export function fitLine(makeOptimizer: (params: Tensor[]) => Optimizer<OptimizerOptions>, steps: number): number {
  const x = linspace(-1, 1, 32);
  const y = x.mul(3).sub(2);
  const w = zeros([1], { requiresGrad: true });
  const b = zeros([1], { requiresGrad: true });
  const opt = makeOptimizer([w, b]);
  const loss = (): Tensor => x.mul(w).add(b).sub(y).square().mean();
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    loss().backward();
    opt.step();
  }
  return loss().item();
}
