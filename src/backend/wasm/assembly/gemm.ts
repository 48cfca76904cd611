// Packed, register-blocked single-precision matrix product (the BLIS/GotoBLAS loop nest):
//
//   for jc in n by NC:                      B block  [KC × NC]  → packed once per (jc, pc), L2/L3
//     for pc in k by KC:
//       pack B[pc:pc+KC, jc:jc+NC] into NR-wide column panels (zero-padded)
//       for ic in rows by MC:                A block  [MC × KC]  → packed, stays in L2
//         pack A[ic:ic+MC, pc:pc+KC] into MR-tall row panels (zero-padded)
//         for jr in NC by NR:                one B micro-panel [KC × NR] stays in L1
//           for ir in MC by MR:  C[MR × NR] (+)= Ap[ir] · Bp[jr]   (micro-kernel, 12 accumulators)
//
// Packing absorbs the transposes: every layout reaches the same micro-kernel through the same packed
// format, so no layout has a slow path. MR = 6, NR = 8 is the largest tile whose 12 v128 accumulators,
// 2 B vectors and 1 A broadcast fit in the 16 SIMD registers of x86-64 without spilling.

export const MR: i32 = 6;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 72;
export const NC: i32 = 1024;

/** Bytes of per-thread scratch that `gemm` needs: packed A, packed B and one edge tile. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

/**
 * C[row0:row1, :] (+)= op(A) · op(B) for one matrix of a batch, all operands in linear memory.
 * A is [m, k] (or [k, m] when transA), B is [k, n] (or [n, k] when transB), C is [m, n], row-major.
 * `scratch` points at gemmScratchBytes() bytes owned by the calling thread.
 */
export function gemm(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, row0: i32, row1: i32,
  transA: bool, transB: bool, accumulate: bool, scratch: usize,
): void {
  const ap = scratch;
  const bp = ap + <usize>(MC * KC * 4);
  const tile = bp + <usize>(KC * NC * 4);
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const ldcBytes = <usize>n << 2;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      if (transB) packBT(b, ldb, pc, kc, jc, nc, bp);
      else packBN(b, ldb, pc, kc, jc, nc, bp);
      const overwrite = pc == 0 && !accumulate;
      for (let ic = row0; ic < row1; ic += MC) {
        const mc = min(MC, row1 - ic);
        if (transA) packAT(a, lda, ic, mc, pc, kc, ap);
        else packAN(a, lda, ic, mc, pc, kc, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bPanel = bp + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const aPanel = ap + (<usize>(ir * kc) << 2);
            const cTile = c + ((<usize>(ic + ir) * <usize>n + <usize>(jc + jr)) << 2);
            if (mr == MR && nr == NR) {
              kernel6x8(kc, aPanel, bPanel, cTile, ldcBytes, overwrite);
            } else {
              kernel6x8(kc, aPanel, bPanel, tile, NR * 4, true);
              storeEdge(tile, cTile, ldcBytes, mr, nr, overwrite);
            }
          }
        }
      }
    }
  }
}

/**
 * Rows flat0 .. flat1 of a batch of products, counting rows across the batch (flat row f is row f % m of
 * product f / m), so a thread's share may start and end inside any product. strideA and strideB are in
 * bytes (0 broadcasts one matrix to every product); C is contiguous [batch, m, n].
 */
export function gemmBatched(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, accumulate: bool,
  strideA: usize, strideB: usize, flat0: i32, flat1: i32, scratch: usize,
): void {
  let f = flat0;
  while (f < flat1) {
    const bi = f / m;
    const row0 = f - bi * m;
    const row1 = min(m, flat1 - bi * m);
    const cOff = (<usize>bi * <usize>m * <usize>n) << 2;
    gemm(a + <usize>bi * strideA, b + <usize>bi * strideB, c + cOff, m, n, k, row0, row1, transA, transB, accumulate, scratch);
    f = bi * m + row1;
  }
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

/** Copies the valid mr × nr corner of a full 6×8 tile into C (adding unless `overwrite`). */
function storeEdge(tile: usize, c: usize, ldc: usize, mr: i32, nr: i32, overwrite: bool): void {
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

// ---- packing ------------------------------------------------------------------------------------
// Packed A: panel q (rows ic+6q .. ic+6q+5) holds kc steps of 6 floats, Ap[q][p][r] = op(A)[ic+6q+r, pc+p].
// Packed B: panel q (cols jc+8q .. jc+8q+7) holds kc steps of 8 floats, Bp[q][p][j] = op(B)[pc+p, jc+8q+j].
// Rows/columns past the matrix edge are packed as zeros so the micro-kernel never branches.

/** A stored [m, k] (lda = k): each panel is a 6 × kc block transposed, 4 steps at a time with shuffles. */
function packAN(a: usize, lda: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const rowBytes = <usize>lda << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const src = a + ((<usize>(ic + ir) * <usize>lda + <usize>pc) << 2);
    let d = dst + (<usize>(ir * kc) << 2);
    if (mr == MR) {
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s = src + (<usize>p << 2);
        const v0 = v128.load(s);
        const v1 = v128.load(s + rowBytes);
        const v2 = v128.load(s + 2 * rowBytes);
        const v3 = v128.load(s + 3 * rowBytes);
        const v4 = v128.load(s + 4 * rowBytes);
        const v5 = v128.load(s + 5 * rowBytes);
        const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        const t4 = v128.shuffle<f32>(v4, v5, 0, 4, 1, 5);
        const t5 = v128.shuffle<f32>(v4, v5, 2, 6, 3, 7);
        v128.store(d, v128.shuffle<i64>(t0, t2, 0, 2));
        v128.store64_lane(d, t4, 0, 16);
        v128.store(d, v128.shuffle<i64>(t0, t2, 1, 3), 24);
        v128.store64_lane(d, t4, 1, 40);
        v128.store(d, v128.shuffle<i64>(t1, t3, 0, 2), 48);
        v128.store64_lane(d, t5, 0, 64);
        v128.store(d, v128.shuffle<i64>(t1, t3, 1, 3), 72);
        v128.store64_lane(d, t5, 1, 88);
        d += 96;
      }
      for (; p < kc; p++) {
        const s = src + (<usize>p << 2);
        for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + <usize>r * rowBytes));
        d += 24;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = src + (<usize>p << 2);
        for (let r = 0; r < MR; r++) {
          store<f32>(d + (<usize>r << 2), r < mr ? load<f32>(s + <usize>r * rowBytes) : 0);
        }
        d += 24;
      }
    }
  }
}

/** A stored [k, m] (lda = m): the 6 rows of op(A) at step p are 6 contiguous floats of stored row p. */
function packAT(a: usize, lda: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const rowBytes = <usize>lda << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    let s = a + ((<usize>pc * <usize>lda + <usize>(ic + ir)) << 2);
    let d = dst + (<usize>(ir * kc) << 2);
    if (mr == MR) {
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s));
        store<u64>(d, load<u64>(s, 16), 16);
        s += rowBytes;
        d += 24;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < mr ? load<f32>(s + (<usize>r << 2)) : 0);
        s += rowBytes;
        d += 24;
      }
    }
  }
}

/** B stored [k, n] (ldb = n): the 8 columns at step p are 8 contiguous floats of stored row p. */
function packBN(b: usize, ldb: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const rowBytes = <usize>ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let s = b + ((<usize>pc * <usize>ldb + <usize>(jc + jr)) << 2);
    let d = dst + (<usize>(jr * kc) << 2);
    if (nr == NR) {
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += rowBytes;
        d += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), j < nr ? load<f32>(s + (<usize>j << 2)) : 0);
        s += rowBytes;
        d += 32;
      }
    }
  }
}

/** B stored [n, k] (ldb = k): each panel is an 8 × kc block transposed as two 4 × 4 shuffles per 4 steps. */
function packBT(b: usize, ldb: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const rowBytes = <usize>ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const src = b + ((<usize>(jc + jr) * <usize>ldb + <usize>pc) << 2);
    let d = dst + (<usize>(jr * kc) << 2);
    if (nr == NR) {
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s = src + (<usize>p << 2);
        transpose4(s, rowBytes, d);
        transpose4(s + 4 * rowBytes, rowBytes, d + 16);
        d += 128;
      }
      for (; p < kc; p++) {
        const s = src + (<usize>p << 2);
        for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + <usize>j * rowBytes));
        d += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = src + (<usize>p << 2);
        for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), j < nr ? load<f32>(s + <usize>j * rowBytes) : 0);
        d += 32;
      }
    }
  }
}

/** Reads 4 rows × 4 floats at s (row pitch `pitch` bytes) and writes the 4 columns at d, d+32, d+64, d+96. */
function transpose4(s: usize, pitch: usize, d: usize): void {
  const v0 = v128.load(s);
  const v1 = v128.load(s + pitch);
  const v2 = v128.load(s + 2 * pitch);
  const v3 = v128.load(s + 3 * pitch);
  const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<i64>(t0, t2, 0, 2));
  v128.store(d, v128.shuffle<i64>(t0, t2, 1, 3), 32);
  v128.store(d, v128.shuffle<i64>(t1, t3, 0, 2), 64);
  v128.store(d, v128.shuffle<i64>(t1, t3, 1, 3), 96);
}
