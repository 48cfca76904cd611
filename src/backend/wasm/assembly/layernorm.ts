// Row-wise LayerNorm over contiguous float32 [rows, cols], forward and backward, with the formulas of
// the reference kernel (src/backend/reference/layernorm.ts):
//   μ = mean(x), σ² = mean((x − μ)²) (biased), rstd = 1/√(σ² + ε), x̂ = (x − μ)·rstd, y = x̂·w + b
//   ĝ = dy·w:  dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  dw += Σ_rows dy·x̂,  db += Σ_rows dy
// Pointers are byte offsets; w, b, dx, dw, db may be 0 (no scale / no shift / not wanted).
import { hsum } from "./exp";

export function layerNormRows(
  out: usize, mean: usize, rstd: usize, x: usize, w: usize, b: usize, rows: i32, cols: i32, eps: f32,
): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = out + <usize>r * rowBytes;
    let s4 = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) s4 = f32x4.add(s4, v128.load(xr + (<usize>c << 2)));
    let s = hsum(s4);
    for (; c < cols; c++) s += load<f32>(xr + (<usize>c << 2));
    const m = s / <f32>cols;
    const m4 = f32x4.splat(m);
    let v4 = f32x4.splat(0);
    c = 0;
    for (; c + 4 <= cols; c += 4) {
      const d = f32x4.sub(v128.load(xr + (<usize>c << 2)), m4);
      v4 = f32x4.add(v4, f32x4.mul(d, d));
    }
    let v = hsum(v4);
    for (; c < cols; c++) {
      const d = load<f32>(xr + (<usize>c << 2)) - m;
      v += d * d;
    }
    const rs: f32 = <f32>1 / Mathf.sqrt(v / <f32>cols + eps);
    store<f32>(mean + (<usize>r << 2), m);
    store<f32>(rstd + (<usize>r << 2), rs);
    const rs4 = f32x4.splat(rs);
    c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      let y = f32x4.mul(f32x4.sub(v128.load(xr + o), m4), rs4);
      if (w != 0) y = f32x4.mul(y, v128.load(w + o));
      if (b != 0) y = f32x4.add(y, v128.load(b + o));
      v128.store(yr + o, y);
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      let y = (load<f32>(xr + o) - m) * rs;
      if (w != 0) y *= load<f32>(w + o);
      if (b != 0) y += load<f32>(b + o);
      store<f32>(yr + o, y);
    }
  }
}

export function layerNormRowsBackward(
  dx: usize, dw: usize, db: usize, dy: usize, x: usize, mean: usize, rstd: usize, w: usize, rows: i32, cols: i32,
): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const gr = dy + <usize>r * rowBytes;
    const m4 = f32x4.splat(load<f32>(mean + (<usize>r << 2)));
    const rs = load<f32>(rstd + (<usize>r << 2));
    const rs4 = f32x4.splat(rs);
    let sg4 = f32x4.splat(0);
    let sgx4 = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), m4), rs4);
      const d = v128.load(gr + o);
      const g = w != 0 ? f32x4.mul(d, v128.load(w + o)) : d;
      sg4 = f32x4.add(sg4, g);
      sgx4 = f32x4.add(sgx4, f32x4.mul(g, xh));
      if (dw != 0) v128.store(dw + o, f32x4.add(v128.load(dw + o), f32x4.mul(d, xh)));
      if (db != 0) v128.store(db + o, f32x4.add(v128.load(db + o), d));
    }
    let sg = hsum(sg4);
    let sgx = hsum(sgx4);
    const m = f32x4.extract_lane(m4, 0);
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const xh = (load<f32>(xr + o) - m) * rs;
      const d = load<f32>(gr + o);
      const g = w != 0 ? d * load<f32>(w + o) : d;
      sg += g;
      sgx += g * xh;
      if (dw != 0) store<f32>(dw + o, load<f32>(dw + o) + d * xh);
      if (db != 0) store<f32>(db + o, load<f32>(db + o) + d);
    }
    if (dx == 0) continue;
    const meanG = sg / <f32>cols;
    const meanGX = sgx / <f32>cols;
    const mg4 = f32x4.splat(meanG);
    const mgx4 = f32x4.splat(meanGX);
    const xo = dx + <usize>r * rowBytes;
    c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), m4), rs4);
      const d = v128.load(gr + o);
      const g = w != 0 ? f32x4.mul(d, v128.load(w + o)) : d;
      v128.store(xo + o, f32x4.mul(rs4, f32x4.sub(f32x4.sub(g, mg4), f32x4.mul(xh, mgx4))));
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const xh = (load<f32>(xr + o) - m) * rs;
      const d = load<f32>(gr + o);
      const g = w != 0 ? d * load<f32>(w + o) : d;
      store<f32>(xo + o, rs * (g - meanG - xh * meanGX));
    }
  }
}
