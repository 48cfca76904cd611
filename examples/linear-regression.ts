/**
 * Linear regression y = 3x₁ − 2x₂ + 0.5 + noise fitted three ways — the data regimes of gradient
 * descent: full-batch GD (every example, every step), SGD (one example per step) and mini-batch SGD
 * (a shuffled batch of 16 per step) — printing each loss curve.
 * Run: node --import tsx examples/linear-regression.ts
 */
import { manualSeed, randn, randperm, tensor, nn, optim, losses, noGrad, Tensor, ops } from "loom";

export interface RegressionRun {
  name: string;
  /** Full-data MSE after each epoch. */
  curve: number[];
  weight: number[];
  bias: number;
}

function fit(name: string, x: Tensor, y: Tensor, batchSize: number, lr: number, epochs: number): RegressionRun {
  manualSeed(3);
  const model = new nn.Linear(2, 1);
  const opt = new optim.SGD(model.parameters(), { lr });
  const n = x.shape[0] as number;
  const curve: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = randperm(n);
    for (let start = 0; start < n; start += batchSize) {
      const idx = order.slice(0, start, Math.min(n, start + batchSize));
      const loss = losses.mseLoss(model.forward(ops.indexSelect(x, 0, idx)), ops.indexSelect(y, 0, idx));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    curve.push(noGrad(() => losses.mseLoss(model.forward(x), y).item()));
  }
  return { name, curve, weight: Array.from(model.weight.toTypedArray()), bias: model.bias?.item() ?? 0 };
}

export function main(options: { epochs?: number; log?: (line: string) => void } = {}): RegressionRun[] {
  const log = options.log ?? console.log;
  const epochs = options.epochs ?? 20;
  manualSeed(42);
  const n = 256;
  const x = randn([n, 2]);
  const noise = randn([n, 1]).mul(0.1);
  const y = x.matmul(tensor([[3], [-2]])).add(0.5).add(noise);
  const runs = [
    fit("full-batch GD", x, y, n, 0.5, epochs),
    fit("SGD (batch 1)", x, y, 1, 0.01, epochs),
    fit("mini-batch SGD (16)", x, y, 16, 0.1, epochs),
  ];
  for (const r of runs) {
    log(`${r.name}: w = [${r.weight.map((w) => w.toFixed(3)).join(", ")}], b = ${r.bias.toFixed(3)}`);
    log(`  MSE by epoch: ${r.curve.map((v) => v.toFixed(4)).join(" ")}`);
  }
  return runs;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
