/**
 * float32 recurrent cell kernels on the kernel module (LSTM with its peephole and coupled variants,
 * GRU, Elman RNN): stage one time step's operands in kernel memory, run the SIMD kernel on the calling
 * thread, copy the results out. A step is B·G·H elements, too little to pay for waking the pool. The
 * formulas and argument meanings are those of ../reference/recurrent.ts, which these are tested against.
 */
import type { RnnNonlinearity } from "../reference/recurrent.js";
import { lstmGateCount } from "../reference/recurrent.js";
import type { KernelMemory } from "./memory.js";

export function lstmCellForwardF32(
  mem: KernelMemory, h: Float32Array, c: Float32Array, gates: Float32Array, tanhC: Float32Array,
  xg: Float32Array, hg: Float32Array, cPrev: Float32Array, peephole: Float32Array | null, coupled: boolean,
  batch: number, hidden: number,
): void {
  const state = batch * hidden;
  const pre = state * lstmGateCount(coupled);
  const [hp = 0, cp = 0, gp = 0, tp = 0, xp = 0, hgp = 0, cpp = 0, pp = 0] = mem.stage([
    state, state, pre, state, xg.subarray(0, pre), hg.subarray(0, pre), cPrev.subarray(0, state),
    peephole && peephole.subarray(0, (lstmGateCount(coupled) - 1) * hidden),
  ]);
  mem.kernels.lstmCellForward(hp, cp, gp, tp, xp, hgp, cpp, pp, coupled ? 1 : 0, batch, hidden);
  mem.read(hp, h, state);
  mem.read(cp, c, state);
  mem.read(gp, gates, pre);
  mem.read(tp, tanhC, state);
}

export function lstmCellBackwardF32(
  mem: KernelMemory, dPre: Float32Array, dcPrev: Float32Array, dPeephole: Float32Array | null,
  dh: Float32Array, dc: Float32Array | null,
  gates: Float32Array, cPrev: Float32Array, c: Float32Array, tanhC: Float32Array, peephole: Float32Array | null, coupled: boolean,
  batch: number, hidden: number,
): void {
  const state = batch * hidden;
  const pre = state * lstmGateCount(coupled);
  const peepSize = (lstmGateCount(coupled) - 1) * hidden;
  // dPeephole is accumulated into, so its current values go in; it is only touched when there are peepholes.
  const dPeep = peephole ? dPeephole : null;
  const [dpp = 0, dcpp = 0, dpeep = 0, dhp = 0, dcp = 0, gp = 0, cpp = 0, cp = 0, tp = 0, pp = 0] = mem.stage([
    pre, state, dPeep && dPeep.subarray(0, peepSize), dh.subarray(0, state), dc && dc.subarray(0, state),
    gates.subarray(0, pre), cPrev.subarray(0, state), c.subarray(0, state), tanhC.subarray(0, state),
    peephole && peephole.subarray(0, peepSize),
  ]);
  mem.kernels.lstmCellBackward(dpp, dcpp, dpeep, dhp, dcp, gp, cpp, cp, tp, pp, coupled ? 1 : 0, batch, hidden);
  mem.read(dpp, dPre, pre);
  mem.read(dcpp, dcPrev, state);
  if (dPeep) mem.read(dpeep, dPeep, peepSize);
}

export function gruCellForwardF32(
  mem: KernelMemory, h: Float32Array, gates: Float32Array, xg: Float32Array, hg: Float32Array, hPrev: Float32Array,
  batch: number, hidden: number,
): void {
  const state = batch * hidden;
  const pre = 3 * state;
  const [hp = 0, gp = 0, xp = 0, hgp = 0, hpp = 0] = mem.stage([
    state, pre, xg.subarray(0, pre), hg.subarray(0, pre), hPrev.subarray(0, state),
  ]);
  mem.kernels.gruCellForward(hp, gp, xp, hgp, hpp, batch, hidden);
  mem.read(hp, h, state);
  mem.read(gp, gates, pre);
}

export function gruCellBackwardF32(
  mem: KernelMemory, dxg: Float32Array, dhg: Float32Array, dhPrev: Float32Array,
  dh: Float32Array, gates: Float32Array, hg: Float32Array, hPrev: Float32Array, batch: number, hidden: number,
): void {
  const state = batch * hidden;
  const pre = 3 * state;
  const [dxp = 0, dhgp = 0, dhpp = 0, dhp = 0, gp = 0, hgp = 0, hpp = 0] = mem.stage([
    pre, pre, state, dh.subarray(0, state), gates.subarray(0, pre), hg.subarray(0, pre), hPrev.subarray(0, state),
  ]);
  mem.kernels.gruCellBackward(dxp, dhgp, dhpp, dhp, gp, hgp, hpp, batch, hidden);
  mem.read(dxp, dxg, pre);
  mem.read(dhgp, dhg, pre);
  mem.read(dhpp, dhPrev, state);
}

export function rnnCellForwardF32(
  mem: KernelMemory, h: Float32Array, xg: Float32Array, hg: Float32Array, nonlinearity: RnnNonlinearity,
  batch: number, hidden: number,
): void {
  const n = batch * hidden;
  const [hp = 0, xp = 0, hgp = 0] = mem.stage([n, xg.subarray(0, n), hg.subarray(0, n)]);
  mem.kernels.rnnCellForward(hp, xp, hgp, nonlinearity === "relu" ? 1 : 0, n);
  mem.read(hp, h, n);
}

export function rnnCellBackwardF32(
  mem: KernelMemory, dPre: Float32Array, dh: Float32Array, h: Float32Array, nonlinearity: RnnNonlinearity,
  batch: number, hidden: number,
): void {
  const n = batch * hidden;
  const [dp = 0, dhp = 0, hp = 0] = mem.stage([n, dh.subarray(0, n), h.subarray(0, n)]);
  mem.kernels.rnnCellBackward(dp, dhp, hp, nonlinearity === "relu" ? 1 : 0, n);
  mem.read(dp, dPre, n);
}
