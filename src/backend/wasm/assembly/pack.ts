// Packing: copies blocks of A and B into the panel order the micro-kernel reads, absorbing transposes.
import { MR, NR } from "./kernel";

// Packed A: panel q (rows ic+MR·q ..) holds kc steps of MR floats, Ap[q][p][r] = op(A)[ic+MR·q+r, pc+p].
// Packed B: panel q (cols jc+8q .. jc+8q+7) holds kc steps of 8 floats, Bp[q][p][j] = op(B)[pc+p, jc+8q+j].
// Rows/columns past the matrix edge are packed as zeros so the micro-kernel never branches.

/** A stored [m, k] (lda = k): each panel is an MR × kc block transposed, 4 steps at a time with shuffles. */
export function packAN(a: usize, lda: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
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
        const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        const step = <usize>MR << 2;
        // Rows 0–3 of steps p .. p+3 (a 4 × 4 transpose), then rows 4 (and 5) of each step.
        v128.store(d, v128.shuffle<i64>(t0, t2, 0, 2));
        v128.store(d + step, v128.shuffle<i64>(t0, t2, 1, 3));
        v128.store(d + 2 * step, v128.shuffle<i64>(t1, t3, 0, 2));
        v128.store(d + 3 * step, v128.shuffle<i64>(t1, t3, 1, 3));
        if (MR == 6) {
          const v5 = v128.load(s + 5 * rowBytes);
          const t4 = v128.shuffle<f32>(v4, v5, 0, 4, 1, 5);
          const t5 = v128.shuffle<f32>(v4, v5, 2, 6, 3, 7);
          v128.store64_lane(d, t4, 0, 16);
          v128.store64_lane(d + step, t4, 1, 16);
          v128.store64_lane(d + 2 * step, t5, 0, 16);
          v128.store64_lane(d + 3 * step, t5, 1, 16);
        } else {
          v128.store32_lane(d, v4, 0, 16);
          v128.store32_lane(d + step, v4, 1, 16);
          v128.store32_lane(d + 2 * step, v4, 2, 16);
          v128.store32_lane(d + 3 * step, v4, 3, 16);
        }
        d += 4 * step;
      }
      for (; p < kc; p++) {
        const s = src + (<usize>p << 2);
        for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + <usize>r * rowBytes));
        d += <usize>MR << 2;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = src + (<usize>p << 2);
        for (let r = 0; r < MR; r++) {
          store<f32>(d + (<usize>r << 2), r < mr ? load<f32>(s + <usize>r * rowBytes) : 0);
        }
        d += <usize>MR << 2;
      }
    }
  }
}

/**
 * A stored [k, m] (lda = m): the MR rows of op(A) at step p are MR contiguous floats of stored row p.
 * Two panels are filled per pass (2·MR floats of each stored row), as in packBN: with one panel per
 * pass, a power-of-two pitch maps all kc rows to a few L1 sets and each line is fetched again per panel.
 */
export function packAT(a: usize, lda: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const rowBytes = <usize>lda << 2;
  const step = <usize>MR << 2;
  const panelBytes = <usize>kc * step;
  let ir = 0;
  if (MR == 6) {
    for (; ir + 4 * MR <= mc; ir += 4 * MR) {
      let s = a + ((<usize>pc * <usize>lda + <usize>(ic + ir)) << 2);
      let d = dst + (<usize>(ir * kc) << 2);
      for (let p = 0; p < kc; p++) {
        const v0 = v128.load(s);
        const v1 = v128.load(s, 16);
        const v2 = v128.load(s, 32);
        const v3 = v128.load(s, 48);
        const v4 = v128.load(s, 64);
        const v5 = v128.load(s, 80);
        v128.store(d, v0);
        v128.store64_lane(d, v1, 0, 16);
        v128.store64_lane(d + panelBytes, v1, 1);
        v128.store(d + panelBytes, v2, 8);
        v128.store(d + 2 * panelBytes, v3);
        v128.store64_lane(d + 2 * panelBytes, v4, 0, 16);
        v128.store64_lane(d + 3 * panelBytes, v4, 1);
        v128.store(d + 3 * panelBytes, v5, 8);
        s += rowBytes;
        d += step;
      }
    }
  }
  for (; ir + 2 * MR <= mc; ir += 2 * MR) {
    let s = a + ((<usize>pc * <usize>lda + <usize>(ic + ir)) << 2);
    let d = dst + (<usize>(ir * kc) << 2);
    for (let p = 0; p < kc; p++) {
      // 2·MR floats: v0 v1 (and the 64-bit tails) cover both panels' rows for this step.
      if (MR == 6) {
        const v0 = v128.load(s);
        const v1 = v128.load(s, 16);
        const v2 = v128.load(s, 32);
        v128.store(d, v0);
        v128.store64_lane(d, v1, 0, 16);
        v128.store64_lane(d + panelBytes, v1, 1);
        v128.store(d + panelBytes, v2, 8);
      } else {
        v128.store(d, v128.load(s));
        store<f32>(d, load<f32>(s, 16), 16);
        v128.store(d + panelBytes, v128.load(s, 20));
        store<f32>(d + panelBytes, load<f32>(s, 36), 16);
      }
      s += rowBytes;
      d += step;
    }
  }
  for (; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    let s = a + ((<usize>pc * <usize>lda + <usize>(ic + ir)) << 2);
    let d = dst + (<usize>(ir * kc) << 2);
    if (mr == MR) {
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s));
        store<u64>(d, load<u64>(s, 16), 16);
        s += rowBytes;
        d += <usize>MR << 2;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < mr ? load<f32>(s + (<usize>r << 2)) : 0);
        s += rowBytes;
        d += <usize>MR << 2;
      }
    }
  }
}

/**
 * B stored [k, n] (ldb = n): the 8 columns at step p are 8 contiguous floats of stored row p. Two panels
 * are filled per pass, so each 64-byte line of B is read once, whole: one panel per pass would read each
 * line twice, 2·kc rows apart, and with a power-of-two row pitch the lines in between evict it from L1.
 */
export function packBN(b: usize, ldb: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const rowBytes = <usize>ldb << 2;
  const panelBytes = <usize>kc << 5;
  let jr = 0;
  for (; jr + 2 * NR <= nc; jr += 2 * NR) {
    let s = b + ((<usize>pc * <usize>ldb + <usize>(jc + jr)) << 2);
    let d = dst + (<usize>(jr * kc) << 2);
    for (let p = 0; p < kc; p++) {
      const v0 = v128.load(s);
      const v1 = v128.load(s, 16);
      const v2 = v128.load(s, 32);
      const v3 = v128.load(s, 48);
      v128.store(d, v0);
      v128.store(d, v1, 16);
      v128.store(d + panelBytes, v2);
      v128.store(d + panelBytes, v3, 16);
      s += rowBytes;
      d += 32;
    }
  }
  for (; jr < nc; jr += NR) {
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
export function packBT(b: usize, ldb: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
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
