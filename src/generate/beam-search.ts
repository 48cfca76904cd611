/**
 * Beam search with Hugging Face's semantics (`BeamSearchScorer` / `BeamHypotheses`):
 * - each step extends every beam by every token, scores = beam score + log p(token), and keeps the best
 *   numBeams continuations that do not end in a stop id out of the top (1 + #stopIds)·numBeams;
 * - a continuation ending in a stop id becomes a finished hypothesis (only if it ranks among the top
 *   numBeams), scored sum log p / (generated length incl. the stop token)^lengthPenalty;
 * - at most numBeams finished hypotheses are kept; earlyStopping decides when to stop (see options);
 * - at maxNewTokens the running beams join the hypotheses; the best hypothesis wins.
 * Only the first beam is live at the start (the others start at −1e9), so beams do not duplicate.
 * All beams run as one batch: the KV cache rows are reordered to follow their beams each step.
 */
import type { CausalLanguageModel } from "./language-model.js";
import { ModelRunner } from "./model-runner.js";
import type { ResolvedGenerateOptions } from "./options.js";
import { applyRepetitionPenalty, logSoftmaxRow } from "./processors.js";

interface Hypothesis {
  /** Generated tokens (without the stop token). */
  tokens: number[];
  score: number;
}

/** The best numBeams finished hypotheses (HF's BeamHypotheses). */
class Hypotheses {
  readonly items: Hypothesis[] = [];

  constructor(readonly numBeams: number, readonly lengthPenalty: number) {}

  get worstScore(): number {
    return this.items.length === 0 ? Infinity : Math.min(...this.items.map((h) => h.score));
  }

  add(tokens: number[], sumLogprobs: number, generatedLength: number): void {
    const score = sumLogprobs / generatedLength ** this.lengthPenalty;
    if (this.items.length < this.numBeams || score > this.worstScore) {
      this.items.push({ tokens, score });
      if (this.items.length > this.numBeams) {
        const worst = this.items.reduce((w, h, i) => (h.score < (this.items[w] as Hypothesis).score ? i : w), 0);
        this.items.splice(worst, 1);
      }
    }
  }

  /** Whether no running beam can still improve the set (HF's `is_done`). */
  isDone(bestSumLogprobs: number, generatedLength: number, maxNewTokens: number, earlyStopping: boolean | "never"): boolean {
    if (this.items.length < this.numBeams) return false;
    if (earlyStopping === true) return true;
    // With lengthPenalty > 0 and "never", the best reachable score is at the longest allowed length.
    const length = earlyStopping === "never" && this.lengthPenalty > 0 ? maxNewTokens : generatedLength;
    return this.worstScore >= bestSumLogprobs / length ** this.lengthPenalty;
  }

  best(): Hypothesis {
    return this.items.reduce((b, h) => (h.score > b.score ? h : b));
  }
}

interface Candidate {
  beam: number;
  token: number;
  score: number;
}

/** The `count` best (beam, token) continuations, best first (ties: lower beam, then lower token). */
function topCandidates(scores: readonly Float64Array[], count: number): Candidate[] {
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

/** Generated tokens of the best hypothesis for one prompt (stop token excluded). */
export function beamSearch(model: CausalLanguageModel, prompt: readonly number[], o: ResolvedGenerateOptions): number[] {
  const n = o.numBeams;
  if (o.maxNewTokens === 0) return [];
  const hyps = new Hypotheses(n, o.lengthPenalty);
  const runner = new ModelRunner(model, o.useCache);
  let beams: number[][] = [[]]; // generated tokens per beam
  let beamScores = [0];
  let done = false;
  for (let step = 0; step < o.maxNewTokens && !done; step++) {
    const logits = runner.next(beams.map((b) => [...prompt, ...b]));
    // The first step has one live beam (HF gives the other numBeams − 1 copies −1e9).
    const scores = logits.map((row, b) => {
      const context = [...prompt, ...(beams[b] as number[])];
      const lp = logSoftmaxRow(o.repetitionPenalty !== 1 ? applyRepetitionPenalty(row, context, o.repetitionPenalty) : row);
      const base = beamScores[b] as number;
      return lp.map((x) => x + base);
    });
    const candidates = topCandidates(scores, (1 + o.stopIds.size) * n);
    const next: Candidate[] = [];
    for (const [rank, c] of candidates.entries()) {
      if (o.stopIds.has(c.token)) {
        if (rank < n) hyps.add([...(beams[c.beam] as number[])], c.score, step + 1);
      } else {
        next.push(c);
      }
      if (next.length === n) break;
    }
    done = hyps.isDone((candidates[0] as Candidate).score, step + 1, o.maxNewTokens, o.earlyStopping);
    beams = next.map((c) => [...(beams[c.beam] as number[]), c.token]);
    beamScores = next.map((c) => c.score);
    if (next.length === 0) break; // every candidate ended: nothing left to extend
    runner.reorder(next.map((c) => c.beam));
  }
  if (!done) beams.forEach((b, i) => hyps.add(b, beamScores[i] as number, b.length));
  return hyps.items.length > 0 ? hyps.best().tokens : [];
}
