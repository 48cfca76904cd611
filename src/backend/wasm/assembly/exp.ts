// exp on four lanes, for GELU, softmax, cross-entropy and the elementwise kernels, plus the lane helpers
// those loops share.
//
// Cephes expf: n = round(x·log₂e), r = x − n·ln2 (ln2 split in a high part exact in float32 and a low
// correction), exp(r) ≈ 1 + r + r²·P(r) with a degree-5 minimax P on |r| ≤ ln2/2 (relative error about
// 1 ulp), then exp(x) = 2ⁿ·exp(r) with 2ⁿ built in the exponent bits. Inputs below −87.3 (where 2ⁿ
// leaves the normal range) give 0, so exp(−∞) = 0 as softmax masking needs; NaN stays NaN.
// Cheap lane operations only: pmin/pmax (one instruction each, unlike NaN-propagating min/max) and
// the 1.5·2²³ trick for rounding (adding it leaves round(v) in the low mantissa bits, so 2ⁿ's exponent
// is an integer add away, with no float→int conversion).
//
// Code generation (read with `node --print-wasm-code` on Node 20 / V8 11): V8 neither hoists loop-invariant
// `v128.const`s nor folds them, and materialises each one with three instructions (64-bit immediate to a
// general register, movq, punpcklqdq). A kernel built from splatted constants spends more instructions
// on them than on arithmetic, so every polynomial coefficient here lives in a small table in linear
// memory and is read with `v128.load32_splat` (one vbroadcastss). The lane helpers are `@inline`: a call per
// four lanes (v128 arguments, the callee re-materialising its constants) cost GELU more than its math.
// P is evaluated by Estrin's scheme (depth 3 instead of Horner's 6), which matters because independent
// iterations overlap only as far as the out-of-order window reaches.

const LOG2E: f32 = 1.442695;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const X_MIN: f32 = -87.3;
const X_MAX: f32 = 88.7;
const ROUNDER: f32 = 12582912.0; // 1.5·2²³
const ROUNDER_BITS: i32 = 0x4b400000;

/** Scalar constants of the lane kernels, read by `Lanes.constant`. Indices are the K_* values below. */
const CONSTANTS = memory.data<f32>([
  X_MIN, X_MAX, LOG2E, ROUNDER, -LN2_HI, -LN2_LO,
  5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4,
  1, 0.5, 2, -1, 0,
], 16);
/** 127 − bits(1.5·2²³), the integer splat of the 2ⁿ step, kept in memory for the same reason. */
const EXPONENT_BIAS = memory.data<i32>([127 - ROUNDER_BITS], 16);
const K_X_MIN = 0, K_X_MAX = 1, K_LOG2E = 2, K_ROUNDER = 3, K_NEG_LN2_HI = 4, K_NEG_LN2_LO = 5, K_P0 = 6;
export const K_ONE = 12, K_HALF = 13, K_TWO = 14, K_MINUS_ONE = 15, K_ZERO = 16;

/**
 * Lane helpers that are always inlined (`@inline` is AssemblyScript's; it sits on static methods
 * because TypeScript tooling parses decorators only on class members). Hot loops call these.
 */
export class Lanes {
  /** The table constant `index` on four lanes (one broadcast load; see the note on code generation above). */
  @inline static constant(index: i32): v128 {
    return v128.load32_splat(CONSTANTS + (<usize>index << 2));
  }

  /**
   * A scalar constant on four lanes from a caller's own table (`memory.data<f32>([...])`): one load in
   * a loop body rather than a three-instruction `v128.const`.
   */
  @inline static tableConstant(table: usize, index: i32): v128 {
    return v128.load32_splat(table + (<usize>index << 2));
  }

  /**
   * acc + a·b per lane: fused in the relaxed-SIMD build (one rounding), multiply then add in the plain
   * one. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so only one branch is emitted.
   */
  @inline static madd(a: v128, b: v128, acc: v128): v128 {
    if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
    return f32x4.add(f32x4.mul(a, b), acc);
  }

  @inline static exp(x: v128): v128 {
    const lo = Lanes.constant(K_X_MIN);
    const underflow = f32x4.lt(x, lo);
    // pmax(x, lo) is x when x is NaN (x < lo is false), so NaN survives the clamp.
    const xc = f32x4.pmin(f32x4.pmax(x, lo), Lanes.constant(K_X_MAX));
    const rounder = Lanes.constant(K_ROUNDER);
    const j = Lanes.madd(xc, Lanes.constant(K_LOG2E), rounder);
    const n = f32x4.sub(j, rounder);
    const r = Lanes.madd(n, Lanes.constant(K_NEG_LN2_LO), Lanes.madd(n, Lanes.constant(K_NEG_LN2_HI), xc));
    // P(r) = (p0 + p1 r) + r²(p2 + p3 r) + r⁴(p4 + p5 r)
    const r2 = f32x4.mul(r, r);
    const a = Lanes.madd(Lanes.constant(K_P0 + 1), r, Lanes.constant(K_P0));
    const b = Lanes.madd(Lanes.constant(K_P0 + 3), r, Lanes.constant(K_P0 + 2));
    const c = Lanes.madd(Lanes.constant(K_P0 + 5), r, Lanes.constant(K_P0 + 4));
    const p = Lanes.madd(f32x4.mul(r2, r2), c, Lanes.madd(r2, b, a));
    const y = Lanes.madd(r2, p, f32x4.add(r, Lanes.constant(K_ONE)));
    const scale = i32x4.shl(i32x4.add(j, v128.load32_splat(EXPONENT_BIAS)), 23);
    return v128.andnot(f32x4.mul(y, scale), underflow);
  }
}

/** exp on four lanes (Lanes.exp), as a function for kernels that call it outside their hottest loops. */
export function exp4(x: v128): v128 {
  return Lanes.exp(x);
}

/** Scalar exp with the same formula, for row tails (so a row's lanes and tail agree). */
export function exp1(x: f32): f32 {
  return f32x4.extract_lane(Lanes.exp(f32x4.splat(x)), 0);
}

/** Sum of the four lanes. */
export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Largest of the four lanes. */
export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}
