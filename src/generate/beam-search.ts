/**
 * Beam search with Hugging Face's semantics (`BeamSearchScorer` / `BeamHypotheses`):
 * - each step extends every beam by every token, scores = beam score + log p(token), and keeps the best
 *   numBeams continuations that do not end in a stop id out of the top (1 + #stopIds)·numBeams;
 * - a continuation ending in a stop id becomes a finished hypothesis (only if it ranks among the top
 *   numBeams), scored sum log p / lp(generated length incl. the stop token), lp from length-penalty.ts
 *   (HF's |Y|^lengthPenalty, or GNMT's);
 * - at most numBeams finished hypotheses are kept; earlyStopping decides when to stop (see options);
 * - at maxNewTokens the running beams join the hypotheses; the best hypothesis wins.
 * - a continuation of probability 0 (log p = −∞) is never kept.
 * Only the first beam is live at the start (the others start at −1e9), so beams do not duplicate.
 * All beams run as one batch through the decoder step, whose state (KV cache, recurrent state,
 * encoder memory) is reordered to follow its beams each step.
 */
import type { DecoderStep } from "./decoder-step.js";
import { lengthPenalty } from "./length-penalty.js";
import type { ResolvedGenerateOptions } from "./options.js";
import { applyRepetitionPenalty, logSoftmaxRow } from "./processors.js";

/** A finished beam: its tokens and summed log-probability. */
export interface BeamHypothesis {
  /** Generated tokens, ending with the stop id when one ended it. */
  tokens: number[];
  /** Σ log p of the tokens. */
  score: number;
  /** score / lp(length): what hypotheses are ranked by. */
  normalizedScore: number;
  /** One row of source attention weights per generated token (empty when the decoder gives none). */
  attention: number[][];
}

/** A running beam: its tokens and their source attention rows. */
export interface Beam {
  tokens: number[];
  attention: number[][];
}

/** The best numBeams finished hypotheses (HF's BeamHypotheses); shared with beam-search-batch.ts. */
export class Hypotheses {
  readonly items: BeamHypothesis[] = [];

  constructor(readonly numBeams: number, readonly o: ResolvedGenerateOptions) {}

  private penalty(length: number): number {
    return lengthPenalty(length, this.o.lengthPenalty, this.o.lengthPenaltyKind);
  }

  get worstScore(): number {
    return this.items.length === 0 ? Infinity : Math.min(...this.items.map((h) => h.normalizedScore));
  }

  add(beam: Beam, sumLogprobs: number, generatedLength: number): void {
    const normalizedScore = sumLogprobs / this.penalty(generatedLength);
    if (this.items.length < this.numBeams || normalizedScore > this.worstScore) {
      this.items.push({ tokens: beam.tokens, score: sumLogprobs, normalizedScore, attention: beam.attention });
      if (this.items.length > this.numBeams) {
        const worst = this.items.reduce((w, h, i) => (h.normalizedScore < (this.items[w] as BeamHypothesis).normalizedScore ? i : w), 0);
        this.items.splice(worst, 1);
      }
    }
  }

  /** Whether no running beam can still improve the set (HF's `is_done`). */
  isDone(bestSumLogprobs: number, generatedLength: number): boolean {
    if (this.items.length < this.numBeams) return false;
    if (this.o.earlyStopping === true) return true;
    // With "never" and a penalty that grows with length, the best reachable score is at the longest
    // allowed length (an exact bound: a sum of log-probs ≤ 0 only falls).
    const length = this.o.earlyStopping === "never" && this.o.lengthPenalty > 0 ? this.o.maxNewTokens : generatedLength;
    return this.worstScore >= bestSumLogprobs / this.penalty(length);
  }

  /** Best first. */
  sorted(): BeamHypothesis[] {
    return [...this.items].sort((a, b) => b.normalizedScore - a.normalizedScore);
  }
}

/** One continuation of a beam by a token, with its summed log-probability. */
export interface Candidate {
  beam: number;
  token: number;
  score: number;
}

/** The `count` best (beam, token) continuations, best first (ties: lower beam, then lower token). */
export function topCandidates(scores: readonly Float64Array[], count: number): Candidate[] {
  const best: Candidate[] = [];
  scores.forEach((row, beam) => {
    for (let token = 0; token < row.length; token++) {
      const score = row[token] as number;
      if (best.length === count && score <= (best[count - 1] as Candidate).score) continue;
      let i = best.length;
      while (i > 0 && (best[i - 1] as Candidate).score < score) i--;
      best.splice(i, 0, { beam, token, score });
      if (best.length > count) best.pop();
    }
  });
  return best;
}

/**
 * Beam search from one prompt row (for an encoder–decoder: the decoder start token) through a decoder
 * step: the finished hypotheses, best first (at most numBeams).
 */
export function beamSearch(step: DecoderStep, prompt: readonly number[], o: ResolvedGenerateOptions): BeamHypothesis[] {
  const n = o.numBeams;
  if (o.maxNewTokens === 0) return [];
  const hyps = new Hypotheses(n, o);
  let beams: Beam[] = [{ tokens: [], attention: [] }];
  let beamScores = [0];
  let done = false;
  for (let t = 0; t < o.maxNewTokens && !done; t++) {
    const { logits, attention } = step.next(beams.map((b) => [...prompt, ...b.tokens]));
    // The first step has one live beam (HF gives the other numBeams − 1 copies −1e9).
    const scores = logits.map((row, b) => {
      const context = [...prompt, ...(beams[b] as Beam).tokens];
      const lp = logSoftmaxRow(o.repetitionPenalty !== 1 ? applyRepetitionPenalty(Float32Array.from(row), context, o.repetitionPenalty) : row);
      const base = beamScores[b] as number;
      return lp.map((x) => x + base);
    });
    const candidates = topCandidates(scores, (1 + o.stopIds.size) * n).filter((c) => c.score > -Infinity);
    const extend = (c: Candidate): Beam => {
      const parent = beams[c.beam] as Beam;
      const row = attention?.[c.beam];
      return { tokens: [...parent.tokens, c.token], attention: row ? [...parent.attention, Array.from(row)] : parent.attention };
    };
    const next: Candidate[] = [];
    for (const [rank, c] of candidates.entries()) {
      if (o.stopIds.has(c.token)) {
        if (rank < n) hyps.add(extend(c), c.score, t + 1);
      } else {
        next.push(c);
      }
      if (next.length === n) break;
    }
    if (candidates.length > 0) done = hyps.isDone((candidates[0] as Candidate).score, t + 1);
    beamScores = next.map((c) => c.score);
    beams = next.map(extend);
    if (next.length === 0) break; // every candidate ended: nothing left to extend
    step.reorder(next.map((c) => c.beam));
  }
  if (!done) beams.forEach((b, i) => hyps.add(b, beamScores[i] as number, b.tokens.length));
  return hyps.sorted();
}
