/**
 * Elementwise kernels over storage offsets. `ia`/`ib` give, for output element i, the storage index of
 * each operand (broadcasting and strides already resolved); the contiguous variant reads runs.
 * One switch outside each loop keeps the loops monomorphic.
 */
import type { Storage } from "../../tensor/dtype.js";

export const BinaryOp = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6,
  eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12, atan2: 13, remainder: 14,
} as const;
export type BinaryOpCode = (typeof BinaryOp)[keyof typeof BinaryOp];

export function binaryIndexed(op: BinaryOpCode, out: Storage, a: Storage, ia: Int32Array, b: Storage, ib: Int32Array): void {
  const n = out.length;
  switch (op) {
    case BinaryOp.add: for (let i = 0; i < n; i++) out[i] = (a[ia[i]!] as number) + (b[ib[i]!] as number); break;
    case BinaryOp.sub: for (let i = 0; i < n; i++) out[i] = (a[ia[i]!] as number) - (b[ib[i]!] as number); break;
    case BinaryOp.mul: for (let i = 0; i < n; i++) out[i] = (a[ia[i]!] as number) * (b[ib[i]!] as number); break;
    case BinaryOp.div: for (let i = 0; i < n; i++) out[i] = (a[ia[i]!] as number) / (b[ib[i]!] as number); break;
    default: for (let i = 0; i < n; i++) out[i] = scalarBinary(op, a[ia[i]!] as number, b[ib[i]!] as number);
  }
}

export function binaryContiguous(op: BinaryOpCode, out: Storage, a: Storage, ao: number, b: Storage, bo: number): void {
  const n = out.length;
  switch (op) {
    case BinaryOp.add: for (let i = 0; i < n; i++) out[i] = (a[ao + i] as number) + (b[bo + i] as number); break;
    case BinaryOp.sub: for (let i = 0; i < n; i++) out[i] = (a[ao + i] as number) - (b[bo + i] as number); break;
    case BinaryOp.mul: for (let i = 0; i < n; i++) out[i] = (a[ao + i] as number) * (b[bo + i] as number); break;
    case BinaryOp.div: for (let i = 0; i < n; i++) out[i] = (a[ao + i] as number) / (b[bo + i] as number); break;
    default: for (let i = 0; i < n; i++) out[i] = scalarBinary(op, a[ao + i] as number, b[bo + i] as number);
  }
}

/**
 * out = full op block where `block` (length `inner`) repeats along `full` — x + bias over rows. With
 * `swapped`, the repeated block is the left operand (block op full).
 */
export function binaryRows(op: BinaryOpCode, out: Storage, full: Storage, fo: number, block: Storage, bo: number, inner: number, swapped: boolean): void {
  const n = out.length;
  if (!swapped && op === BinaryOp.add) {
    for (let base = 0; base < n; base += inner) for (let j = 0; j < inner; j++) out[base + j] = (full[fo + base + j] as number) + (block[bo + j] as number);
    return;
  }
  if (!swapped && op === BinaryOp.mul) {
    for (let base = 0; base < n; base += inner) for (let j = 0; j < inner; j++) out[base + j] = (full[fo + base + j] as number) * (block[bo + j] as number);
    return;
  }
  for (let base = 0; base < n; base += inner) {
    for (let j = 0; j < inner; j++) {
      const x = full[fo + base + j] as number;
      const y = block[bo + j] as number;
      out[base + j] = swapped ? scalarBinary(op, y, x) : scalarBinary(op, x, y);
    }
  }
}

/** x op y for a scalar right operand, contiguous left operand (x.mul(2) and friends). */
export function binaryScalar(op: BinaryOpCode, out: Storage, a: Storage, ao: number, y: number): void {
  const n = out.length;
  switch (op) {
    case BinaryOp.add: for (let i = 0; i < n; i++) out[i] = (a[ao + i] as number) + y; break;
    case BinaryOp.sub: for (let i = 0; i < n; i++) out[i] = (a[ao + i] as number) - y; break;
    case BinaryOp.mul: for (let i = 0; i < n; i++) out[i] = (a[ao + i] as number) * y; break;
    case BinaryOp.div: for (let i = 0; i < n; i++) out[i] = (a[ao + i] as number) / y; break;
    default: for (let i = 0; i < n; i++) out[i] = scalarBinary(op, a[ao + i] as number, y);
  }
}

export function scalarBinary(op: BinaryOpCode, x: number, y: number): number {
  switch (op) {
    case BinaryOp.add: return x + y;
    case BinaryOp.sub: return x - y;
    case BinaryOp.mul: return x * y;
    case BinaryOp.div: return x / y;
    case BinaryOp.pow: return Math.pow(x, y);
    case BinaryOp.maximum: return Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y;
    case BinaryOp.minimum: return Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y;
    case BinaryOp.eq: return x === y ? 1 : 0;
    case BinaryOp.ne: return x !== y ? 1 : 0;
    case BinaryOp.lt: return x < y ? 1 : 0;
    case BinaryOp.le: return x <= y ? 1 : 0;
    case BinaryOp.gt: return x > y ? 1 : 0;
    case BinaryOp.ge: return x >= y ? 1 : 0;
    case BinaryOp.atan2: return Math.atan2(x, y);
    case BinaryOp.remainder: {
      // Python/PyTorch semantics: the result takes the sign of the divisor.
      const r = x % y;
      return r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
    }
  }
}

/**
 * Error function to double precision: the Maclaurin series erf(x) = 2/√π Σ (-1)ⁿ x^(2n+1) / (n!(2n+1))
 * for |x| < 2.5, and erfc's continued fraction e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
 * beyond (evaluated from a fixed depth, ample for x ≥ 2.5).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  if (z < 2.5) {
    let term = z;
    let sum = z;
    const z2 = z * z;
    for (let n = 1; n < 60; n++) {
      term *= -z2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  if (z > 6) return x < 0 ? -1 : 1;
  let f = z;
  for (let k = 60; k >= 1; k--) f = z + k / 2 / f;
  const erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

// Sums over contiguous data. Row and total sums accumulate in a JavaScript number (float64), as the
// reductions always have; column sums add row by row into `out`, rounding to its type at each step.

/** Σ_{i<n} x[i]. */
export function sumAll(x: Storage, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] as number;
  return s;
}

/** out[r] = Σ_j x[r·cols + j] for r < rows (a sum over the last dim). */
export function sumRows(out: Storage, x: Storage, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * cols;
    for (let j = 0; j < cols; j++) s += x[base + j] as number;
    out[r] = s;
  }
}

/** out[j] = Σ_r x[r·cols + j] for j < cols (a sum over leading rows, as for bias gradients); overwrites out. */
export function sumColumns(out: Storage, x: Storage, rows: number, cols: number): void {
  out.fill(0, 0, cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let j = 0; j < cols; j++) out[j] = (out[j] as number) + (x[base + j] as number);
  }
}
