// Row-wise RMSNorm (Zhang & Sennrich 2019) over contiguous float32 [rows, cols], forward and backward,
// with the formulas of the reference kernel (src/backend/reference/rmsnorm.ts):
//   rstd = 1/√(mean(x²) + ε), x̂ = x·rstd, y = x̂·w
//   ĝ = dy·w:  dx = rstd·(ĝ − x̂·mean(ĝ·x̂)),  dw += Σ_rows dy·x̂
// Pointers are byte offsets; w, dx and dw may be 0 (no scale / not wanted).
import { hsum } from "./exp";

export function rmsNormRows(out: usize, rstd: usize, x: usize, w: usize, rows: i32, cols: i32, eps: f32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = out + <usize>r * rowBytes;
    let s4 = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const v = v128.load(xr + (<usize>c << 2));
      s4 = f32x4.add(s4, f32x4.mul(v, v));
    }
    let s = hsum(s4);
    for (; c < cols; c++) {
      const v = load<f32>(xr + (<usize>c << 2));
      s += v * v;
    }
    const rs: f32 = <f32>1 / Mathf.sqrt(s / <f32>cols + eps);
    store<f32>(rstd + (<usize>r << 2), rs);
    const rs4 = f32x4.splat(rs);
    c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      let y = f32x4.mul(v128.load(xr + o), rs4);
      if (w != 0) y = f32x4.mul(y, v128.load(w + o));
      v128.store(yr + o, y);
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      let y = load<f32>(xr + o) * rs;
      if (w != 0) y *= load<f32>(w + o);
      store<f32>(yr + o, y);
    }
  }
}

export function rmsNormRowsBackward(dx: usize, dw: usize, dy: usize, x: usize, rstd: usize, w: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const gr = dy + <usize>r * rowBytes;
    const rs = load<f32>(rstd + (<usize>r << 2));
    const rs4 = f32x4.splat(rs);
    let sgx4 = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(v128.load(xr + o), rs4);
      const d = v128.load(gr + o);
      const g = w != 0 ? f32x4.mul(d, v128.load(w + o)) : d;
      sgx4 = f32x4.add(sgx4, f32x4.mul(g, xh));
      if (dw != 0) v128.store(dw + o, f32x4.add(v128.load(dw + o), f32x4.mul(d, xh)));
    }
    let sgx = hsum(sgx4);
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const xh = load<f32>(xr + o) * rs;
      const d = load<f32>(gr + o);
      const g = w != 0 ? d * load<f32>(w + o) : d;
      sgx += g * xh;
      if (dw != 0) store<f32>(dw + o, load<f32>(dw + o) + d * xh);
    }
    if (dx == 0) continue;
    const meanGX = sgx / <f32>cols;
    const mgx4 = f32x4.splat(meanGX);
    const xo = dx + <usize>r * rowBytes;
    c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(v128.load(xr + o), rs4);
      const d = v128.load(gr + o);
      const g = w != 0 ? f32x4.mul(d, v128.load(w + o)) : d;
      v128.store(xo + o, f32x4.mul(rs4, f32x4.sub(g, f32x4.mul(xh, mgx4))));
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const xh = load<f32>(xr + o) * rs;
      const d = load<f32>(gr + o);
      const g = w != 0 ? d * load<f32>(w + o) : d;
      store<f32>(xo + o, rs * (g - xh * meanGX));
    }
  }
}
