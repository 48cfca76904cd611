// GELU over contiguous float32, forward and backward, with the formulas of the reference kernel
// (src/backend/reference/gelu.ts):
//   exact:  y = x·Φ(x), Φ(x) = ½(1 + erf(x/√2));  y' = Φ(x) + x·e^(−x²/2)/√(2π)
//   tanh:   y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³);
//           y' = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)
// tanh u = 1 − 2/(e^(2u) + 1) (exact at both saturations since exp4 gives 0 and a huge finite value);
// erf by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5·10⁻⁷, about one float32 ulp of Φ).
import { exp4 } from "./exp";

const SQRT_2_OVER_PI: f32 = 0.7978846;
const INV_SQRT_2: f32 = 0.70710677;
const INV_SQRT_2PI: f32 = 0.3989423;
const K: f32 = 0.044715;

function tanh4(u: v128): v128 {
  const e = exp4(f32x4.add(u, u));
  return f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
}

function erf4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(0.3275911), ax)));
  let p = f32x4.splat(1.061405429);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.453152027));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.421413741));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.284496736));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.254829592));
  p = f32x4.mul(p, t);
  const y = f32x4.sub(f32x4.splat(1), f32x4.mul(p, exp4(f32x4.neg(f32x4.mul(ax, ax)))));
  return v128.or(y, v128.and(x, i32x4.splat(0x80000000))); // erf is odd; y ≥ 0
}

function gelu4(x: v128, tanhApprox: bool): v128 {
  const half = f32x4.splat(0.5);
  if (tanhApprox) {
    const u = f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), f32x4.add(x, f32x4.mul(f32x4.splat(K), f32x4.mul(x, f32x4.mul(x, x)))));
    return f32x4.mul(f32x4.mul(half, x), f32x4.add(f32x4.splat(1), tanh4(u)));
  }
  return f32x4.mul(f32x4.mul(half, x), f32x4.add(f32x4.splat(1), erf4(f32x4.mul(x, f32x4.splat(INV_SQRT_2)))));
}

function geluGrad4(x: v128, tanhApprox: bool): v128 {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  const x2 = f32x4.mul(x, x);
  if (tanhApprox) {
    const u = f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), f32x4.add(x, f32x4.mul(f32x4.splat(K), f32x4.mul(x, x2))));
    const t = tanh4(u);
    const du = f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), f32x4.add(one, f32x4.mul(f32x4.splat(3 * K), x2)));
    const left = f32x4.mul(half, f32x4.add(one, t));
    return f32x4.add(left, f32x4.mul(f32x4.mul(f32x4.mul(half, x), f32x4.sub(one, f32x4.mul(t, t))), du));
  }
  const phiCdf = f32x4.mul(half, f32x4.add(one, erf4(f32x4.mul(x, f32x4.splat(INV_SQRT_2)))));
  const pdf = f32x4.mul(f32x4.splat(INV_SQRT_2PI), exp4(f32x4.mul(f32x4.splat(-0.5), x2)));
  return f32x4.add(phiCdf, f32x4.mul(x, pdf));
}

/** out[i] = gelu(x[i]) for i < n. */
export function geluRows(out: usize, x: usize, n: i32, tanhApprox: bool): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, gelu4(v128.load(x + o), tanhApprox));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(gelu4(f32x4.splat(load<f32>(x + o)), tanhApprox), 0));
  }
}

/** dx[i] = dy[i]·gelu'(x[i]) for i < n. */
export function geluRowsBackward(dx: usize, dy: usize, x: usize, n: i32, tanhApprox: bool): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), geluGrad4(v128.load(x + o), tanhApprox)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(dy + o) * f32x4.extract_lane(geluGrad4(f32x4.splat(load<f32>(x + o)), tanhApprox), 0));
  }
}
