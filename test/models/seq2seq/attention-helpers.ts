/** Plain-array references for the attention tests: scores computed by loops, independent of the ops. */
import type { Tensor } from "../../../src/index.js";

export type Matrix = number[][];

export function matrix(t: Tensor): Matrix {
  return t.toArray() as Matrix;
}

export function matVec(w: Matrix, x: readonly number[]): number[] {
  return w.map((row) => row.reduce((s, wij, j) => s + wij * (x[j] as number), 0));
}

export function dotProduct(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, ai, i) => s + ai * (b[i] as number), 0);
}

/** softmax of scores over positions with valid[s], 0 elsewhere. */
export function maskedSoftmaxRef(scores: readonly number[], valid: readonly boolean[]): number[] {
  const m = Math.max(...scores.filter((_, s) => valid[s]));
  const e = scores.map((x, s) => (valid[s] ? Math.exp(x - m) : 0));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

export function assertClose(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} ≠ ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) throw new Error(`${what}[${i}]: ${a} vs ${e}`);
  });
}
