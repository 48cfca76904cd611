import { test } from "node:test";
import assert from "node:assert/strict";
import { main as xor } from "../../examples/xor.js";
import { main as spiral } from "../../examples/spiral.js";
import { main as regression } from "../../examples/linear-regression.js";

const quiet = { log: () => {} };

test("examples/xor.ts: the MLP separates XOR", () => {
  const r = xor(quiet);
  assert.ok(r.finalLoss < 0.01, `loss ${r.finalLoss}`);
  const [a, b, c, d] = r.predictions as [number, number, number, number];
  assert.ok(a < 0.1 && b > 0.9 && c > 0.9 && d < 0.1, r.predictions.join(","));
});

test("examples/spiral.ts: MLP + AdamW classifies the 3-class spiral to ≥ 95% on held-out points", () => {
  const r = spiral({ steps: 600, ...quiet });
  assert.ok(r.testAccuracy >= 0.95, `held-out accuracy ${r.testAccuracy}`);
});

test("examples/linear-regression.ts: GD, SGD and mini-batch SGD all recover w = [3, −2], b = 0.5", () => {
  const runs = regression({ epochs: 8, ...quiet });
  assert.equal(runs.length, 3);
  for (const r of runs) {
    assert.ok(Math.abs((r.weight[0] as number) - 3) < 0.05 && Math.abs((r.weight[1] as number) + 2) < 0.05, `${r.name}: ${r.weight}`);
    assert.ok(Math.abs(r.bias - 0.5) < 0.05, `${r.name}: b ${r.bias}`);
    assert.ok((r.curve.at(-1) as number) < 0.02, `${r.name}: final MSE ${r.curve.at(-1)}`);
  }
});
