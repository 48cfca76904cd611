/**
 * Length normalisation of beam-search scores. Log-probabilities only fall as a hypothesis grows, so raw
 * scores favour short outputs; dividing by a penalty that grows with the length |Y| offsets that:
 *   "power" lp(|Y|) = |Y|^α                 (α = 1: the mean log-probability per token)
 *   "gnmt"  lp(|Y|) = ((5 + |Y|) / 6)^α     (Wu et al. 2016, "Google's NMT system", eq. 14)
 * α = 0 turns either off. |Y| counts the generated tokens, EOS included.
 */
import { ValueError } from "../../errors.js";

export type LengthPenaltyKind = "power" | "gnmt";

export interface LengthPenalty {
  kind: LengthPenaltyKind;
  alpha: number;
}

export function lengthPenalty(length: number, penalty: LengthPenalty): number {
  if (!(penalty.alpha >= 0)) throw new ValueError(`lengthPenalty: alpha must be ≥ 0, got ${penalty.alpha}`);
  if (!(length >= 1)) throw new ValueError(`lengthPenalty: length must be ≥ 1, got ${length}`);
  return penalty.kind === "gnmt" ? ((5 + length) / 6) ** penalty.alpha : length ** penalty.alpha;
}
