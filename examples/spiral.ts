/**
 * A 3-class 2-D spiral (the CS231n toy problem) classified by an MLP trained with AdamW.
 * Run: node --import tsx examples/spiral.ts [steps]
 * With `reportMemory`, prints the process RSS at steps 500 and 3,000 to show memory stays flat with
 * no dispose calls: tensors are ordinary garbage-collected objects.
 */
import { manualSeed, tensor, nn, optim, losses, metrics, noGrad, Tensor, defaultGenerator } from "loom";

export interface SpiralResult {
  trainAccuracy: number;
  testAccuracy: number;
  finalLoss: number;
  rssMiB: Record<number, number>;
}

/** `perClass` points of each of `classes` spiral arms: x = r·(sin t, cos t), t noisy. */
export function spiralData(perClass: number, classes: number, seed: number): { x: Tensor; y: Tensor } {
  manualSeed(seed);
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = i / (perClass - 1);
      const t = c * 4 + (4 * i) / (perClass - 1) + defaultGenerator.normal() * 0.2;
      xs.push([r * Math.sin(t), r * Math.cos(t)]);
      ys.push(c);
    }
  }
  return { x: tensor(xs), y: tensor(ys, { dtype: "int32" }) };
}

export function main(options: { steps?: number; reportMemory?: boolean; log?: (line: string) => void } = {}): SpiralResult {
  const log = options.log ?? console.log;
  const steps = options.steps ?? 1000;
  const train = spiralData(100, 3, 1);
  const test = spiralData(100, 3, 2);
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(2, 64), new nn.ReLU(), new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 3));
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2, weightDecay: 1e-4 });
  const rssMiB: Record<number, number> = {};
  let finalLoss = Infinity;
  for (let step = 1; step <= steps; step++) {
    const loss = losses.crossEntropy(model.forward(train.x), train.y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    finalLoss = loss.item();
    if (step % 250 === 0) log(`step ${step}: loss ${finalLoss.toFixed(4)}`);
    if (options.reportMemory && (step === 500 || step === 3000)) {
      rssMiB[step] = process.memoryUsage().rss / 2 ** 20;
      log(`step ${step}: RSS ${rssMiB[step]?.toFixed(1)} MiB`);
    }
  }
  const accuracy = (data: { x: Tensor; y: Tensor }) =>
    noGrad(() => metrics.accuracy(data.y, model.forward(data.x).argmax(1)));
  const trainAccuracy = accuracy(train);
  const testAccuracy = accuracy(test);
  log(`spiral: train accuracy ${(100 * trainAccuracy).toFixed(1)}%, held-out accuracy ${(100 * testAccuracy).toFixed(1)}%`);
  return { trainAccuracy, testAccuracy, finalLoss, rssMiB };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const steps = process.argv[2] ? Number(process.argv[2]) : undefined;
  main({ ...(steps ? { steps } : {}), reportMemory: (steps ?? 0) >= 3000 });
}
