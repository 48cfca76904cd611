// Row-wise softmax / log-softmax and fused softmax cross-entropy over contiguous float32 rows; the
// formulas are those of the reference kernels (src/backend/reference/softmax.ts, crossentropy.ts):
//   softmax:      y = exp(x − max) / Σ exp(x − max);     dx = y ⊙ (dy − Σ dy⊙y)
//   log-softmax:  y = x − max − log Σ exp(x − max);     dx = dy − exp(y) · Σ dy
//   cross-entropy row n, target t:  lse = log Σ exp x,  nll = −w_t (x_t − lse),  smooth = −Σ_c w_c (x_c − lse)
//                 dx_c = gNll·w_t·(p_c − [c = t]) + gSmooth·(W·p_c − w_c),  p_c = exp(x_c − lse), W = Σ w
// Pointers are byte offsets of float32 data; weight = 0 means every class weight is 1.
// Inner loops call the inlined Lanes.exp and branch on log/weight outside the loop (exp.ts explains why).
import { Lanes, exp1, hmax, hsum } from "./exp";

function rowMax(x: usize, cols: i32): f32 {
  let m4 = f32x4.splat(-Infinity);
  let c = 0;
  for (; c + 4 <= cols; c += 4) m4 = f32x4.pmax(m4, v128.load(x + (<usize>c << 2)));
  let m = hmax(m4);
  for (; c < cols; c++) m = max(m, load<f32>(x + (<usize>c << 2)));
  return m;
}

/** Σ exp(x − m) over a row. */
function rowSumExp(x: usize, cols: i32, m: f32): f32 {
  const m4 = f32x4.splat(m);
  let s4 = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) s4 = f32x4.add(s4, Lanes.exp(f32x4.sub(v128.load(x + (<usize>c << 2)), m4)));
  let s = hsum(s4);
  for (; c < cols; c++) s += exp1(load<f32>(x + (<usize>c << 2)) - m);
  return s;
}

export function softmaxRows(out: usize, x: usize, rows: i32, cols: i32, log: bool): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = out + <usize>r * rowBytes;
    let m = rowMax(xr, cols);
    if (m == -Infinity) m = 0; // an all −∞ row gives NaN through 0/0, as in PyTorch
    const s = rowSumExp(xr, cols, m);
    let c = 0;
    if (log) {
      const lse4 = f32x4.splat(m + Mathf.log(s));
      for (; c + 4 <= cols; c += 4) v128.store(yr + (<usize>c << 2), f32x4.sub(v128.load(xr + (<usize>c << 2)), lse4));
      const lse = f32x4.extract_lane(lse4, 0);
      for (; c < cols; c++) store<f32>(yr + (<usize>c << 2), load<f32>(xr + (<usize>c << 2)) - lse);
    } else {
      const m4 = f32x4.splat(m);
      const inv4 = f32x4.splat(1 / s);
      for (; c + 4 <= cols; c += 4) {
        const o = <usize>c << 2;
        v128.store(yr + o, f32x4.mul(Lanes.exp(f32x4.sub(v128.load(xr + o), m4)), inv4));
      }
      for (; c < cols; c++) store<f32>(yr + (<usize>c << 2), exp1(load<f32>(xr + (<usize>c << 2)) - m) / s);
    }
  }
}

export function softmaxRowsBackward(dx: usize, dy: usize, y: usize, rows: i32, cols: i32, log: bool): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    let s4 = f32x4.splat(0);
    let c = 0;
    if (log) {
      for (; c + 4 <= cols; c += 4) s4 = f32x4.add(s4, v128.load(dy + off + (<usize>c << 2)));
    } else {
      for (; c + 4 <= cols; c += 4) {
        const o = off + (<usize>c << 2);
        s4 = Lanes.madd(v128.load(dy + o), v128.load(y + o), s4);
      }
    }
    let s = hsum(s4);
    for (; c < cols; c++) {
      const o = off + (<usize>c << 2);
      s += log ? load<f32>(dy + o) : load<f32>(dy + o) * load<f32>(y + o);
    }
    s4 = f32x4.splat(s);
    c = 0;
    if (log) {
      for (; c + 4 <= cols; c += 4) {
        const o = off + (<usize>c << 2);
        v128.store(dx + o, f32x4.sub(v128.load(dy + o), f32x4.mul(Lanes.exp(v128.load(y + o)), s4)));
      }
    } else {
      for (; c + 4 <= cols; c += 4) {
        const o = off + (<usize>c << 2);
        const yv = v128.load(y + o);
        v128.store(dx + o, f32x4.mul(yv, f32x4.sub(v128.load(dy + o), s4)));
      }
    }
    for (; c < cols; c++) {
      const o = off + (<usize>c << 2);
      const g = load<f32>(dy + o);
      const yv = load<f32>(y + o);
      store<f32>(dx + o, log ? g - exp1(yv) * s : yv * (g - s));
    }
  }
}

/** Writes lse, nll and smooth (float32, one per row; 0 for ignored rows). targets: i32 per row. */
export function crossEntropyRows(
  lse: usize, nll: usize, smooth: usize, logits: usize, targets: usize, weight: usize,
  rows: i32, classes: i32, ignoreIndex: i32,
): void {
  const rowBytes = <usize>classes << 2;
  let wSum: f32 = <f32>classes;
  if (weight != 0) wSum = weightSum(weight, classes);
  for (let n = 0; n < rows; n++) {
    const t = load<i32>(targets + (<usize>n << 2));
    const o = <usize>n << 2;
    if (t == ignoreIndex) {
      store<f32>(lse + o, 0);
      store<f32>(nll + o, 0);
      store<f32>(smooth + o, 0);
      continue;
    }
    const xr = logits + <usize>n * rowBytes;
    const m = rowMax(xr, classes);
    const l = m + Mathf.log(rowSumExp(xr, classes, m));
    // Σ_c w_c·x_c, so smooth = lse·W − Σ w_c x_c without a second pass.
    let d4 = f32x4.splat(0);
    let c = 0;
    if (weight == 0) {
      for (; c + 4 <= classes; c += 4) d4 = f32x4.add(d4, v128.load(xr + (<usize>c << 2)));
    } else {
      for (; c + 4 <= classes; c += 4) {
        const oc = <usize>c << 2;
        d4 = f32x4.add(d4, f32x4.mul(v128.load(weight + oc), v128.load(xr + oc)));
      }
    }
    let dot = hsum(d4);
    for (; c < classes; c++) {
      const oc = <usize>c << 2;
      dot += (weight == 0 ? 1 : load<f32>(weight + oc)) * load<f32>(xr + oc);
    }
    const wt: f32 = weight == 0 ? 1 : load<f32>(weight + (<usize>t << 2));
    store<f32>(lse + o, l);
    store<f32>(nll + o, -wt * (load<f32>(xr + (<usize>t << 2)) - l));
    store<f32>(smooth + o, l * wSum - dot);
  }
}

export function crossEntropyRowsBackward(
  dlogits: usize, logits: usize, targets: usize, weight: usize, lse: usize, gNll: usize, gSmooth: usize,
  rows: i32, classes: i32, ignoreIndex: i32,
): void {
  const rowBytes = <usize>classes << 2;
  let wSum: f32 = <f32>classes;
  if (weight != 0) wSum = weightSum(weight, classes);
  for (let n = 0; n < rows; n++) {
    const o = <usize>n << 2;
    const t = load<i32>(targets + o);
    const xr = logits + <usize>n * rowBytes;
    const dr = dlogits + <usize>n * rowBytes;
    if (t == ignoreIndex) {
      memory.fill(dr, 0, rowBytes);
      continue;
    }
    const a = load<f32>(gNll + o) * (weight == 0 ? 1 : load<f32>(weight + (<usize>t << 2)));
    const b = load<f32>(gSmooth + o);
    const l = load<f32>(lse + o);
    // dx_c = (a + b·W)·p_c − b·w_c, then −a at the target.
    const coef = a + b * wSum;
    const coef4 = f32x4.splat(coef);
    const b4 = f32x4.splat(b);
    const l4 = f32x4.splat(l);
    let c = 0;
    if (weight == 0) {
      for (; c + 4 <= classes; c += 4) {
        const oc = <usize>c << 2;
        v128.store(dr + oc, f32x4.sub(f32x4.mul(coef4, Lanes.exp(f32x4.sub(v128.load(xr + oc), l4))), b4));
      }
    } else {
      for (; c + 4 <= classes; c += 4) {
        const oc = <usize>c << 2;
        const p = Lanes.exp(f32x4.sub(v128.load(xr + oc), l4));
        v128.store(dr + oc, f32x4.sub(f32x4.mul(coef4, p), f32x4.mul(b4, v128.load(weight + oc))));
      }
    }
    for (; c < classes; c++) {
      const oc = <usize>c << 2;
      const wc: f32 = weight == 0 ? 1 : load<f32>(weight + oc);
      store<f32>(dr + oc, coef * exp1(load<f32>(xr + oc) - l) - b * wc);
    }
    const ot = dr + (<usize>t << 2);
    store<f32>(ot, load<f32>(ot) - a);
  }
}

function weightSum(weight: usize, classes: i32): f32 {
  let s: f32 = 0;
  for (let c = 0; c < classes; c++) s += load<f32>(weight + (<usize>c << 2));
  return s;
}
