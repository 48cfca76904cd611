/**
 * One direction of one recurrent layer over a whole sequence, as a single differentiable op (the
 * shape of cuDNN's RNN forward/backward). The input projection xg = x·W_ihᵀ + b_ih for every step is
 * computed by the caller with one matmul; this op loops over time calling the fused cell kernel once
 * per step (after hg = h·W_hhᵀ + b_hh), and its backward is back-propagation through time written
 * out: per step the cell backward and dh_{t−1} = dhg_t·W_hh, then dW_hh = Σ_t dhg_tᵀ·h_{t−1} as one
 * matmul over all steps.
 *
 * Shapes: T steps, B batch, H hidden, G gates (LSTM 4, coupled 3, GRU 3, RNN 1), P = projSize or H.
 *   xg [T, B, G·H]   h0 [B, P]   c0 [B, H]   W_hh [G·H, P]   b_hh [G·H]   W_hr [P, H]
 *   → output [T, B, P] (zero past each sequence's length), hN [B, P], cN [B, H]
 * Variable lengths behave like PyTorch's packed sequences: a row whose length is ≤ t does not step at
 * t (its state is carried unchanged and its output is zero), so the forward direction's final state is
 * the state at each row's last valid step and the reverse direction starts at each row's own end.
 */
import type { RnnNonlinearity } from "../../backend/reference/recurrent.js";
import { getBackend, type FloatArray } from "../../backend/index.js";
import { DTypeError, ShapeError, ValueError, formatShape } from "../../errors.js";
import { narrow, record, reshape } from "../../ops/index.js";
import { allocate, isFloating } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { addRowBias, contiguousData, matmulInto } from "./data.js";
import { stepGradEntry } from "./step-grad-norms.js";

/** The cell a fused recurrent sequence runs. */
export type CellKind = "lstm" | "gru" | "rnnTanh" | "rnnRelu";

/** The recurrent weights of one layer and direction for {@link recurrentSequence}. */
export interface SequenceWeights {
  /** [G·H, P] */
  weightHH: Tensor;
  /** [G·H] or null */
  biasHH: Tensor | null;
  /** LSTM projection [P, H] or null */
  weightHR: Tensor | null;
  /** LSTM peephole diagonals [3, H] ([2, H] when coupled) or null */
  peephole: Tensor | null;
}

/** What {@link recurrentSequence} runs: the cell, direction, variants and per-sequence lengths. */
export interface SequenceSpec {
  cell: CellKind;
  hidden: number;
  /** LSTM only: coupled input-forget gate (i = 1 − f). */
  coupled: boolean;
  /** Run from the last step to the first. */
  reverse: boolean;
  /** Per-row lengths (each in [0, T]) or null when every row has T steps. */
  lengths: Int32Array | null;
  /** Names this layer-direction in recordStepGradNorms, e.g. "l0_reverse". */
  label: string;
}

/** The outputs of every step and the final hidden (and cell) state. */
export interface SequenceResult {
  /** [T, B, P] */
  output: Tensor;
  /** [B, P] */
  h: Tensor;
  /** [B, H] (LSTM) or null */
  c: Tensor | null;
}

function gateCount(cell: CellKind, coupled: boolean): number {
  if (cell === "lstm") return coupled ? 3 : 4;
  return cell === "gru" ? 3 : 1;
}

function expectShape(t: Tensor, shape: number[], what: string): void {
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`recurrentSequence: ${what} must be ${formatShape(shape)}, got ${formatShape(t.shape)}`);
  }
}

/**
 * Runs a recurrent cell over a whole sequence as one differentiable op (input projections `xg` precomputed), so backward walks
 * the steps in one rule instead of a graph node per step.
 */
export function recurrentSequence(xg: Tensor, h0: Tensor, c0: Tensor | null, w: SequenceWeights, spec: SequenceSpec): SequenceResult {
  const { cell, coupled, reverse, lengths } = spec;
  const H = spec.hidden;
  const G = gateCount(cell, coupled);
  const GH = G * H;
  const isLstm = cell === "lstm";
  const isGru = cell === "gru";
  const nonlinearity: RnnNonlinearity = cell === "rnnRelu" ? "relu" : "tanh";
  if (xg.ndim !== 3 || xg.shape[2] !== GH) throw new ShapeError(`recurrentSequence: xg must be [T, B, ${GH}], got ${formatShape(xg.shape)}`);
  const T = xg.shape[0] ?? 0;
  const B = xg.shape[1] ?? 0;
  const P = w.weightHR ? (w.weightHR.shape[0] ?? 0) : H;
  const dtype = xg.dtype;
  if (!isFloating(dtype)) throw new DTypeError(`recurrentSequence: expected a floating-point input, got ${dtype}`);
  for (const t of [h0, c0, w.weightHH, w.biasHH, w.weightHR, w.peephole]) {
    if (t !== null && t.dtype !== dtype) throw new DTypeError(`recurrentSequence: tensors mix ${dtype} and ${t.dtype}`);
  }
  expectShape(h0, [B, P], "h0");
  if (isLstm) {
    if (c0 === null) throw new ValueError("recurrentSequence: an LSTM needs c0");
    expectShape(c0, [B, H], "c0");
  }
  expectShape(w.weightHH, [GH, P], "weight_hh");
  if (w.biasHH) expectShape(w.biasHH, [GH], "bias_hh");
  if (w.weightHR) expectShape(w.weightHR, [P, H], "weight_hr");
  if (w.peephole) expectShape(w.peephole, [G - 1, H], "peephole weights");
  if (lengths !== null && lengths.length !== B) throw new ShapeError(`recurrentSequence: ${lengths.length} lengths for a batch of ${B}`);
  const active = (t: number, b: number): boolean => lengths === null || t < (lengths[b] as number);

  const xs = contiguousData(xg);
  const whh = contiguousData(w.weightHH);
  const bhh = w.biasHH ? contiguousData(w.biasHH) : null;
  const whr = w.weightHR ? contiguousData(w.weightHR) : null;
  const peep = w.peephole ? contiguousData(w.peephole) : null;
  const alloc = (n: number): FloatArray => allocate(dtype, n) as FloatArray;

  // Saved for the backward, all indexed by time t: the state entering step t, the kernel's outputs.
  const hIn = alloc(T * B * P);
  const cIn = isLstm ? alloc(T * B * H) : null;
  const cOut = isLstm ? alloc(T * B * H) : null;
  const raw = alloc(T * B * H); // LSTM o⊙tanh(c) before projection; GRU/RNN the new h
  const gates = cell === "lstm" || isGru ? alloc(T * B * GH) : null;
  const tanhC = isLstm ? alloc(T * B * H) : null;
  const hgAll = isGru ? alloc(T * B * GH) : null; // GRU's backward needs hg_n
  const hgScratch = isGru ? null : alloc(B * GH);
  const projected = whr ? alloc(B * P) : null;
  const out = alloc(T * B * P + B * P + (isLstm ? B * H : 0)); // output, then hN, then cN
  const hCur = out.subarray(T * B * P, T * B * P + B * P);
  hCur.set(contiguousData(h0));
  const cCur = isLstm ? out.subarray(T * B * P + B * P) : null;
  if (cCur && c0) cCur.set(contiguousData(c0));

  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const sH = t * B * H;
    const sG = t * B * GH;
    const hPrev = hIn.subarray(t * B * P, (t + 1) * B * P);
    hPrev.set(hCur);
    const hg = hgAll ? hgAll.subarray(sG, sG + B * GH) : (hgScratch as FloatArray);
    matmulInto(hg, hPrev, whh, B, GH, P, false, true);
    if (bhh) addRowBias(hg, bhh, B, GH);
    const x = xs.subarray(sG, sG + B * GH);
    const hRaw = raw.subarray(sH, sH + B * H);
    let hNew = hRaw;
    if (isLstm) {
      const cPrev = (cIn as FloatArray).subarray(sH, sH + B * H);
      cPrev.set(cCur as FloatArray);
      const cNew = (cOut as FloatArray).subarray(sH, sH + B * H);
      getBackend().lstmCellForward(hRaw, cNew, (gates as FloatArray).subarray(sG, sG + B * GH), (tanhC as FloatArray).subarray(sH, sH + B * H), x, hg, cPrev, peep, coupled, B, H);
      if (whr) {
        hNew = projected as FloatArray;
        matmulInto(hNew, hRaw, whr, B, P, H, false, true);
      }
      for (let b = 0; b < B; b++) if (active(t, b)) (cCur as FloatArray).set(cNew.subarray(b * H, (b + 1) * H), b * H);
    } else if (isGru) {
      getBackend().gruCellForward(hRaw, (gates as FloatArray).subarray(sG, sG + B * GH), x, hg, hPrev, B, H);
    } else {
      getBackend().rnnCellForward(hRaw, x, hg, nonlinearity, B, H);
    }
    for (let b = 0; b < B; b++) {
      if (!active(t, b)) continue;
      const row = hNew.subarray(b * P, (b + 1) * P);
      hCur.set(row, b * P);
      out.set(row, (t * B + b) * P);
    }
  }

  const entry = stepGradEntry(spec.label, T);
  const inputs = [xg, h0, c0, w.weightHH, w.biasHH, w.weightHR, w.peephole].filter((t): t is Tensor => t !== null);
  const packed = record(new Tensor(out, [out.length]), "recurrentSequence", inputs, (grad) => {
    const g = contiguousData(grad);
    const dh = alloc(B * P);
    dh.set(g.subarray(T * B * P, T * B * P + B * P));
    const dc = isLstm ? alloc(B * H) : null;
    if (dc) dc.set(g.subarray(T * B * P + B * P));
    const dXg = alloc(T * B * GH);
    const dHg = isGru ? alloc(T * B * GH) : dXg; // LSTM and RNN: ∂/∂xg = ∂/∂hg
    const dWhr = whr ? alloc(P * H) : null;
    const dPeep = peep ? alloc(peep.length) : null;
    const dhCell = alloc(B * P);
    const dcCell = alloc(B * H);
    const dRaw = whr ? alloc(B * H) : dhCell;
    const dcPrev = alloc(B * H);
    const dhDirect = isGru ? alloc(B * H) : null;
    const dhNext = alloc(B * P);
    for (let k = T - 1; k >= 0; k--) {
      const t = reverse ? T - 1 - k : k;
      const sH = t * B * H;
      const sG = t * B * GH;
      for (let b = 0; b < B; b++) {
        if (!active(t, b)) continue;
        const o = (t * B + b) * P;
        for (let j = 0; j < P; j++) dh[b * P + j] = (dh[b * P + j] as number) + (g[o + j] as number);
      }
      if (entry) {
        let s = 0;
        for (let i = 0; i < B * P; i++) s += (dh[i] as number) ** 2;
        entry.norms[t] = Math.sqrt(s);
      }
      // Rows that did not step at t pass their gradient straight through (see the carry above).
      dhCell.set(dh);
      if (dc) dcCell.set(dc);
      for (let b = 0; b < B; b++) {
        if (active(t, b)) continue;
        dhCell.fill(0, b * P, (b + 1) * P);
        dcCell.fill(0, b * H, (b + 1) * H);
      }
      const hPrev = hIn.subarray(t * B * P, (t + 1) * B * P);
      const dx = dXg.subarray(sG, sG + B * GH);
      const hRaw = raw.subarray(sH, sH + B * H);
      if (isLstm) {
        if (whr) {
          matmulInto(dRaw, dhCell, whr, B, H, P, false, false);
          matmulInto(dWhr as FloatArray, dhCell, hRaw, P, H, B, true, false, true);
        }
        getBackend().lstmCellBackward(
          dx, dcPrev, dPeep, dRaw, dcCell, (gates as FloatArray).subarray(sG, sG + B * GH), (cIn as FloatArray).subarray(sH, sH + B * H),
          (cOut as FloatArray).subarray(sH, sH + B * H), (tanhC as FloatArray).subarray(sH, sH + B * H), peep, coupled, B, H,
        );
      } else if (isGru) {
        getBackend().gruCellBackward(
          dx, dHg.subarray(sG, sG + B * GH), dhDirect as FloatArray, dhCell, (gates as FloatArray).subarray(sG, sG + B * GH),
          (hgAll as FloatArray).subarray(sG, sG + B * GH), hPrev, B, H,
        );
      } else {
        getBackend().rnnCellBackward(dx, dhCell, hRaw, nonlinearity, B, H);
      }
      matmulInto(dhNext, dHg.subarray(sG, sG + B * GH), whh, B, P, GH, false, false);
      if (dhDirect) for (let i = 0; i < B * H; i++) dhNext[i] = (dhNext[i] as number) + (dhDirect[i] as number);
      for (let b = 0; b < B; b++) {
        if (active(t, b)) continue;
        dhNext.set(dh.subarray(b * P, (b + 1) * P), b * P);
        if (dc) dcPrev.set(dc.subarray(b * H, (b + 1) * H), b * H);
      }
      dh.set(dhNext);
      if (dc) dc.set(dcPrev);
    }
    const dWhh = alloc(GH * P);
    matmulInto(dWhh, dHg, hIn, GH, P, T * B, true, false);
    let dBhh: FloatArray | null = null;
    if (bhh) {
      dBhh = alloc(GH);
      for (let r = 0; r < T * B; r++) for (let j = 0; j < GH; j++) dBhh[j] = (dBhh[j] as number) + (dHg[r * GH + j] as number);
    }
    const grads: (Tensor | null)[] = [new Tensor(dXg, [T, B, GH]), new Tensor(dh, [B, P])];
    if (c0) grads.push(new Tensor(dc as FloatArray, [B, H]));
    grads.push(new Tensor(dWhh, [GH, P]));
    if (dBhh) grads.push(new Tensor(dBhh, [GH]));
    if (dWhr) grads.push(new Tensor(dWhr, [P, H]));
    if (dPeep && w.peephole) grads.push(new Tensor(dPeep, [...w.peephole.shape]));
    return grads;
  });
  const output = reshape(narrow(packed, 0, 0, T * B * P), [T, B, P]);
  const h = reshape(narrow(packed, 0, T * B * P, B * P), [B, P]);
  const c = isLstm ? reshape(narrow(packed, 0, T * B * P + B * P, B * H), [B, H]) : null;
  return { output, h, c };
}
