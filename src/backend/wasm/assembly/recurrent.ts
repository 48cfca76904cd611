// Fused recurrent cell kernels over contiguous float32, forward and backward, with the equations, gate
// order and argument meanings of the reference kernels (src/backend/reference/recurrent.ts):
//   LSTM (i, f, g, o; f, g, o with the coupled gate i = 1 − f), optional diagonal peepholes;
//   GRU (r, z, n); Elman RNN (tanh or relu).
// One call is one time step for the whole batch. Lanes run over four hidden units j of one batch row;
// a row's last H mod 4 units go through the same lane code on splatted scalars, so every element is
// computed by one formula. Pointers are byte offsets; pointer 0 means an absent operand.
//   σ(x) = 1/(1 + e^(−x)),  tanh x = 1 − 2/(e^(2x) + 1)
// Both are exact at the saturations: exp gives 0 below −87.3 and +∞ at its upper clamp, so σ → 0 or 1
// and tanh → ±1 with no ∞/∞. Near 0, tanh's absolute error is about one float32 ulp of 1.
import { K_ONE, K_TWO, Lanes } from "./exp";

/**
 * The gate nonlinearities, always inlined into the cell loops (a call per vector costs as much as the
 * arithmetic; `@inline` sits on static methods because TypeScript tooling parses decorators only there).
 */
class Gate {
  @inline static sigmoid(x: v128): v128 {
    const one = Lanes.constant(K_ONE);
    return f32x4.div(one, f32x4.add(one, Lanes.exp(f32x4.neg(x))));
  }

  @inline static tanh(x: v128): v128 {
    const one = Lanes.constant(K_ONE);
    const e = Lanes.exp(f32x4.add(x, x));
    return f32x4.sub(one, f32x4.div(Lanes.constant(K_TWO), f32x4.add(e, one)));
  }
}

/** Four floats at p, or one splatted (a row's tail). */
function ld(p: usize, full: bool): v128 {
  return full ? v128.load(p) : f32x4.splat(load<f32>(p));
}

function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

/** x·(1 − x) per lane: σ' written in terms of σ. */
function dsig(s: v128): v128 {
  return f32x4.mul(s, f32x4.sub(f32x4.splat(1), s));
}

/** 1 − t² per lane: tanh' written in terms of tanh. */
function dtanh(t: v128): v128 {
  return f32x4.sub(f32x4.splat(1), f32x4.mul(t, t));
}

// Byte offsets of the gate blocks within one row of G·H pre-activations (uncoupled: i, f, g, o;
// coupled: f, g, o) and of the peephole rows (i, f, o; coupled: f, o). `oi`/`pi` are unused when coupled.
function gateOffset(gate: i32, coupled: bool, hBytes: usize): usize {
  return <usize>(coupled ? gate - 1 : gate) * hBytes;
}

function lstmForward4(
  h: usize, c: usize, gates: usize, tanhC: usize, xg: usize, hg: usize, cPrev: usize, peep: usize, coupled: bool,
  row: usize, hr: usize, hBytes: usize, full: bool,
): void {
  const oF = gateOffset(1, coupled, hBytes), oG = gateOffset(2, coupled, hBytes), oO = gateOffset(3, coupled, hBytes);
  const pF: usize = coupled ? 0 : hBytes, pO: usize = coupled ? hBytes : 2 * hBytes;
  const cp = ld(cPrev + hr, full);
  let fPre = f32x4.add(ld(xg + row + oF, full), ld(hg + row + oF, full));
  if (peep) fPre = f32x4.add(fPre, f32x4.mul(ld(peep + pF, full), cp));
  const f = Gate.sigmoid(fPre);
  let i: v128;
  if (coupled) {
    i = f32x4.sub(f32x4.splat(1), f);
  } else {
    let iPre = f32x4.add(ld(xg + row, full), ld(hg + row, full));
    if (peep) iPre = f32x4.add(iPre, f32x4.mul(ld(peep, full), cp));
    i = Gate.sigmoid(iPre);
    st(gates + row, i, full);
  }
  const g = Gate.tanh(f32x4.add(ld(xg + row + oG, full), ld(hg + row + oG, full)));
  const cNew = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, g));
  let oPre = f32x4.add(ld(xg + row + oO, full), ld(hg + row + oO, full));
  if (peep) oPre = f32x4.add(oPre, f32x4.mul(ld(peep + pO, full), cNew));
  const o = Gate.sigmoid(oPre);
  const tc = Gate.tanh(cNew);
  st(gates + row + oF, f, full);
  st(gates + row + oG, g, full);
  st(gates + row + oO, o, full);
  st(c + hr, cNew, full);
  st(tanhC + hr, tc, full);
  st(h + hr, f32x4.mul(o, tc), full);
}

/** LSTM step: writes gates [B, G·H], c, tanhC and h [B, H] (reference `lstmCellForward`). */
export function lstmCellForward(
  h: usize, c: usize, gates: usize, tanhC: usize, xg: usize, hg: usize, cPrev: usize, peep: usize, coupled: bool,
  batch: i32, hidden: i32,
): void {
  const G: usize = coupled ? 3 : 4;
  const hBytes = <usize>hidden << 2;
  for (let b = 0; b < batch; b++) {
    let row = <usize>b * G * hBytes;
    let hr = <usize>b * hBytes;
    let p = peep;
    let j = 0;
    for (; j + 4 <= hidden; j += 4) {
      lstmForward4(h, c, gates, tanhC, xg, hg, cPrev, p, coupled, row, hr, hBytes, true);
      row += 16; hr += 16; if (p) p += 16;
    }
    for (; j < hidden; j++) {
      lstmForward4(h, c, gates, tanhC, xg, hg, cPrev, p, coupled, row, hr, hBytes, false);
      row += 4; hr += 4; if (p) p += 4;
    }
  }
}

function lstmBackward4(
  dPre: usize, dcPrev: usize, dPeep: usize, dh: usize, dc: usize,
  gates: usize, cPrev: usize, c: usize, tanhC: usize, peep: usize, coupled: bool,
  row: usize, hr: usize, hBytes: usize, full: bool,
): void {
  const one = f32x4.splat(1);
  const oF = gateOffset(1, coupled, hBytes), oG = gateOffset(2, coupled, hBytes), oO = gateOffset(3, coupled, hBytes);
  const pF: usize = coupled ? 0 : hBytes, pO: usize = coupled ? hBytes : 2 * hBytes;
  const f = ld(gates + row + oF, full);
  const i = coupled ? f32x4.sub(one, f) : ld(gates + row, full);
  const g = ld(gates + row + oG, full);
  const o = ld(gates + row + oO, full);
  const tc = ld(tanhC + hr, full);
  const cp = ld(cPrev + hr, full);
  const dhj = ld(dh + hr, full);
  const doPre = f32x4.mul(f32x4.mul(dhj, tc), dsig(o));
  let dcTotal = f32x4.mul(f32x4.mul(dhj, o), dtanh(tc));
  if (dc) dcTotal = f32x4.add(ld(dc + hr, full), dcTotal);
  if (peep) dcTotal = f32x4.add(dcTotal, f32x4.mul(doPre, ld(peep + pO, full)));
  const dgPre = f32x4.mul(f32x4.mul(dcTotal, i), dtanh(g));
  // c' = f·c + i·g; with coupling i = 1 − f, so ∂c'/∂f = c − g.
  const dfPre = f32x4.mul(f32x4.mul(dcTotal, coupled ? f32x4.sub(cp, g) : cp), dsig(f));
  let dcp = f32x4.mul(dcTotal, f);
  if (!coupled) {
    const diPre = f32x4.mul(f32x4.mul(dcTotal, g), dsig(i));
    st(dPre + row, diPre, full);
    if (peep) {
      dcp = f32x4.add(dcp, f32x4.mul(diPre, ld(peep, full)));
      if (dPeep) st(dPeep, f32x4.add(ld(dPeep, full), f32x4.mul(diPre, cp)), full);
    }
  }
  if (peep) {
    dcp = f32x4.add(dcp, f32x4.mul(dfPre, ld(peep + pF, full)));
    if (dPeep) {
      st(dPeep + pF, f32x4.add(ld(dPeep + pF, full), f32x4.mul(dfPre, cp)), full);
      st(dPeep + pO, f32x4.add(ld(dPeep + pO, full), f32x4.mul(doPre, ld(c + hr, full))), full);
    }
  }
  st(dPre + row + oF, dfPre, full);
  st(dPre + row + oG, dgPre, full);
  st(dPre + row + oO, doPre, full);
  st(dcPrev + hr, dcp, full);
}

/**
 * LSTM step backward (reference `lstmCellBackward`): writes dPre [B, G·H] and dcPrev [B, H], adds into
 * dPeep. dc, peep and dPeep may be 0.
 */
export function lstmCellBackward(
  dPre: usize, dcPrev: usize, dPeep: usize, dh: usize, dc: usize,
  gates: usize, cPrev: usize, c: usize, tanhC: usize, peep: usize, coupled: bool, batch: i32, hidden: i32,
): void {
  const G: usize = coupled ? 3 : 4;
  const hBytes = <usize>hidden << 2;
  for (let b = 0; b < batch; b++) {
    let row = <usize>b * G * hBytes;
    let hr = <usize>b * hBytes;
    let p = peep, dp = dPeep;
    let j = 0;
    for (; j + 4 <= hidden; j += 4) {
      lstmBackward4(dPre, dcPrev, dp, dh, dc, gates, cPrev, c, tanhC, p, coupled, row, hr, hBytes, true);
      row += 16; hr += 16; if (p) p += 16; if (dp) dp += 16;
    }
    for (; j < hidden; j++) {
      lstmBackward4(dPre, dcPrev, dp, dh, dc, gates, cPrev, c, tanhC, p, coupled, row, hr, hBytes, false);
      row += 4; hr += 4; if (p) p += 4; if (dp) dp += 4;
    }
  }
}

function gruForward4(h: usize, gates: usize, xg: usize, hg: usize, hPrev: usize, row: usize, hr: usize, hBytes: usize, full: bool): void {
  const r = Gate.sigmoid(f32x4.add(ld(xg + row, full), ld(hg + row, full)));
  const z = Gate.sigmoid(f32x4.add(ld(xg + row + hBytes, full), ld(hg + row + hBytes, full)));
  const n = Gate.tanh(f32x4.add(ld(xg + row + 2 * hBytes, full), f32x4.mul(r, ld(hg + row + 2 * hBytes, full))));
  st(gates + row, r, full);
  st(gates + row + hBytes, z, full);
  st(gates + row + 2 * hBytes, n, full);
  st(h + hr, f32x4.add(f32x4.mul(f32x4.sub(f32x4.splat(1), z), n), f32x4.mul(z, ld(hPrev + hr, full))), full);
}

/** GRU step: writes r, z, n into gates [B, 3H] and h [B, H] (reference `gruCellForward`). */
export function gruCellForward(h: usize, gates: usize, xg: usize, hg: usize, hPrev: usize, batch: i32, hidden: i32): void {
  const hBytes = <usize>hidden << 2;
  for (let b = 0; b < batch; b++) {
    let row = <usize>b * 3 * hBytes;
    let hr = <usize>b * hBytes;
    let j = 0;
    for (; j + 4 <= hidden; j += 4) {
      gruForward4(h, gates, xg, hg, hPrev, row, hr, hBytes, true);
      row += 16; hr += 16;
    }
    for (; j < hidden; j++) {
      gruForward4(h, gates, xg, hg, hPrev, row, hr, hBytes, false);
      row += 4; hr += 4;
    }
  }
}

function gruBackward4(
  dxg: usize, dhg: usize, dhPrev: usize, dh: usize, gates: usize, hg: usize, hPrev: usize,
  row: usize, hr: usize, hBytes: usize, full: bool,
): void {
  const r = ld(gates + row, full);
  const z = ld(gates + row + hBytes, full);
  const n = ld(gates + row + 2 * hBytes, full);
  const dhj = ld(dh + hr, full);
  const dnPre = f32x4.mul(f32x4.mul(dhj, f32x4.sub(f32x4.splat(1), z)), dtanh(n));
  const dzPre = f32x4.mul(f32x4.mul(dhj, f32x4.sub(ld(hPrev + hr, full), n)), dsig(z));
  const drPre = f32x4.mul(f32x4.mul(dnPre, ld(hg + row + 2 * hBytes, full)), dsig(r));
  st(dxg + row, drPre, full);
  st(dxg + row + hBytes, dzPre, full);
  st(dxg + row + 2 * hBytes, dnPre, full);
  st(dhg + row, drPre, full);
  st(dhg + row + hBytes, dzPre, full);
  st(dhg + row + 2 * hBytes, f32x4.mul(dnPre, r), full);
  st(dhPrev + hr, f32x4.mul(dhj, z), full);
}

/** GRU step backward: writes dxg, dhg [B, 3H] and dhPrev = dh⊙z [B, H] (reference `gruCellBackward`). */
export function gruCellBackward(
  dxg: usize, dhg: usize, dhPrev: usize, dh: usize, gates: usize, hg: usize, hPrev: usize, batch: i32, hidden: i32,
): void {
  const hBytes = <usize>hidden << 2;
  for (let b = 0; b < batch; b++) {
    let row = <usize>b * 3 * hBytes;
    let hr = <usize>b * hBytes;
    let j = 0;
    for (; j + 4 <= hidden; j += 4) {
      gruBackward4(dxg, dhg, dhPrev, dh, gates, hg, hPrev, row, hr, hBytes, true);
      row += 16; hr += 16;
    }
    for (; j < hidden; j++) {
      gruBackward4(dxg, dhg, dhPrev, dh, gates, hg, hPrev, row, hr, hBytes, false);
      row += 4; hr += 4;
    }
  }
}

function rnnAct4(pre: v128, relu: bool): v128 {
  return relu ? f32x4.max(pre, f32x4.splat(0)) : Gate.tanh(pre);
}

/** Elman RNN step over n = B·H elements: h = tanh(xg + hg), or relu (reference `rnnCellForward`). */
export function rnnCellForward(h: usize, xg: usize, hg: usize, relu: bool, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(h + o, rnnAct4(f32x4.add(v128.load(xg + o), v128.load(hg + o)), relu));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(h + o, f32x4.extract_lane(rnnAct4(f32x4.splat(load<f32>(xg + o) + load<f32>(hg + o)), relu), 0));
  }
}

function rnnGrad4(dh: v128, h: v128, relu: bool): v128 {
  // relu: dh where h > 0, else 0 (a lane mask); tanh: dh·(1 − h²).
  return relu ? v128.and(dh, f32x4.gt(h, f32x4.splat(0))) : f32x4.mul(dh, dtanh(h));
}

/** Elman RNN step backward over n = B·H elements, from the saved output h (reference `rnnCellBackward`). */
export function rnnCellBackward(dPre: usize, dh: usize, h: usize, relu: bool, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dPre + o, rnnGrad4(v128.load(dh + o), v128.load(h + o), relu));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dPre + o, f32x4.extract_lane(rnnGrad4(f32x4.splat(load<f32>(dh + o)), f32x4.splat(load<f32>(h + o)), relu), 0));
  }
}
