/**
 * One recurrent time step as a differentiable op over the active backend's fused cell kernels
 * (specified by backend/reference/recurrent.ts). The caller supplies both projections (xg = x·W_ihᵀ + b_ih and
 * hg = h·W_hhᵀ + b_hh, each [B, G·H]); the op computes every gate in one kernel call and its backward
 * is the hand-written kernel, not a chain of elementwise ops. The cells (cells.ts) are built on these.
 */
import { type RnnNonlinearity, lstmGateCount } from "../../backend/reference/recurrent.js";
import { getBackend, type FloatArray } from "../../backend/index.js";
import { DTypeError, ShapeError, formatShape } from "../../errors.js";
import { record, select } from "../../ops/index.js";
import { allocate, isFloating } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { contiguousData } from "./data.js";

function check(op: string, gates: number, hidden: number, xg: Tensor, hg: Tensor, ...rest: (Tensor | null)[]): number {
  if (!isFloating(xg.dtype)) throw new DTypeError(`${op}: expected floating-point inputs, got ${xg.dtype}`);
  for (const t of [hg, ...rest]) {
    if (t !== null && t.dtype !== xg.dtype) throw new DTypeError(`${op}: inputs mix ${xg.dtype} and ${t.dtype}`);
  }
  if (xg.ndim !== 2 || xg.shape[1] !== gates * hidden || hg.ndim !== 2 || hg.shape[0] !== xg.shape[0] || hg.shape[1] !== xg.shape[1]) {
    throw new ShapeError(`${op}: projections must both be [B, ${gates * hidden}], got ${formatShape(xg.shape)} and ${formatShape(hg.shape)}`);
  }
  return xg.shape[0] ?? 0;
}

function checkState(op: string, what: string, t: Tensor, batch: number, hidden: number): void {
  if (t.ndim !== 2 || t.shape[0] !== batch || t.shape[1] !== hidden) {
    throw new ShapeError(`${op}: ${what} must be [${batch}, ${hidden}], got ${formatShape(t.shape)}`);
  }
}

/** An LSTM step's new hidden and cell states. */
export interface LstmStepResult {
  /** o⊙tanh(c'), [B, H] (before any projection). */
  h: Tensor;
  /** c', [B, H]. */
  c: Tensor;
}

/**
 * LSTM step: from xg, hg [B, G·H] (gate order i, f, g, o; f, g, o when coupled) and the previous
 * cell cPrev [B, H]. `peephole` is null or [3, H] (i, f, o) / [2, H] (f, o) when coupled.
 */
export function lstmStep(xg: Tensor, hg: Tensor, cPrev: Tensor, peephole: Tensor | null = null, coupled = false): LstmStepResult {
  const G = lstmGateCount(coupled);
  const H = cPrev.shape[1] ?? 0;
  const B = check("lstmStep", G, H, xg, hg, cPrev, peephole);
  checkState("lstmStep", "cPrev", cPrev, B, H);
  if (peephole !== null && (peephole.ndim !== 2 || peephole.shape[0] !== G - 1 || peephole.shape[1] !== H)) {
    throw new ShapeError(`lstmStep: peephole weights must be [${G - 1}, ${H}], got ${formatShape(peephole.shape)}`);
  }
  const dtype = xg.dtype;
  const xs = contiguousData(xg), hs = contiguousData(hg), cp = contiguousData(cPrev);
  const ps = peephole ? contiguousData(peephole) : null;
  const out = allocate(dtype, 2 * B * H) as FloatArray; // [2, B, H]: h then c
  const gates = allocate(dtype, B * G * H) as FloatArray;
  const tanhC = allocate(dtype, B * H) as FloatArray;
  const h = out.subarray(0, B * H);
  const c = out.subarray(B * H);
  getBackend().lstmCellForward(h, c, gates, tanhC, xs, hs, cp, ps, coupled, B, H);
  const inputs = [xg, hg, cPrev, ...(peephole ? [peephole] : [])];
  const packed = record(new Tensor(out, [2, B, H]), "lstmStep", inputs, (g) => {
    const gs = contiguousData(g);
    const dPre = allocate(dtype, B * G * H) as FloatArray;
    const dcPrev = allocate(dtype, B * H) as FloatArray;
    const dPeep = peephole ? (allocate(dtype, peephole.size) as FloatArray) : null;
    getBackend().lstmCellBackward(dPre, dcPrev, dPeep, gs.subarray(0, B * H), gs.subarray(B * H), gates, cp, c, tanhC, ps, coupled, B, H);
    const dPreT = new Tensor(dPre, [B, G * H]);
    return [dPreT, dPreT, new Tensor(dcPrev, [B, H]), ...(dPeep ? [new Tensor(dPeep, [G - 1, H])] : [])];
  });
  return { h: select(packed, 0, 0), c: select(packed, 0, 1) };
}

/** GRU step: h' = (1 − z)⊙n + z⊙hPrev from xg, hg [B, 3H] (gate order r, z, n) and hPrev [B, H]. */
export function gruStep(xg: Tensor, hg: Tensor, hPrev: Tensor): Tensor {
  const H = hPrev.shape[1] ?? 0;
  const B = check("gruStep", 3, H, xg, hg, hPrev);
  checkState("gruStep", "hPrev", hPrev, B, H);
  const dtype = xg.dtype;
  const xs = contiguousData(xg), hs = contiguousData(hg), hp = contiguousData(hPrev);
  const h = allocate(dtype, B * H) as FloatArray;
  const gates = allocate(dtype, B * 3 * H) as FloatArray;
  getBackend().gruCellForward(h, gates, xs, hs, hp, B, H);
  return record(new Tensor(h, [B, H]), "gruStep", [xg, hg, hPrev], (g) => {
    const dxg = allocate(dtype, B * 3 * H) as FloatArray;
    const dhg = allocate(dtype, B * 3 * H) as FloatArray;
    const dhPrev = allocate(dtype, B * H) as FloatArray;
    getBackend().gruCellBackward(dxg, dhg, dhPrev, contiguousData(g), gates, hs, hp, B, H);
    return [new Tensor(dxg, [B, 3 * H]), new Tensor(dhg, [B, 3 * H]), new Tensor(dhPrev, [B, H])];
  });
}

/** Elman RNN step: act(xg + hg) over [B, H]. */
export function rnnStep(xg: Tensor, hg: Tensor, nonlinearity: RnnNonlinearity = "tanh"): Tensor {
  const H = xg.shape[1] ?? 0;
  const B = check("rnnStep", 1, H, xg, hg);
  const dtype = xg.dtype;
  const h = allocate(dtype, B * H) as FloatArray;
  getBackend().rnnCellForward(h, contiguousData(xg), contiguousData(hg), nonlinearity, B, H);
  return record(new Tensor(h, [B, H]), "rnnStep", [xg, hg], (g) => {
    const dPre = allocate(dtype, B * H) as FloatArray;
    getBackend().rnnCellBackward(dPre, contiguousData(g), h, nonlinearity, B, H);
    const t = new Tensor(dPre, [B, H]);
    return [t, t];
  });
}
