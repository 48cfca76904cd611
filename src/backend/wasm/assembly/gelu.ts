// GELU over contiguous float32, forward and backward, with the formulas of the reference kernel
// (src/backend/reference/gelu.ts):
//   exact:  y = x·Φ(x), Φ(x) = ½(1 + erf(x/√2));  y' = Φ(x) + x·e^(−x²/2)/√(2π)
//   tanh:   y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³);
//           y' = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)
// The tanh form is evaluated through the logistic function, since ½(1 + tanh u) = σ(2u) = 1/(1 + e^(−2u)):
//   y = x·s, y' = s + s(1 − s)·2x·du,  s = σ(2u) = 1/(1 + e), e = e^(−2u), du = √(2/π)(1 + 3·0.044715x²)
// — one exp and one division, no cancellation near u = 0, and the saturations hold: e^(−2u) → 0 gives
// y = x, e^(−2u) → +∞ gives s = 0 (so x = −∞ gives NaN, as the reference's −∞·0 does).
// erf by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5·10⁻⁷, about one float32 ulp of Φ).
//
// Speed (see exp.ts on code generation): every helper is inlined into its loop, constants come from a
// table, and each (form, direction) has its own loop, so the loop body is straight-line lane arithmetic.
import { Lanes, K_HALF, K_ONE } from "./exp";

const SQRT_2_OVER_PI: f32 = 0.7978846;
const K: f32 = 0.044715;

const GELU_CONSTANTS = memory.data<f32>([
  -2 * SQRT_2_OVER_PI, -2 * SQRT_2_OVER_PI * K, // −2u = x·(C0 + C1·x²)
  2 * SQRT_2_OVER_PI, 2 * SQRT_2_OVER_PI * 3 * K, // 2·du = D0 + D1·x²
  0.70710677, 0.3989423, -0.5, // 1/√2, 1/√(2π), −½
  0.3275911, 1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592, // A&S 7.1.26: p, a5 … a1
  -0.0, // sign bit
  3.4028235e38, // largest float32
], 16);
const C0 = 0, C1 = 1, D0 = 2, D1 = 3, INV_SQRT_2 = 4, INV_SQRT_2PI = 5, MINUS_HALF = 6, AS_P = 7, AS_A5 = 8, SIGN = 13;
const FLT_MAX = 14;

class Gelu {
  @inline static c(index: i32): v128 {
    return Lanes.tableConstant(GELU_CONSTANTS, index);
  }

  /** e^(−2u) for the tanh form. */
  @inline static expMinus2u(x: v128, x2: v128): v128 {
    return Lanes.exp(f32x4.mul(x, Lanes.madd(x2, Gelu.c(C1), Gelu.c(C0))));
  }

  @inline static tanhForward(x: v128): v128 {
    const e = Gelu.expMinus2u(x, f32x4.mul(x, x));
    return f32x4.div(x, f32x4.add(Lanes.constant(K_ONE), e));
  }

  /**
   * s(1 − s) is taken as s²·e (1 − s = e·s): 1 − s computed by subtraction loses its relative accuracy
   * as s → 1, and the x·du factor (large there) amplifies it to several ulp. e is capped at the largest
   * float in that product only, so that s²·e is 0, not 0·∞, where e^(−2u) overflows.
   */
  @inline static tanhGrad(x: v128): v128 {
    const x2 = f32x4.mul(x, x);
    const one = Lanes.constant(K_ONE);
    const e = Gelu.expMinus2u(x, x2);
    const s = f32x4.div(one, f32x4.add(one, e));
    const twoDu = Lanes.madd(x2, Gelu.c(D1), Gelu.c(D0));
    return Lanes.madd(f32x4.mul(f32x4.mul(s, s), f32x4.pmin(e, Gelu.c(FLT_MAX))), f32x4.mul(x, twoDu), s);
  }

  /** e^(−x²/2): both erf(x/√2)'s e^(−z²) factor and the Gaussian density's, computed once per vector. */
  @inline static expHalfSquare(x: v128): v128 {
    return Lanes.exp(f32x4.mul(Gelu.c(MINUS_HALF), f32x4.mul(x, x)));
  }

  /** erf(z) on four lanes by A&S 7.1.26 on |z| (sign restored), given e = e^(−z²). */
  @inline static erf(z: v128, e: v128): v128 {
    const one = Lanes.constant(K_ONE);
    const t = f32x4.div(one, Lanes.madd(Gelu.c(AS_P), f32x4.abs(z), one));
    let p = Lanes.madd(Gelu.c(AS_A5), t, Gelu.c(AS_A5 + 1));
    p = Lanes.madd(p, t, Gelu.c(AS_A5 + 2));
    p = Lanes.madd(p, t, Gelu.c(AS_A5 + 3));
    p = Lanes.madd(p, t, Gelu.c(AS_A5 + 4));
    p = f32x4.mul(p, t);
    const y = f32x4.sub(one, f32x4.mul(p, e));
    return v128.or(y, v128.and(z, Gelu.c(SIGN))); // erf is odd; y ≥ 0
  }

  /** Φ(x) = ½(1 + erf(x/√2)), given e = e^(−x²/2). */
  @inline static cdf(x: v128, e: v128): v128 {
    const half = Lanes.constant(K_HALF);
    return Lanes.madd(half, Gelu.erf(f32x4.mul(x, Gelu.c(INV_SQRT_2)), e), half);
  }

  @inline static exactForward(x: v128): v128 {
    return f32x4.mul(x, Gelu.cdf(x, Gelu.expHalfSquare(x)));
  }

  /** Φ(x) + x·φ(x) with one exp: φ(x) = e^(−x²/2)/√(2π) shares erf's exponential. */
  @inline static exactGrad(x: v128): v128 {
    const e = Gelu.expHalfSquare(x);
    return Lanes.madd(x, f32x4.mul(Gelu.c(INV_SQRT_2PI), e), Gelu.cdf(x, e));
  }
}

// A row's tail (fewer than four elements) runs the same lane code on a splatted scalar, so tail and
// body agree bit for bit.

/** out[i] = gelu(x[i]) for i < n. */
export function geluRows(out: usize, x: usize, n: i32, tanhApprox: bool): void {
  let i = 0;
  if (tanhApprox) {
    for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), Gelu.tanhForward(v128.load(x + (<usize>i << 2))));
    for (; i < n; i++) {
      store<f32>(out + (<usize>i << 2), f32x4.extract_lane(Gelu.tanhForward(v128.load32_splat(x + (<usize>i << 2))), 0));
    }
  } else {
    for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), Gelu.exactForward(v128.load(x + (<usize>i << 2))));
    for (; i < n; i++) {
      store<f32>(out + (<usize>i << 2), f32x4.extract_lane(Gelu.exactForward(v128.load32_splat(x + (<usize>i << 2))), 0));
    }
  }
}

/** dx[i] = dy[i]·gelu'(x[i]) for i < n. */
export function geluRowsBackward(dx: usize, dy: usize, x: usize, n: i32, tanhApprox: bool): void {
  let i = 0;
  if (tanhApprox) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dx + o, f32x4.mul(v128.load(dy + o), Gelu.tanhGrad(v128.load(x + o))));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dx + o, load<f32>(dy + o) * f32x4.extract_lane(Gelu.tanhGrad(v128.load32_splat(x + o)), 0));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dx + o, f32x4.mul(v128.load(dy + o), Gelu.exactGrad(v128.load(x + o))));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dx + o, load<f32>(dy + o) * f32x4.extract_lane(Gelu.exactGrad(v128.load32_splat(x + o)), 0));
    }
  }
}
