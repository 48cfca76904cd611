/**
 * The one helper the encoder parity tests share (BERT-family fixtures written by scripts/fixtures/*.py):
 * decode a fixture tensor, compare within a dtype's tolerance, load a fixture's weights strictly and check
 * the gradient of every parameter. Tolerance |loom − torch| ≤ atol + rtol·|torch|: float64 atol 1e-10,
 * rtol 1e-8; float32 atol 2e-5, rtol 2e-4.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { tensor, type Tensor } from "../../../src/index.js";
import { reshape } from "../../../src/ops/index.js";
import type { Module } from "../../../src/nn/module.js";

/** A tensor as the fixture scripts write it. */
export interface Encoded { shape: number[]; data: number[] }
/** One head's expected outputs: logits (or named outputs), the loss and every parameter's gradient. */
export interface Case { loss: number; grads: Record<string, Encoded>; [k: string]: unknown }
/** The float dtypes the fixtures cover. */
export type Dtype = "float64" | "float32";
/** What every encoder fixture holds besides its inputs. */
export interface EncoderFixture {
  config: Record<string, unknown>;
  params: Record<string, Encoded>;
  headParams: Record<string, Record<string, Encoded>>;
  float64: Record<string, Case>;
  float32: Record<string, Case>;
}

export const TOLERANCE: Record<Dtype, { atol: number; rtol: number }> = { float64: { atol: 1e-10, rtol: 1e-8 }, float32: { atol: 2e-5, rtol: 2e-4 } };

/** Reads test/fixtures/bert/NAME. */
export function readFixture<F>(name: string): F {
  return JSON.parse(readFileSync(new URL(`../../fixtures/bert/${name}`, import.meta.url), "utf8")) as F;
}

/** An encoded tensor in `dtype`. */
export function decode(e: Encoded, dtype: Dtype): Tensor {
  return reshape(tensor(e.data, { dtype }), e.shape);
}

/** Asserts `actual` matches the reference within the dtype's tolerance, element by element. */
export function assertClose(actual: Tensor | number, expected: Encoded | number, dtype: Dtype, what: string): void {
  const { atol, rtol } = TOLERANCE[dtype];
  const exp = typeof expected === "number" ? { shape: [], data: [expected] } : expected;
  const act = typeof actual === "number" ? [actual] : [...actual.toTypedArray()].map(Number);
  if (typeof actual !== "number") assert.deepEqual(actual.shape, exp.shape, `${what}: shape`);
  assert.equal(act.length, exp.data.length, `${what}: size`);
  for (let i = 0; i < act.length; i++) {
    const e = exp.data[i] as number;
    const diff = Math.abs((act[i] as number) - e);
    assert.ok(diff <= atol + rtol * Math.abs(e), `${what}[${i}]: loom ${act[i]}, torch ${e} (|Δ| = ${diff}, ${dtype})`);
  }
}

/**
 * Loads the fixture's base weights (under `prefix`, or bare for a base model) and `head`'s weights into
 * `model` in `dtype`, strictly, in eval mode (the configs carry dropout; the references run without).
 */
export function loadFixture<M extends Module>(model: M, fixture: EncoderFixture, prefix: string, head: string, dtype: Dtype): M {
  model.to(dtype).eval();
  const sd = new Map<string, Tensor>();
  const expected = new Set(model.stateDict().keys());
  const base = [...expected].some((k) => k.startsWith(prefix)) ? prefix : "";
  for (const [k, v] of Object.entries(fixture.params)) if (expected.has(base + k)) sd.set(base + k, decode(v, dtype));
  for (const [k, v] of Object.entries(fixture.headParams[head] ?? {})) if (expected.has(k)) sd.set(k, decode(v, dtype));
  model.loadStateDict(sd, { strict: true });
  return model;
}

/** Every trainable parameter has a gradient matching the reference's, and the reference names no other. */
export function checkGrads(model: Module, expected: Record<string, Encoded>, dtype: Dtype, what: string): void {
  const params = new Map(model.namedParameters().filter(([, p]) => p.requiresGrad));
  assert.deepEqual([...params.keys()].sort(), Object.keys(expected).sort(), `${what}: every parameter has a reference gradient`);
  for (const [name, p] of params) {
    assert.ok(p.grad !== null, `${what}: ${name} has no gradient`);
    assertClose(p.grad as Tensor, expected[name] as Encoded, dtype, `${what} grad ${name}`);
  }
}
