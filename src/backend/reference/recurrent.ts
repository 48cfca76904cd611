/**
 * Fused recurrent cell kernels, forward and backward, as pure functions over contiguous row-major
 * typed arrays (STYLE.md §2). One call computes one time step for a whole batch from the two
 * pre-activation projections, which the caller computes with matmuls:
 *   xg = x·W_ihᵀ + b_ih   [B, G·H]      hg = h·W_hhᵀ + b_hh   [B, G·H]
 * Gate order and equations are PyTorch's (torch.nn.LSTM / GRU / RNN docs):
 *   LSTM (G = 4: i, f, g, o): i = σ(·), f = σ(·), g = tanh(·), o = σ(·),
 *        c' = f⊙c + i⊙g,  h' = o⊙tanh(c')  (before any projection, which the caller applies)
 *     peephole (Gers & Schmidhuber 2000): i, f also see c (the previous cell), o sees c' (the new one),
 *        through diagonal weights p = [p_i; p_f; p_o] ([3, H]; [2, H] = [p_f; p_o] when coupled)
 *     coupled input-forget gate (CIFG, Greff et al. 2017): G = 3 (f, g, o) and i = 1 − f
 *   GRU (G = 3: r, z, n): r = σ(xg_r + hg_r), z = σ(xg_z + hg_z), n = tanh(xg_n + r⊙hg_n),
 *        h' = (1 − z)⊙n + z⊙h
 *   RNN (G = 1): h' = tanh(xg + hg) or relu(xg + hg)
 * Backward kernels return the gradient of the gate pre-activations: for LSTM and RNN it is the same
 * for xg and hg; for GRU the n block differs (dhg_n = dn_pre⊙r), so both are written.
 */
import type { FloatArray } from "../backend.js";

export type RnnNonlinearity = "tanh" | "relu";

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Number of gate blocks per hidden unit of an LSTM: 4 (i, f, g, o), or 3 (f, g, o) when coupled. */
export function lstmGateCount(coupled: boolean): number {
  return coupled ? 3 : 4;
}

/**
 * Where each LSTM gate sits: its block offset within a row of G·H pre-activations (i, f, g, o; no i
 * when coupled), and each peephole's offset within the diagonal weights (i, f, o). −1 marks "absent".
 */
function lstmLayout(coupled: boolean, H: number): { G: number; oi: number; of: number; og: number; oo: number; pi: number; pf: number; po: number } {
  const [oi, of, og, oo] = coupled ? [-1, 0, H, 2 * H] : [0, H, 2 * H, 3 * H];
  const [pi, pf, po] = coupled ? [-1, 0, H] : [0, H, 2 * H];
  return { G: lstmGateCount(coupled), oi: oi as number, of: of as number, og: og as number, oo: oo as number, pi: pi as number, pf: pf as number, po: po as number };
}

/**
 * LSTM step. Writes the activated gates into `gates` [B, G·H] (saved for the backward), the new cell
 * into `c` [B, H], tanh(c) into `tanhC` [B, H] and o⊙tanh(c) into `h` [B, H]. `peephole` is null or
 * the diagonal weights described above.
 */
export function lstmCellForward(
  h: FloatArray, c: FloatArray, gates: FloatArray, tanhC: FloatArray,
  xg: FloatArray, hg: FloatArray, cPrev: FloatArray, peephole: FloatArray | null, coupled: boolean,
  batch: number, hidden: number,
): void {
  const H = hidden;
  const { G, oi, of, og, oo, pi, pf, po } = lstmLayout(coupled, H);
  for (let b = 0; b < batch; b++) {
    const row = b * G * H;
    const hr = b * H;
    for (let j = 0; j < H; j++) {
      const cp = cPrev[hr + j] as number;
      let fPre = (xg[row + of + j] as number) + (hg[row + of + j] as number);
      if (peephole) fPre += (peephole[pf + j] as number) * cp;
      const f = sigmoid(fPre);
      let i: number;
      if (coupled) {
        i = 1 - f;
      } else {
        let iPre = (xg[row + oi + j] as number) + (hg[row + oi + j] as number);
        if (peephole) iPre += (peephole[pi + j] as number) * cp;
        i = sigmoid(iPre);
        gates[row + oi + j] = i;
      }
      const g = Math.tanh((xg[row + og + j] as number) + (hg[row + og + j] as number));
      const cNew = f * cp + i * g;
      let oPre = (xg[row + oo + j] as number) + (hg[row + oo + j] as number);
      if (peephole) oPre += (peephole[po + j] as number) * cNew;
      const o = sigmoid(oPre);
      const tc = Math.tanh(cNew);
      gates[row + of + j] = f;
      gates[row + og + j] = g;
      gates[row + oo + j] = o;
      c[hr + j] = cNew;
      tanhC[hr + j] = tc;
      h[hr + j] = o * tc;
    }
  }
}

/**
 * LSTM step backward. From dh (gradient of o⊙tanh(c'), [B, H]) and dc (gradient of c' from later
 * steps, [B, H]; null means zero) writes dPre [B, G·H] (gradient of the gate pre-activations, i.e. of
 * xg and of hg) and dcPrev [B, H], and adds into dPeephole (null when there are no peepholes or their
 * gradient is not wanted).
 */
export function lstmCellBackward(
  dPre: FloatArray, dcPrev: FloatArray, dPeephole: FloatArray | null,
  dh: FloatArray, dc: FloatArray | null,
  gates: FloatArray, cPrev: FloatArray, c: FloatArray, tanhC: FloatArray, peephole: FloatArray | null, coupled: boolean,
  batch: number, hidden: number,
): void {
  const H = hidden;
  const { G, oi, of, og, oo, pi, pf, po } = lstmLayout(coupled, H);
  for (let b = 0; b < batch; b++) {
    const row = b * G * H;
    const hr = b * H;
    for (let j = 0; j < H; j++) {
      const f = gates[row + of + j] as number;
      const i = coupled ? 1 - f : (gates[row + oi + j] as number);
      const g = gates[row + og + j] as number;
      const o = gates[row + oo + j] as number;
      const tc = tanhC[hr + j] as number;
      const cp = cPrev[hr + j] as number;
      const dhj = dh[hr + j] as number;
      const doPre = dhj * tc * o * (1 - o);
      let dcTotal = (dc ? (dc[hr + j] as number) : 0) + dhj * o * (1 - tc * tc);
      if (peephole) dcTotal += doPre * (peephole[po + j] as number);
      const dgPre = dcTotal * i * (1 - g * g);
      // c' = f·c + i·g; with coupling i = 1 − f, so ∂c'/∂f = c − g.
      const dfPre = dcTotal * (coupled ? cp - g : cp) * f * (1 - f);
      let dcp = dcTotal * f;
      if (!coupled) {
        const diPre = dcTotal * g * i * (1 - i);
        dPre[row + oi + j] = diPre;
        if (peephole) {
          dcp += diPre * (peephole[pi + j] as number);
          if (dPeephole) dPeephole[pi + j] = (dPeephole[pi + j] as number) + diPre * cp;
        }
      }
      if (peephole) {
        dcp += dfPre * (peephole[pf + j] as number);
        if (dPeephole) {
          dPeephole[pf + j] = (dPeephole[pf + j] as number) + dfPre * cp;
          dPeephole[po + j] = (dPeephole[po + j] as number) + doPre * (c[hr + j] as number);
        }
      }
      dPre[row + of + j] = dfPre;
      dPre[row + og + j] = dgPre;
      dPre[row + oo + j] = doPre;
      dcPrev[hr + j] = dcp;
    }
  }
}

/** GRU step. Writes r, z, n into `gates` [B, 3H] (saved for the backward) and the new state into `h`. */
export function gruCellForward(
  h: FloatArray, gates: FloatArray, xg: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
): void {
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const row = b * 3 * H;
    const hr = b * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid((xg[row + j] as number) + (hg[row + j] as number));
      const z = sigmoid((xg[row + H + j] as number) + (hg[row + H + j] as number));
      const n = Math.tanh((xg[row + 2 * H + j] as number) + r * (hg[row + 2 * H + j] as number));
      gates[row + j] = r;
      gates[row + H + j] = z;
      gates[row + 2 * H + j] = n;
      h[hr + j] = (1 - z) * n + z * (hPrev[hr + j] as number);
    }
  }
}

/**
 * GRU step backward: from dh [B, H] writes dxg and dhg [B, 3H] and the direct part of dhPrev (dh⊙z;
 * the caller adds dhg·W_hh). `hg` is the step's h·W_hhᵀ + b_hh saved by the caller.
 */
export function gruCellBackward(
  dxg: FloatArray, dhg: FloatArray, dhPrev: FloatArray,
  dh: FloatArray, gates: FloatArray, hg: FloatArray, hPrev: FloatArray, batch: number, hidden: number,
): void {
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const row = b * 3 * H;
    const hr = b * H;
    for (let j = 0; j < H; j++) {
      const r = gates[row + j] as number;
      const z = gates[row + H + j] as number;
      const n = gates[row + 2 * H + j] as number;
      const dhj = dh[hr + j] as number;
      const dnPre = dhj * (1 - z) * (1 - n * n);
      const dzPre = dhj * ((hPrev[hr + j] as number) - n) * z * (1 - z);
      const drPre = dnPre * (hg[row + 2 * H + j] as number) * r * (1 - r);
      dxg[row + j] = drPre;
      dxg[row + H + j] = dzPre;
      dxg[row + 2 * H + j] = dnPre;
      dhg[row + j] = drPre;
      dhg[row + H + j] = dzPre;
      dhg[row + 2 * H + j] = dnPre * r;
      dhPrev[hr + j] = dhj * z;
    }
  }
}

/** Elman RNN step: h = act(xg + hg) over [B, H]. */
export function rnnCellForward(
  h: FloatArray, xg: FloatArray, hg: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
): void {
  const n = batch * hidden;
  if (nonlinearity === "tanh") {
    for (let i = 0; i < n; i++) h[i] = Math.tanh((xg[i] as number) + (hg[i] as number));
  } else {
    for (let i = 0; i < n; i++) h[i] = Math.max(0, (xg[i] as number) + (hg[i] as number));
  }
}

/** Elman RNN step backward: dPre = dh⊙(1 − h²) for tanh, dh⊙[h > 0] for relu (from the saved output h). */
export function rnnCellBackward(
  dPre: FloatArray, dh: FloatArray, h: FloatArray, nonlinearity: RnnNonlinearity, batch: number, hidden: number,
): void {
  const n = batch * hidden;
  if (nonlinearity === "tanh") {
    for (let i = 0; i < n; i++) {
      const y = h[i] as number;
      dPre[i] = (dh[i] as number) * (1 - y * y);
    }
  } else {
    for (let i = 0; i < n; i++) dPre[i] = (h[i] as number) > 0 ? (dh[i] as number) : 0;
  }
}
