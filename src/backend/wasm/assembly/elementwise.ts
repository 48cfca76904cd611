// Elementwise float32 kernels over contiguous data, with the formulas of the reference loops
// (src/backend/reference/elementwise.ts, unary.ts). Op codes are the reference's BinaryOp / UnaryOp
// values; src/backend/wasm/elementwise.ts sends only the codes listed here.
//
// Each exported kernel branches on the op once and runs a loop specialised for it (see below). Accuracy against the
// float64 reference: add/sub/mul/div/sqrt/neg/abs/square/relu are exact (IEEE float32 results equal
// the float64 result rounded); exp ~1 ulp (exp.ts); sigmoid, silu, reciprocal square root, tanh
// ≤ ~3 ulp (one exp or sqrt and one division); tanh uses an odd Taylor polynomial below |x| = 0.3,
// where (1 − e^(−2|x|))/(1 + e^(−2|x|)) would cancel.
import { Lanes, K_ONE, K_HALF, K_TWO, K_ZERO } from "./exp";

const ADD = 0, SUB = 1, MUL = 2, DIV = 3;
const EXP = 0, SQRT = 2, RSQRT = 3, ABS = 4, TANH = 8, SIGMOID = 9, RELU = 10, SQUARE = 11, RECIPROCAL = 12;
const SILU = 23, NEG = 26;

const TANH_CONSTANTS = memory.data<f32>([
  0.3, -2, // below 0.3 the series; −2 for e^(−2|x|)
  // tanh x = x + x·z·(t1 + t2 z + t3 z² + t4 z³ + t5 z⁴), z = x² (Taylor: −1/3, 2/15, −17/315, 62/2835,
  // −1382/155925; the first omitted term is < 6·10⁻¹⁰ of tanh x at |x| = 0.3)
  -0.33333333333, 0.13333333333, -0.05396825397, 0.02186948854, -0.00886323552,
  -0.0, // sign bit
  3.4028235e38, // largest float32 (used by silu's backward)
], 16);
const T_SMALL = 0, T_MINUS_TWO = 1, T_1 = 2, T_SIGN = 7, T_FLT_MAX = 8;

// One final class per op, each with inlined lane methods; the loops are generic over the class, so
// each (loop, op) pair is its own straight-line loop. (Passing the op code as a constant instead lets
// Binaryen merge the near-identical loops back into one loop that tests the op every iteration.)
// `changetype<Op>(0)` names the class without allocating: the methods never read `this`.

@final class Add { @inline apply(x: v128, y: v128): v128 { return f32x4.add(x, y); } }
@final class Sub { @inline apply(x: v128, y: v128): v128 { return f32x4.sub(x, y); } }
@final class Mul { @inline apply(x: v128, y: v128): v128 { return f32x4.mul(x, y); } }
@final class Div { @inline apply(x: v128, y: v128): v128 { return f32x4.div(x, y); } }

class Logistic {
  @inline static sigmoid(x: v128): v128 {
    const one = Lanes.constant(K_ONE);
    return f32x4.div(one, f32x4.add(one, Lanes.exp(f32x4.neg(x))));
  }
}

// Unary ops: forward(x) and backward(g, x, y) = g·op'(x) given y = op(x), as reference/unary.ts.
@final class Exp {
  @inline forward(x: v128): v128 { return Lanes.exp(x); }
  @inline backward(g: v128, x: v128, y: v128): v128 { return f32x4.mul(g, y); }
}
@final class Sqrt {
  @inline forward(x: v128): v128 { return f32x4.sqrt(x); }
  @inline backward(g: v128, x: v128, y: v128): v128 { return f32x4.mul(g, f32x4.div(Lanes.constant(K_HALF), y)); }
}
@final class Rsqrt {
  @inline forward(x: v128): v128 { return f32x4.div(Lanes.constant(K_ONE), f32x4.sqrt(x)); }
  @inline backward(g: v128, x: v128, y: v128): v128 {
    return f32x4.mul(g, f32x4.mul(f32x4.neg(Lanes.constant(K_HALF)), f32x4.mul(y, f32x4.mul(y, y))));
  }
}
@final class Abs {
  @inline forward(x: v128): v128 { return f32x4.abs(x); }
}
@final class Tanh {
  @inline forward(x: v128): v128 {
    const c = TANH_CONSTANTS;
    const ax = f32x4.abs(x);
    const e = Lanes.exp(f32x4.mul(ax, Lanes.tableConstant(c, T_MINUS_TWO)));
    const one = Lanes.constant(K_ONE);
    const large = v128.or(f32x4.div(f32x4.sub(one, e), f32x4.add(one, e)), v128.and(x, Lanes.tableConstant(c, T_SIGN)));
    const z = f32x4.mul(x, x);
    let p = Lanes.madd(Lanes.tableConstant(c, T_1 + 4), z, Lanes.tableConstant(c, T_1 + 3));
    p = Lanes.madd(p, z, Lanes.tableConstant(c, T_1 + 2));
    p = Lanes.madd(p, z, Lanes.tableConstant(c, T_1 + 1));
    p = Lanes.madd(p, z, Lanes.tableConstant(c, T_1));
    const small = Lanes.madd(f32x4.mul(x, z), p, x);
    // ax < 0.3 is false for NaN, so NaN takes the exp branch and stays NaN.
    return v128.bitselect(small, large, f32x4.lt(ax, Lanes.tableConstant(c, T_SMALL)));
  }
  @inline backward(g: v128, x: v128, y: v128): v128 { return f32x4.mul(g, f32x4.sub(Lanes.constant(K_ONE), f32x4.mul(y, y))); }
}
@final class Sigmoid {
  @inline forward(x: v128): v128 { return Logistic.sigmoid(x); }
  @inline backward(g: v128, x: v128, y: v128): v128 { return f32x4.mul(g, f32x4.mul(y, f32x4.sub(Lanes.constant(K_ONE), y))); }
}
@final class Relu {
  // x > 0 is false for NaN, so NaN gives 0 as the reference's `x > 0 ? x : 0` does.
  @inline forward(x: v128): v128 { return v128.and(x, f32x4.gt(x, Lanes.constant(K_ZERO))); }
  @inline backward(g: v128, x: v128, y: v128): v128 { return v128.and(g, f32x4.gt(x, Lanes.constant(K_ZERO))); }
}
@final class Square {
  @inline forward(x: v128): v128 { return f32x4.mul(x, x); }
  @inline backward(g: v128, x: v128, y: v128): v128 { return f32x4.mul(g, f32x4.mul(Lanes.constant(K_TWO), x)); }
}
@final class Reciprocal {
  @inline forward(x: v128): v128 { return f32x4.div(Lanes.constant(K_ONE), x); }
  @inline backward(g: v128, x: v128, y: v128): v128 { return f32x4.mul(g, f32x4.neg(f32x4.mul(y, y))); }
}
@final class Silu {
  @inline forward(x: v128): v128 { return f32x4.div(x, f32x4.add(Lanes.constant(K_ONE), Lanes.exp(f32x4.neg(x)))); }
  // σ(x)(1 + x(1 − σ(x))), with 1 − σ = e·σ, e = e^(−x): the subtraction would lose 1 − σ's relative
  // accuracy as σ → 1, where x multiplies it. e is capped at the largest float in that product only, so
  // that it is 0 (not ∞·0) where e overflows, and x = −∞ still gives the reference's NaN.
  @inline backward(g: v128, x: v128, y: v128): v128 {
    const one = Lanes.constant(K_ONE);
    const e = Lanes.exp(f32x4.neg(x));
    const s = f32x4.div(one, f32x4.add(one, e));
    const q = f32x4.mul(f32x4.pmin(e, Lanes.tableConstant(TANH_CONSTANTS, T_FLT_MAX)), s);
    return f32x4.mul(g, f32x4.mul(s, Lanes.madd(x, q, one)));
  }
}
@final class Neg {
  @inline forward(x: v128): v128 { return f32x4.neg(x); }
  @inline backward(g: v128, x: v128, y: v128): v128 { return f32x4.neg(g); }
}

// A tail (fewer than four elements) runs the same lane code on splatted scalars, so it agrees with the body.

class Loops {
  @inline static binaryLoop<Op>(out: usize, a: usize, b: usize, n: i32): void {
    const op = changetype<Op>(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, op.apply(v128.load(a + o), v128.load(b + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, f32x4.extract_lane(op.apply(v128.load32_splat(a + o), v128.load32_splat(b + o)), 0));
    }
  }

  @inline static scalarLoop<Op>(out: usize, a: usize, y: f32, n: i32): void {
    const op = changetype<Op>(0);
    const y4 = f32x4.splat(y);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, op.apply(v128.load(a + o), y4));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, f32x4.extract_lane(op.apply(v128.load32_splat(a + o), y4), 0));
    }
  }

  /** out[r, j] = full[r, j] op block[j], or block[j] op full[r, j] when swapped. */
  @inline static rowsLoop<Op>(out: usize, full: usize, block: usize, rows: i32, cols: i32, swapped: bool): void {
    const rowBytes = <usize>cols << 2;
    for (let r = 0; r < rows; r++) {
      const off = <usize>r * rowBytes;
      if (swapped) Loops.binaryLoop<Op>(out + off, block, full + off, cols);
      else Loops.binaryLoop<Op>(out + off, full + off, block, cols);
    }
  }

  @inline static unaryLoop<Op>(out: usize, x: usize, n: i32): void {
    const op = changetype<Op>(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, op.forward(v128.load(x + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, f32x4.extract_lane(op.forward(v128.load32_splat(x + o)), 0));
    }
  }

  @inline static unaryBackwardLoop<Op>(gx: usize, g: usize, x: usize, y: usize, n: i32): void {
    const op = changetype<Op>(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(gx + o, op.backward(v128.load(g + o), v128.load(x + o), v128.load(y + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(gx + o, f32x4.extract_lane(op.backward(v128.load32_splat(g + o), v128.load32_splat(x + o), v128.load32_splat(y + o)), 0));
    }
  }
}

/** out[i] = a[i] op b[i] for i < n (op: add, sub, mul, div). */
export function binaryF32(op: i32, out: usize, a: usize, b: usize, n: i32): void {
  if (op == ADD) Loops.binaryLoop<Add>(out, a, b, n);
  else if (op == SUB) Loops.binaryLoop<Sub>(out, a, b, n);
  else if (op == MUL) Loops.binaryLoop<Mul>(out, a, b, n);
  else Loops.binaryLoop<Div>(out, a, b, n);
}

/** out[i] = a[i] op y for i < n. */
export function binaryScalarF32(op: i32, out: usize, a: usize, y: f32, n: i32): void {
  if (op == ADD) Loops.scalarLoop<Add>(out, a, y, n);
  else if (op == SUB) Loops.scalarLoop<Sub>(out, a, y, n);
  else if (op == MUL) Loops.scalarLoop<Mul>(out, a, y, n);
  else Loops.scalarLoop<Div>(out, a, y, n);
}

/** [rows, cols] ∘ [cols]: out[r, j] = full[r, j] op block[j] (block[j] op full[r, j] when swapped). */
export function binaryRowsF32(op: i32, out: usize, full: usize, block: usize, rows: i32, cols: i32, swapped: bool): void {
  if (op == ADD) Loops.rowsLoop<Add>(out, full, block, rows, cols, swapped);
  else if (op == SUB) Loops.rowsLoop<Sub>(out, full, block, rows, cols, swapped);
  else if (op == MUL) Loops.rowsLoop<Mul>(out, full, block, rows, cols, swapped);
  else Loops.rowsLoop<Div>(out, full, block, rows, cols, swapped);
}

/** out[i] = op(x[i]) for i < n. */
export function unaryF32(op: i32, out: usize, x: usize, n: i32): void {
  if (op == EXP) Loops.unaryLoop<Exp>(out, x, n);
  else if (op == SQRT) Loops.unaryLoop<Sqrt>(out, x, n);
  else if (op == RSQRT) Loops.unaryLoop<Rsqrt>(out, x, n);
  else if (op == ABS) Loops.unaryLoop<Abs>(out, x, n);
  else if (op == TANH) Loops.unaryLoop<Tanh>(out, x, n);
  else if (op == SIGMOID) Loops.unaryLoop<Sigmoid>(out, x, n);
  else if (op == RELU) Loops.unaryLoop<Relu>(out, x, n);
  else if (op == SQUARE) Loops.unaryLoop<Square>(out, x, n);
  else if (op == RECIPROCAL) Loops.unaryLoop<Reciprocal>(out, x, n);
  else if (op == SILU) Loops.unaryLoop<Silu>(out, x, n);
  else Loops.unaryLoop<Neg>(out, x, n);
}

/** gx[i] = g[i]·op'(x[i]) given y = op(x), for i < n (every unaryF32 op but abs). */
export function unaryBackwardF32(op: i32, gx: usize, g: usize, x: usize, y: usize, n: i32): void {
  if (op == EXP) Loops.unaryBackwardLoop<Exp>(gx, g, x, y, n);
  else if (op == SQRT) Loops.unaryBackwardLoop<Sqrt>(gx, g, x, y, n);
  else if (op == RSQRT) Loops.unaryBackwardLoop<Rsqrt>(gx, g, x, y, n);
  else if (op == TANH) Loops.unaryBackwardLoop<Tanh>(gx, g, x, y, n);
  else if (op == SIGMOID) Loops.unaryBackwardLoop<Sigmoid>(gx, g, x, y, n);
  else if (op == RELU) Loops.unaryBackwardLoop<Relu>(gx, g, x, y, n);
  else if (op == SQUARE) Loops.unaryBackwardLoop<Square>(gx, g, x, y, n);
  else if (op == RECIPROCAL) Loops.unaryBackwardLoop<Reciprocal>(gx, g, x, y, n);
  else if (op == SILU) Loops.unaryBackwardLoop<Silu>(gx, g, x, y, n);
  else Loops.unaryBackwardLoop<Neg>(gx, g, x, y, n);
}

// Reductions. Sums accumulate in float64 lanes, as the reference's JavaScript-number accumulator does,
// so only the order of additions differs from it; column sums add row by row in float32 into `out`,
// exactly the reference's order and rounding.

/** Σ_{i<n} x[i] in float64 (each float32 lane widened; four accumulators). */
function sumRun(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = v128.load(x + (<usize>i << 2));
    const b = v128.load(x + (<usize>i << 2), 16);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(a));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 2, 3)));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(b));
    s3 = f64x2.add(s3, f64x2.promote_low_f32x4(v128.shuffle<f32>(b, b, 2, 3, 2, 3)));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) total += <f64>load<f32>(x + (<usize>i << 2));
  return total;
}

/** Σ of all n elements. */
export function sumF32(x: usize, n: i32): f64 {
  return sumRun(x, n);
}

/** out[r] = Σ_j x[r, j] (the last dim of a [rows, cols] block). */
export function sumRowsF32(out: usize, x: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) store<f32>(out + (<usize>r << 2), <f32>sumRun(x + <usize>r * rowBytes, cols));
}

/** out[j] = Σ_r x[r, j] over the leading rows (bias gradients); out is overwritten. */
export function sumColumnsF32(out: usize, x: usize, rows: i32, cols: i32): void {
  memory.fill(out, 0, <usize>cols << 2);
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) Loops.binaryLoop<Add>(out, out, x + <usize>r * rowBytes, cols);
}
