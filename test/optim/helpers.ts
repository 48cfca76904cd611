/**
 * Shared by the optimiser tests: the PyTorch fixture (test/fixtures/optim/torch.json, made by
 * scripts/fixtures/optim.py), the fixture's MLP written with raw ops, and a relative comparison.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type FloatDType, type Tensor, tensor } from "../../src/index.js";
import { Adam, AdamW, type Optimizer, type ParamGroupSpec, RMSprop, SGD } from "../../src/optim/index.js";
import type { OptimizerOptions } from "../../src/optim/optimizer.js";

export type ParamName = "w1" | "b1" | "w2" | "b2";
export const PARAM_NAMES: ParamName[] = ["w1", "b1", "w2", "b2"];

export interface OptimizerCase {
  name: string;
  optimizer: "SGD" | "RMSprop" | "Adam" | "AdamW";
  options: Record<string, unknown>;
  groups: ({ params: ParamName[] } & Record<string, unknown>)[] | null;
  losses: number[];
  params: Record<string, Record<ParamName, number[]>>;
  stateOfParam0: Record<string, number | number[] | null>;
}

export interface ScheduleCase {
  name: string;
  mode: "single" | "sequential" | "chained";
  schedulers: [string, (number | string)[]][];
  milestones: number[] | null;
  lrs: number[][];
}

interface Fixture {
  torch: string;
  mlp: { x: number[]; y: number[]; shapes: Record<ParamName, number[]>; init: Record<ParamName, number[]> };
  optimizers: OptimizerCase[];
  schedules: ScheduleCase[];
}

let cached: Fixture | undefined;

export function fixture(): Fixture {
  cached ??= JSON.parse(readFileSync(new URL("../fixtures/optim/torch.json", import.meta.url), "utf8")) as Fixture;
  return cached;
}

export function optimizerCase(name: string): OptimizerCase {
  const c = fixture().optimizers.find((o) => o.name === name);
  assert.ok(c, `no optimiser fixture case ${name}`);
  return c;
}

/** The fixture's 4→8→3 tanh MLP in float64: fresh parameters and a loss closure (mean squared error). */
export class FixtureMlp {
  readonly params: Record<ParamName, Tensor>;
  private readonly x: Tensor;
  private readonly y: Tensor;

  constructor(dtype: FloatDType = "float64") {
    const { mlp } = fixture();
    const values = (v: number[]): Tensor => tensor(v, { dtype });
    const make = (n: ParamName): Tensor => values(mlp.init[n]).reshape(...mlp.shapes[n]).detach().requiresGrad_();
    this.params = { w1: make("w1"), b1: make("b1"), w2: make("w2"), b2: make("b2") };
    this.x = values(mlp.x).reshape(16, 4);
    this.y = values(mlp.y).reshape(16, 3);
  }

  list(): Tensor[] {
    return PARAM_NAMES.map((n) => this.params[n]);
  }

  /** loss = mean((tanh(x·W1 + b1)·W2 + b2 − y)²), with the graph recorded. */
  loss(): Tensor {
    const { w1, b1, w2, b2 } = this.params;
    return this.x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sub(this.y).square().mean();
  }

  /** zeroGrad, forward, backward; returns the loss value. */
  lossAndGrad(opt: Optimizer<OptimizerOptions>): number {
    opt.zeroGrad();
    const loss = this.loss();
    loss.backward();
    return loss.item();
  }
}

const CONSTRUCTORS = { SGD, RMSprop, Adam, AdamW };

/** The fixture case's optimiser over the MLP's parameters (with its groups, when it has several). */
export function makeOptimizer(c: OptimizerCase, mlp: FixtureMlp): Optimizer<OptimizerOptions> {
  const Ctor = CONSTRUCTORS[c.optimizer] as unknown as new (
    params: Tensor[] | ParamGroupSpec<OptimizerOptions>[], options: Record<string, unknown>,
  ) => Optimizer<OptimizerOptions>;
  if (c.groups === null) return new Ctor(mlp.list(), c.options);
  const groups = c.groups.map(({ params, ...options }) => ({ params: params.map((n) => mlp.params[n]), ...options }));
  return new Ctor(groups, c.options);
}

/** |actual − expected| ≤ rtol·|expected| + atol, element by element, naming the first mismatch. */
export function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    assert.ok(Math.abs(a - e) <= rtol * Math.abs(e) + atol, `${what}[${i}]: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Parameters and losses after 25 steps of a fixture case must match PyTorch (float64 on both sides). */
export function checkAgainstTorch(name: string, rtol = 1e-9, atol = 1e-12, dtype: FloatDType = "float64"): void {
  const c = optimizerCase(name);
  const mlp = new FixtureMlp(dtype);
  const opt = makeOptimizer(c, mlp);
  c.losses.forEach((expected, i) => {
    const step = i + 1;
    const loss = mlp.lossAndGrad(opt);
    assertAllClose([loss], [expected], rtol, atol, `${name}: loss before step ${step}`);
    opt.step();
    const snapshot = c.params[String(step)];
    if (snapshot === undefined) return;
    for (const n of PARAM_NAMES) assertAllClose(mlp.params[n].toTypedArray(), snapshot[n], rtol, atol, `${name}: ${n} after step ${step}`);
  });
  // The saved state of parameter 0 (w1) matches torch's optimizer.state[w1], key for key.
  const saved = opt.stateDict().state["0"];
  assert.ok(saved, `${name}: no state saved for parameter 0`);
  assert.deepEqual(Object.keys(saved).sort(), Object.keys(c.stateOfParam0).sort(), `${name}: state keys`);
  for (const [key, expected] of Object.entries(c.stateOfParam0)) {
    const value = saved[key];
    if (expected === null || typeof expected === "number") assert.equal(value, expected, `${name}: state.${key}`);
    else {
      assert.ok(value !== null && typeof value === "object", `${name}: state.${key} should be a buffer`);
      assert.deepEqual(value.shape, [4, 8]);
      assert.equal(value.dtype, dtype);
      assertAllClose(value.data, expected, rtol, atol, `${name}: state.${key}`);
    }
  }
}
