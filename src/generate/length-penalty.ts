/**
 * Length normalisation of beam-search scores. Log-probabilities only fall as a hypothesis grows, so raw
 * scores favour short outputs; dividing by a penalty that grows with the length |Y| offsets that:
 *   "power" lp(|Y|) = |Y|^α                 (Hugging Face's length_penalty; α = 1: mean log-prob per token)
 *   "gnmt"  lp(|Y|) = ((5 + |Y|) / 6)^α     (Wu et al. 2016, "Google's NMT system", eq. 14)
 * α = 0 turns either off. |Y| counts the generated tokens, the stop token included.
 */
import { ValueError } from "../errors.js";

/** The length normalisation of beam-search scores: |Y|^α ("power") or ((5 + |Y|)/6)^α ("gnmt", Wu et al. 2016). */
export type LengthPenaltyKind = "power" | "gnmt";

/** The penalty lp(|Y|) a hypothesis of `length` tokens divides its score by (α = 0 turns it off). */
export function lengthPenalty(length: number, alpha: number, kind: LengthPenaltyKind = "power"): number {
  if (!Number.isFinite(alpha)) throw new ValueError(`lengthPenalty: alpha must be finite, got ${alpha}`);
  if (!(length >= 1)) throw new ValueError(`lengthPenalty: length must be ≥ 1, got ${length}`);
  return kind === "gnmt" ? ((5 + length) / 6) ** alpha : length ** alpha;
}
