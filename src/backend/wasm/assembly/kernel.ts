// The register-blocked micro-kernel: one MR × 8 tile of C from packed panels of A and B.
// With fused multiply-add (relaxed build), MR = 6: 12 v128 accumulators, 2 B vectors and 1 A broadcast
// fill the 15 SIMD registers V8 allocates on x86-64 (larger tiles spill and measured 25–33 GFLOPS).
// Plain SIMD needs one more register for the product before the add, so its build uses MR = 5
// (measured on Zen 4: 6 × 8 spills and runs at ~29 GFLOPS, 5 × 8 at ~44, 4 × 8 at ~37).

export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
export const NR: i32 = 8;

/** The micro-kernel of this build (see MR). */
export function kernel(kc: i32, a: usize, b: usize, c: usize, ldc: usize, overwrite: bool): void {
  if (MR == 6) kernel6x8(kc, a, b, c, ldc, overwrite);
  else kernel5x8(kc, a, b, c, ldc, overwrite);
}

/**
 * acc + a·b per lane. The relaxed build uses `f32x4.relaxed_madd`, which V8 lowers to a fused
 * multiply-add where the CPU has one (one rounding instead of two); the plain-SIMD build multiplies
 * then adds. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so only one branch is emitted, and
 * Binaryen inlines the call.
 */
function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/**
 * C[6×8] (+)= Σ_p Ap[p, 0:6]ᵀ · Bp[p, 0:8]: 12 accumulators, one A broadcast and two B loads per step.
 * The accumulators start from C (or zero) rather than adding C after the loop: with the loads after
 * the loop, V8's register allocator spills inside the loop and the kernel runs at half speed.
 */
function kernel6x8(kc: i32, a: usize, b: usize, c: usize, ldc: usize, overwrite: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128;
  let c30: v128, c31: v128, c40: v128, c41: v128, c50: v128, c51: v128;
  if (overwrite) {
    c00 = f32x4.splat(0); c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00;
    c30 = c00; c31 = c00; c40 = c00; c41 = c00; c50 = c00; c51 = c00;
  } else {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
    c40 = v128.load(c + 4 * ldc); c41 = v128.load(c + 4 * ldc, 16);
    c50 = v128.load(c + 5 * ldc); c51 = v128.load(c + 5 * ldc, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    x = v128.load32_splat(a, 16);
    c40 = madd(x, b0, c40); c41 = madd(x, b1, c41);
    x = v128.load32_splat(a, 20);
    c50 = madd(x, b0, c50); c51 = madd(x, b1, c51);
    a += 24;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  c += ldc; v128.store(c, c10); v128.store(c, c11, 16);
  c += ldc; v128.store(c, c20); v128.store(c, c21, 16);
  c += ldc; v128.store(c, c30); v128.store(c, c31, 16);
  c += ldc; v128.store(c, c40); v128.store(c, c41, 16);
  c += ldc; v128.store(c, c50); v128.store(c, c51, 16);
}

/** C[5×8] (+)= Σ_p Ap[p, 0:5]ᵀ · Bp[p, 0:8], as kernel6x8 with one row fewer. */
function kernel5x8(kc: i32, a: usize, b: usize, c: usize, ldc: usize, overwrite: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128;
  let c30: v128, c31: v128, c40: v128, c41: v128;
  if (overwrite) {
    c00 = f32x4.splat(0); c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00;
    c30 = c00; c31 = c00; c40 = c00; c41 = c00;
  } else {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
    c40 = v128.load(c + 4 * ldc); c41 = v128.load(c + 4 * ldc, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    x = v128.load32_splat(a, 16);
    c40 = madd(x, b0, c40); c41 = madd(x, b1, c41);
    a += 20;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  c += ldc; v128.store(c, c10); v128.store(c, c11, 16);
  c += ldc; v128.store(c, c20); v128.store(c, c21, 16);
  c += ldc; v128.store(c, c30); v128.store(c, c31, 16);
  c += ldc; v128.store(c, c40); v128.store(c, c41, 16);
}

/**
 * C[rows × 8] (+)= Σ_p Ap[p, 0:rows]ᵀ · Bp[p, 0:8] for 3 ≤ rows ≤ 4, reading a full-height (MR-float)
 * packed A panel: the short last row panel of a block. Eight accumulators are enough to keep both FMA
 * pipes busy (latency 4), so the rows it computes run at the full kernel's rate instead of paying for
 * MR − rows rows of zeros; only the valid rows of C are read and written, so no edge tile is needed.
 */
function kernel4x8(kc: i32, a: usize, b: usize, c: usize, ldc: usize, overwrite: bool, rows: i32): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  c00 = f32x4.splat(0); c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00; c31 = c00;
  if (!overwrite) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    if (rows > 3) { c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16); }
  }
  const aStep = <usize>MR << 2;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    a += aStep;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  c += ldc; v128.store(c, c10); v128.store(c, c11, 16);
  c += ldc; v128.store(c, c20); v128.store(c, c21, 16);
  if (rows > 3) { c += ldc; v128.store(c, c30); v128.store(c, c31, 16); }
}

/**
 * C[rows × 8] (+)= Σ_p Ap[p, 0:rows]ᵀ · Bp[p, 0:8] for 1 ≤ rows ≤ 2 (see kernel4x8). Even and odd
 * steps go to separate accumulators, so eight independent FMA chains hide the latency as in kernel4x8.
 */
function kernel2x8(kc: i32, a: usize, b: usize, c: usize, ldc: usize, overwrite: bool, rows: i32): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, d00: v128, d01: v128, d10: v128, d11: v128;
  c00 = f32x4.splat(0); c01 = c00; c10 = c00; c11 = c00; d00 = c00; d01 = c00; d10 = c00; d11 = c00;
  if (!overwrite) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    if (rows > 1) { c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16); }
  }
  const aStep = <usize>MR << 2;
  let p = 0;
  for (; p + 2 <= kc; p += 2) {
    let b0 = v128.load(b);
    let b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    b0 = v128.load(b, 32);
    b1 = v128.load(b, 48);
    x = v128.load32_splat(a + aStep);
    d00 = madd(x, b0, d00); d01 = madd(x, b1, d01);
    x = v128.load32_splat(a + aStep, 4);
    d10 = madd(x, b0, d10); d11 = madd(x, b1, d11);
    a += 2 * aStep;
    b += 64;
  }
  if (p < kc) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
  }
  v128.store(c, f32x4.add(c00, d00)); v128.store(c, f32x4.add(c01, d01), 16);
  if (rows > 1) { c += ldc; v128.store(c, f32x4.add(c10, d10)); v128.store(c, f32x4.add(c11, d11), 16); }
}

/**
 * The last, short row panel of a block (mr < MR rows valid, all NR columns) straight into C: the
 * 4- or 2-row kernel where it covers mr, else the full kernel into an edge tile.
 */
export function kernelRows(kc: i32, a: usize, b: usize, c: usize, ldc: usize, overwrite: bool, mr: i32, tile: usize): void {
  if (mr <= 2) kernel2x8(kc, a, b, c, ldc, overwrite, mr);
  else if (mr <= 4) kernel4x8(kc, a, b, c, ldc, overwrite, mr);
  else {
    kernel(kc, a, b, tile, NR * 4, true);
    storeEdge(tile, c, ldc, mr, NR, overwrite);
  }
}

/** Copies the valid mr × nr corner of a full MR × 8 tile into C (adding unless `overwrite`). */
export function storeEdge(tile: usize, c: usize, ldc: usize, mr: i32, nr: i32, overwrite: bool): void {
  for (let i = 0; i < mr; i++) {
    const src = tile + (<usize>(i * NR) << 2);
    const dst = c + <usize>i * ldc;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(src + o);
      store<f32>(dst + o, overwrite ? v : load<f32>(dst + o) + v);
    }
  }
}

