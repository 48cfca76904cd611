/**
 * Beam search over many prompts at once: the beams of every prompt that is still searching run as one
 * batch through a decoder step (for an encoder–decoder: one encoded source batch, one row per source at
 * the start), and each prompt keeps its own hypotheses exactly as `beamSearch` (beam-search.ts) does for
 * one prompt — same candidates, scores, stopping rule and ties — so the results equal running
 * `beamSearch` prompt by prompt. A prompt that is done drops out of the batch (its rows are not
 * selected by the next `reorder`), so the batch shrinks as prompts finish.
 *
 * Rows: the live prompts in order, each with its beams in order (one beam at the first step).
 */
import { type Beam, type BeamHypothesis, type Candidate, Hypotheses, topCandidates } from "./beam-search.js";
import type { DecoderStep } from "./decoder-step.js";
import type { ResolvedGenerateOptions } from "./options.js";
import { applyRepetitionPenalty, logSoftmaxRow } from "./processors.js";

/** One prompt's search: its beams and their scores, the finished hypotheses, and whether it is over. */
interface Search {
  index: number;
  prompt: readonly number[];
  hyps: Hypotheses;
  beams: Beam[];
  scores: number[];
}

/**
 * Beam search from every prompt through one decoder step whose rows are the prompts (row b = prompt
 * b): per prompt, the finished hypotheses best first (at most numBeams), as `beamSearch` gives them.
 */
export function beamSearchBatch(step: DecoderStep, prompts: readonly (readonly number[])[], o: ResolvedGenerateOptions): BeamHypothesis[][] {
  const n = o.numBeams;
  const searches: Search[] = prompts.map((prompt, index) => ({ index, prompt, hyps: new Hypotheses(n, o), beams: [{ tokens: [], attention: [] }], scores: [0] }));
  if (o.maxNewTokens === 0 || prompts.length === 0) return prompts.map(() => []);
  let live = searches;
  for (let t = 0; t < o.maxNewTokens && live.length > 0; t++) {
    const { logits, attention } = step.next(live.flatMap((s) => s.beams.map((b) => [...s.prompt, ...b.tokens])));
    const keep: number[] = [];
    const stillLive: Search[] = [];
    let offset = 0;
    for (const s of live) {
      const scores = s.beams.map((beam, b) => {
        const row = logits[offset + b] as Float32Array | Float64Array;
        const context = [...s.prompt, ...beam.tokens];
        const lp = logSoftmaxRow(o.repetitionPenalty !== 1 ? applyRepetitionPenalty(Float32Array.from(row), context, o.repetitionPenalty) : row);
        const base = s.scores[b] as number;
        return lp.map((x) => x + base);
      });
      const candidates = topCandidates(scores, (1 + o.stopIds.size) * n).filter((c) => c.score > -Infinity);
      const extend = (c: Candidate): Beam => {
        const parent = s.beams[c.beam] as Beam;
        const row = attention?.[offset + c.beam];
        return { tokens: [...parent.tokens, c.token], attention: row ? [...parent.attention, Array.from(row)] : parent.attention };
      };
      const next: Candidate[] = [];
      for (const [rank, c] of candidates.entries()) {
        if (o.stopIds.has(c.token)) {
          if (rank < n) s.hyps.add(extend(c), c.score, t + 1);
        } else {
          next.push(c);
        }
        if (next.length === n) break;
      }
      const done = candidates.length > 0 && s.hyps.isDone((candidates[0] as Candidate).score, t + 1);
      const rowOffset = offset;
      offset += s.beams.length;
      s.scores = next.map((c) => c.score);
      s.beams = next.map(extend);
      if (done || next.length === 0) continue; // over: nothing running joins the hypotheses
      stillLive.push(s);
      keep.push(...next.map((c) => rowOffset + c.beam));
    }
    live = stillLive;
    if (live.length > 0 && t + 1 < o.maxNewTokens) step.reorder(keep);
  }
  // Prompts still running at maxNewTokens: their running beams join the hypotheses.
  for (const s of live) s.beams.forEach((b, i) => s.hyps.add(b, s.scores[i] as number, b.tokens.length));
  return searches.map((s) => s.hyps.sorted());
}
