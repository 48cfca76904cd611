/** Shared by the metrics tests: the scikit-learn fixture cases and a relative-tolerance comparison. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/** One case of test/fixtures/metrics/sklearn.json (made by scripts/fixtures/metrics.py). */
export interface FixtureCase {
  name: string;
  fn: string;
  args: unknown[];
  options: Record<string, unknown>;
  expected: unknown;
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, "-Infinity": -Infinity };

let cached: FixtureCase[] | undefined;

/** The fixture cases for one loom function name. */
export function fixtureCases(fn: string): FixtureCase[] {
  if (cached === undefined) {
    const text = readFileSync(new URL("../fixtures/metrics/sklearn.json", import.meta.url), "utf8");
    const parsed = JSON.parse(text, (_key, value: unknown) =>
      typeof value === "string" && value in NON_FINITE ? NON_FINITE[value] : value,
    ) as { cases: FixtureCase[] };
    cached = parsed.cases;
  }
  const cases = cached.filter((c) => c.fn === fn);
  assert.ok(cases.length > 0, `no fixture cases for ${fn}`);
  return cases;
}

/** Deep comparison of numbers (and arrays/objects of them) to a relative tolerance; NaN equals NaN. */
export function assertClose(actual: unknown, expected: unknown, rtol = 1e-12, path = "value"): void {
  if (typeof expected === "number") {
    assert.equal(typeof actual, "number", `${path}: expected a number, got ${typeof actual}`);
    const a = actual as number;
    if (Number.isNaN(expected) || !Number.isFinite(expected)) {
      assert.ok(Object.is(a, expected), `${path}: expected ${expected}, got ${a}`);
      return;
    }
    assert.ok(Math.abs(a - expected) <= rtol * Math.abs(expected), `${path}: expected ${expected}, got ${a}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) || ArrayBuffer.isView(actual), `${path}: expected an array`);
    const arr = actual as ArrayLike<unknown>;
    assert.equal(arr.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(arr[i], e, rtol, `${path}[${i}]`));
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    for (const [key, e] of Object.entries(expected)) {
      assertClose((actual as Record<string, unknown>)[key], e, rtol, `${path}.${key}`);
    }
    return;
  }
  assert.deepEqual(actual, expected, path);
}

/** Cuts [0, n) into consecutive chunks of random sizes (1..maxChunk) drawn from a seeded LCG. */
export function randomChunks(n: number, seed: number, maxChunk = 9): Array<[number, number]> {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const chunks: Array<[number, number]> = [];
  for (let start = 0; start < n; ) {
    const end = Math.min(n, start + 1 + Math.floor(next() * maxChunk));
    chunks.push([start, end]);
    start = end;
  }
  return chunks;
}
