/**
 * The native backends the parity tests run: each instruction set this CPU has, on 1, 2 and 3 threads
 * (parallelMinWork 0 sends even tiny jobs through the pool). Where the native module is not built or
 * the CPU cannot run it, `skip` holds the reason and the suites are skipped with it.
 */
import { createNativeBackend, type NativeBackend, type NativeBackendOptions } from "../../../src/backend/native/index.js";
import { loadNativeModule, type NativeIsa } from "../../../src/backend/native/loader.js";

function availability(): { isas: NativeIsa[]; skip: string | false } {
  try {
    const f = loadNativeModule().features();
    const isas: NativeIsa[] = [];
    if (f.avx512f) isas.push("avx512");
    if (f.avx2) isas.push("avx2");
    return isas.length > 0 ? { isas, skip: false } : { isas, skip: "native kernels: this CPU has neither AVX-512 nor AVX2+FMA" };
  } catch (e) {
    return { isas: [], skip: `native backend unavailable: ${(e as Error).message}` };
  }
}

const found = availability();
/** false where the native suites run, else the reason they are skipped. */
export const skip: string | false = found.skip;
if (skip) console.log(`# test/backend/native skipped: ${skip}`);

/**
 * [label, backend] for every instruction set × 1/2/3 threads (created lazily, so a skipped suite makes
 * none), each with `options` besides.
 */
export function nativeBackends(options: NativeBackendOptions = {}): [string, () => NativeBackend][] {
  const out: [string, () => NativeBackend][] = [];
  for (const isa of found.isas) {
    out.push([`${isa}, 1 thread`, () => createNativeBackend({ ...options, isa, threads: 1 })]);
    out.push([`${isa}, 2 threads`, () => createNativeBackend({ ...options, isa, threads: 2, parallelMinWork: 0 })]);
    out.push([`${isa}, 3 threads`, () => createNativeBackend({ ...options, isa, threads: 3, parallelMinWork: 0 })]);
  }
  if (out.length === 0) out.push(["unavailable", () => createNativeBackend(options)]);
  return out;
}

/** |actual − expected| ≤ tol·(1 + |expected|) elementwise; NaN only where the reference has NaN. */
export function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): string | null {
  if (actual.length !== expected.length) return `${what}: length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (a === e || (Number.isNaN(e) && Number.isNaN(a))) continue;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) return `${what}: element ${i}: native ${a}, reference ${e}`;
  }
  return null;
}
