/** Shared by the nn tests: the PyTorch fixture cases and an element-wise tolerance check. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tensor, tensor, type DType } from "../../src/index.js";

/** A tensor as the fixture stores it: shape and flat row-major values. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** One case of test/fixtures/nn/torch.json (made by scripts/fixtures/nn.py). */
export interface TorchCase {
  name: string;
  fn: string;
  options: Record<string, unknown>;
  inputs: Record<string, FixtureTensor>;
  upstream: FixtureTensor;
  output: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

let cached: TorchCase[] | undefined;

export function torchCases(): TorchCase[] {
  if (cached === undefined) {
    const text = readFileSync(new URL("../fixtures/nn/torch.json", import.meta.url), "utf8");
    cached = (JSON.parse(text) as { cases: TorchCase[] }).cases;
  }
  return cached;
}

export function fromFixture(t: FixtureTensor, dtype: DType = "float64", requiresGrad = false): Tensor {
  const data = dtype === "int32" ? Int32Array.from(t.data) : Float64Array.from(t.data);
  const flat = tensor(data, { dtype });
  const shaped = new Tensor(flat.storage, t.shape);
  if (requiresGrad) shaped.requiresGrad = true;
  return shaped;
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise, naming the first offender. */
export function assertAllClose(actual: Tensor, expected: FixtureTensor | Tensor, rtol: number, atol: number, what: string): void {
  const eShape = expected instanceof Tensor ? expected.shape : expected.shape;
  assert.deepEqual([...actual.shape], [...eShape], `${what}: shape`);
  const a = actual.toTypedArray();
  const e = expected instanceof Tensor ? expected.toTypedArray() : expected.data;
  for (let i = 0; i < a.length; i++) {
    const av = a[i] as number;
    const ev = e[i] as number;
    if (!(Math.abs(av - ev) <= atol + rtol * Math.abs(ev))) {
      assert.fail(`${what}: element ${i}: got ${av}, expected ${ev} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

/** Sample mean and (population) standard deviation of a tensor's elements. */
export function meanStd(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.toTypedArray();
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    s += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = s / v.length;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  return { mean, std: Math.sqrt(ss / v.length), min, max };
}
