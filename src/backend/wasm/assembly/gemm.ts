// Batched single-precision matrix product as a job that any number of threads run together.
//
// Loop nest (BLIS/GotoBLAS), with B packed once up front and shared by every thread:
//
//   phase 1, units (product, pc, jc):  pack B[pc:pc+KC, jc:jc+NC] into NR-wide panels   (shared)
//   -- barrier: every B unit packed --
//   phase 2, units (product, a run of at most MC rows):
//     for jc in n by NC:                 B block [KC × NC] read from L2
//       for pc in k by KC:
//         pack A[rows, pc:pc+KC] into MR-tall panels (per-thread scratch, stays in L2)
//         for jr in NC by NR:            one B micro-panel [KC × NR] stays in L1
//           for ir in rows by MR:  C[MR × NR] (+)= Ap[ir] · Bp[jr]
//
// Threads claim units from atomic counters in the job, so a thread whose core is busy elsewhere simply
// claims fewer units (the machines this runs on share cores). Packing absorbs the transposes: every
// layout reaches the same micro-kernel through the same packed format, so no layout has a slow path.
import { kernel, kernelRows, storeEdge, MR, NR } from "./kernel";
import { packAN, packAT, packBN, packBT } from "./pack";
import { JOB_KIND, KIND_GEMM } from "./job-kind";

export const KC: i32 = 256;
/** A multiple of MR, so only a product's last row block has edge tiles. */
export const MC: i32 = MR * 12;
export const NC: i32 = 512;

// Job descriptor (after the JOB_KIND word, see job.ts): i32 fields at byte offsets; the counters sit
// on their own 64-byte lines.
const J_A = 4, J_B = 8, J_C = 12, J_M = 16, J_N = 20, J_K = 24, J_TRANS_A = 28, J_TRANS_B = 32;
const J_ACCUMULATE = 36, J_STRIDE_A = 40, J_STRIDE_B = 44, J_PRODUCTS = 48, J_B_COUNT = 52, J_B_PACKED = 56;
const J_THREADS = 60;
const J_NEXT_PACK = 64, J_PACKED = 128, J_NEXT_ROWS = 192;

/** Bytes of per-thread scratch: one packed A block and one edge tile. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + MR * NR) * 4;
}

/** Bytes of packed B for `count` matrices of op(B) [k, n]: columns padded to a multiple of NR. */
export function packedBBytes(k: i32, n: i32, count: i32): i32 {
  return count * k * paddedN(n) * 4;
}

function paddedN(n: i32): i32 {
  return (n + NR - 1) / NR * NR;
}

/**
 * Writes a job: C[p] (+)= op(A[p]) · op(B[p]) for p < products. A is [m, k] (or [k, m] when transA),
 * B is [k, n] (or [n, k] when transB), C is contiguous [products, m, n]; strides are in bytes between
 * consecutive A or B matrices (0 broadcasts one); bCount is 1 when B is broadcast, else products.
 * `bPacked` points at packedBBytes(k, n, bCount) bytes; `threads` is how many threads are expected to
 * run the job (it only shapes the row units). Resets the job's work counters.
 */
export function setJob(
  job: usize, a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool,
  accumulate: bool, strideA: i32, strideB: i32, products: i32, bCount: i32, bPacked: usize, threads: i32,
): void {
  store<i32>(job, KIND_GEMM, JOB_KIND);
  store<i32>(job, a, J_A);
  store<i32>(job, b, J_B);
  store<i32>(job, c, J_C);
  store<i32>(job, m, J_M);
  store<i32>(job, n, J_N);
  store<i32>(job, k, J_K);
  store<i32>(job, transA, J_TRANS_A);
  store<i32>(job, transB, J_TRANS_B);
  store<i32>(job, accumulate, J_ACCUMULATE);
  store<i32>(job, strideA, J_STRIDE_A);
  store<i32>(job, strideB, J_STRIDE_B);
  store<i32>(job, products, J_PRODUCTS);
  store<i32>(job, bCount, J_B_COUNT);
  store<i32>(job, bPacked, J_B_PACKED);
  store<i32>(job, max(threads, 1), J_THREADS);
  atomic.store<i32>(job + J_NEXT_PACK, 0);
  atomic.store<i32>(job + J_PACKED, 0);
  atomic.store<i32>(job + J_NEXT_ROWS, 0);
}

/** Does units of a matmul job until none are left; every participating thread calls this with its own scratch. */
export function runGemmJob(job: usize, scratch: usize): void {
  const a = <usize>load<i32>(job, J_A);
  const b = <usize>load<i32>(job, J_B);
  const c = <usize>load<i32>(job, J_C);
  const m = load<i32>(job, J_M);
  const n = load<i32>(job, J_N);
  const k = load<i32>(job, J_K);
  const transA = load<i32>(job, J_TRANS_A) != 0;
  const transB = load<i32>(job, J_TRANS_B) != 0;
  const accumulate = load<i32>(job, J_ACCUMULATE) != 0;
  const strideA = <usize>load<i32>(job, J_STRIDE_A);
  const strideB = <usize>load<i32>(job, J_STRIDE_B);
  const products = load<i32>(job, J_PRODUCTS);
  const bCount = load<i32>(job, J_B_COUNT);
  const bPacked = <usize>load<i32>(job, J_B_PACKED);
  const npad = paddedN(n);
  const packedStride = <usize>k * <usize>npad * 4;

  // Phase 1: pack B, one (matrix, k block, column block) per unit.
  const kBlocks = (k + KC - 1) / KC;
  const nBlocks = (n + NC - 1) / NC;
  const packUnits = bCount * kBlocks * nBlocks;
  const ldb = transB ? k : n;
  while (true) {
    const u = atomic.add<i32>(job + J_NEXT_PACK, 1);
    if (u >= packUnits) break;
    const p = u / (kBlocks * nBlocks);
    const rest = u - p * kBlocks * nBlocks;
    const pc = rest / nBlocks * KC;
    const jc = rest % nBlocks * NC;
    const kc = min(KC, k - pc);
    const nc = min(NC, n - jc);
    const src = b + <usize>p * strideB;
    const dst = bPacked + <usize>p * packedStride + ((<usize>pc * <usize>npad + <usize>jc * <usize>kc) << 2);
    if (transB) packBT(src, ldb, pc, kc, jc, nc, dst);
    else packBN(src, ldb, pc, kc, jc, nc, dst);
    atomic.add<i32>(job + J_PACKED, 1);
    atomic.notify(job + J_PACKED);
  }
  // Barrier: B must be complete before any tile of C is computed. Spin briefly (packing units are
  // short), then sleep until the thread finishing the last unit notifies.
  let spins = 0;
  for (let done = atomic.load<i32>(job + J_PACKED); done < packUnits; done = atomic.load<i32>(job + J_PACKED)) {
    if (++spins > 2000) atomic.wait<i32>(job + J_PACKED, done, 1000000);
  }

  // Phase 2: a run of whole MR-row panels (at most MC rows) of one product per unit. The panels are
  // spread evenly over the units, and a single product gets a multiple of `threads` units, so threads
  // finish together: m = 128 as MC-row chunks would be 72 + 56 rows, here 66 + 62 on two threads.
  const panels = (m + MR - 1) / MR;
  let chunks = (panels + MC / MR - 1) / (MC / MR);
  const threads = load<i32>(job, J_THREADS);
  if (products == 1 && threads > 1) chunks = min(panels, (chunks + threads - 1) / threads * threads);
  const rowUnits = products * chunks;
  const cStride = <usize>m * <usize>n * 4;
  while (true) {
    const u = atomic.add<i32>(job + J_NEXT_ROWS, 1);
    if (u >= rowUnits) break;
    const p = u / chunks;
    const q = u - p * chunks;
    const row0 = <i32>(<i64>q * panels / chunks) * MR;
    const row1 = min(m, <i32>(<i64>(q + 1) * panels / chunks) * MR);
    const bp = bPacked + (bCount == 1 ? 0 : <usize>p * packedStride);
    gemmRows(a + <usize>p * strideA, bp, c + <usize>p * cStride, m, n, k, row0, row1, transA, accumulate, scratch);
  }
}

/** C[row0:row1, :] (+)= op(A)[row0:row1, :] · B for one product, B already packed (see packedBBytes). */
function gemmRows(
  a: usize, bPacked: usize, c: usize, m: i32, n: i32, k: i32, row0: i32, row1: i32,
  transA: bool, accumulate: bool, scratch: usize,
): void {
  const ap = scratch;
  const tile = ap + <usize>(MC * KC * 4);
  const lda = transA ? m : k;
  const npad = paddedN(n);
  const ldcBytes = <usize>n << 2;
  const mc = row1 - row0;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const overwrite = pc == 0 && !accumulate;
      if (transA) packAT(a, lda, row0, mc, pc, kc, ap);
      else packAN(a, lda, row0, mc, pc, kc, ap);
      const bBlock = bPacked + ((<usize>pc * <usize>npad + <usize>jc * <usize>kc) << 2);
      for (let jr = 0; jr < nc; jr += NR) {
        const nr = min(NR, nc - jr);
        const bPanel = bBlock + (<usize>(jr * kc) << 2);
        for (let ir = 0; ir < mc; ir += MR) {
          const mr = min(MR, mc - ir);
          const aPanel = ap + (<usize>(ir * kc) << 2);
          const cTile = c + ((<usize>(row0 + ir) * <usize>n + <usize>(jc + jr)) << 2);
          if (mr == MR && nr == NR) {
            kernel(kc, aPanel, bPanel, cTile, ldcBytes, overwrite);
          } else if (nr == NR) {
            kernelRows(kc, aPanel, bPanel, cTile, ldcBytes, overwrite, mr, tile);
          } else {
            kernel(kc, aPanel, bPanel, tile, NR * 4, true);
            storeEdge(tile, cTile, ldcBytes, mr, nr, overwrite);
          }
        }
      }
    }
  }
}
