/**
 * XOR with a two-layer MLP: the classic problem a linear model cannot solve.
 * Run: node --import tsx examples/xor.ts
 */
import { manualSeed, tensor, nn, optim, losses, noGrad } from "loom";

export interface XorResult {
  finalLoss: number;
  predictions: number[];
  steps: number;
}

export function main(options: { steps?: number; log?: (line: string) => void } = {}): XorResult {
  const log = options.log ?? console.log;
  const steps = options.steps ?? 500;
  manualSeed(0);
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tensor([[0], [1], [1], [0]]);
  const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
  const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
  let finalLoss = Infinity;
  for (let step = 1; step <= steps; step++) {
    const loss = losses.bceWithLogits(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    finalLoss = loss.item();
    if (step % 100 === 0) log(`step ${step}: loss ${finalLoss.toFixed(5)}`);
  }
  const predictions = noGrad(() => Array.from(model.forward(x).sigmoid().toTypedArray()));
  log(`XOR predictions for 00, 01, 10, 11: ${predictions.map((p) => p.toFixed(3)).join(", ")}`);
  return { finalLoss, predictions, steps };
}

if (import.meta.url === `file://${process.argv[1]}`) main();
