// exp on four lanes, for softmax and cross-entropy.
//
// Cephes expf: n = round(x·log₂e), r = x − n·ln2 (ln2 split in a high part exact in float32 and a low
// correction), exp(r) ≈ 1 + r + r²·P(r) with a degree-5 minimax P on |r| ≤ ln2/2 (relative error about
// 1 ulp), then exp(x) = 2ⁿ·exp(r) with 2ⁿ built in the exponent bits. Inputs below −87.3 (where 2ⁿ
// leaves the normal range) give 0, so exp(−∞) = 0 as softmax masking needs; NaN stays NaN.
// Cheap lane operations only: pmin/pmax (one instruction each, unlike NaN-propagating min/max) and
// the 1.5·2²³ trick for rounding (adding it leaves round(v) in the low mantissa bits, so 2ⁿ's exponent
// is an integer add away, with no float→int conversion).

const LOG2E: f32 = 1.442695;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const X_MIN: f32 = -87.3;
const X_MAX: f32 = 88.7;
const ROUNDER: f32 = 12582912.0; // 1.5·2²³
const ROUNDER_BITS: i32 = 0x4b400000;

export function exp4(x: v128): v128 {
  const underflow = f32x4.lt(x, f32x4.splat(X_MIN));
  // pmax(x, lo) is x when x is NaN (x < lo is false), so NaN survives the clamp.
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(X_MIN)), f32x4.splat(X_MAX));
  const j = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  const n = f32x4.sub(j, f32x4.splat(ROUNDER));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(j, i32x4.splat(127 - ROUNDER_BITS)), 23);
  return v128.andnot(f32x4.mul(y, scale), underflow);
}

/** Scalar exp with the same formula, for row tails (so a row's lanes and tail agree). */
export function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

/** Sum of the four lanes. */
export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Largest of the four lanes. */
export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}
