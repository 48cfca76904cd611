/**
 * Beam search for one source sentence with length normalisation.
 *
 * At each step every live hypothesis is extended by its 2·beam most probable tokens; the candidates are
 * ranked by their raw score Σ log p. Candidates ending in EOS that rank within the first `beamSize`
 * become finished hypotheses (ranked by score / lp(|Y|), see length-penalty.ts); the best `beamSize`
 * others stay live (as Hugging Face's BeamSearchScorer does). At maxLength the live hypotheses are
 * finished as they are.
 *
 * Stopping is exact rather than heuristic: a live hypothesis with raw score s ≤ 0 can only lose
 * probability, and lp grows with length, so nothing it becomes scores above s / lp(maxLength). The
 * search stops once `beamSize` hypotheses have finished and the best of them reaches that bound for
 * every live one. With beamSize 1 and α = 0 this is greedy search exactly.
 */
import { ValueError } from "../../errors.js";
import { type Decoder, type Hypothesis, type SearchOptions, rowsOf } from "./decode-step.js";
import { type LengthPenalty, lengthPenalty } from "./length-penalty.js";

export interface BeamSearchOptions extends SearchOptions {
  beamSize: number;
  /** Default { kind: "power", alpha: 0 }: no normalisation. */
  lengthPenalty?: LengthPenalty;
}

interface Live {
  tokens: number[];
  score: number;
  attention: number[][];
}

interface Candidate {
  from: number;
  token: number;
  score: number;
}

/** Indices of the k largest entries of a row, largest first (lower index first among ties). */
function topK(row: Float64Array, k: number): number[] {
  const idx = Array.from(row.keys());
  idx.sort((a, b) => (row[b] as number) - (row[a] as number) || a - b);
  return idx.slice(0, k);
}

/**
 * Returns the finished hypotheses, best normalised score first. `initial` is the decoder state of the
 * single source sentence (n = 1).
 */
export function beamSearch<State>(decoder: Decoder<State>, initial: State, options: BeamSearchOptions): Hypothesis[] {
  const { beamSize, maxLength, eosId } = options;
  if (!(Number.isInteger(beamSize) && beamSize >= 1)) throw new ValueError(`beamSearch: beamSize must be an integer ≥ 1, got ${beamSize}`);
  if (!(Number.isInteger(maxLength) && maxLength >= 1)) throw new ValueError(`beamSearch: maxLength must be an integer ≥ 1, got ${maxLength}`);
  const penalty = options.lengthPenalty ?? { kind: "power", alpha: 0 };
  const finish = (h: Live): Hypothesis => ({ ...h, normalizedScore: h.score / lengthPenalty(h.tokens.length, penalty) });

  const finished: Hypothesis[] = [];
  let alive: Live[] = [{ tokens: [], score: 0, attention: [] }];
  let state = initial;
  for (let t = 0; t < maxLength; t++) {
    const step = decoder.step(alive.map((h) => h.tokens.at(-1) ?? options.bosId), state);
    const logProbs = rowsOf(step.logProbs);
    const attention = step.attention ? rowsOf(step.attention) : null;
    const candidates: Candidate[] = [];
    alive.forEach((h, i) => {
      const row = logProbs[i] as Float64Array;
      for (const token of topK(row, 2 * beamSize)) candidates.push({ from: i, token, score: h.score + (row[token] as number) });
    });
    candidates.sort((a, b) => b.score - a.score || a.from - b.from || a.token - b.token);

    const extend = (c: Candidate): Live => {
      const parent = alive[c.from] as Live;
      const attn = attention ? [...parent.attention, Array.from(attention[c.from] as Float64Array)] : parent.attention;
      return { tokens: [...parent.tokens, c.token], score: c.score, attention: attn };
    };
    const next: Candidate[] = [];
    for (const [rank, c] of candidates.entries()) {
      if (c.token === eosId) {
        if (rank < beamSize && c.score > -Infinity) finished.push(finish(extend(c)));
      } else if (next.length < beamSize) {
        next.push(c);
      }
      if (next.length === beamSize && rank >= beamSize - 1) break;
    }
    const nextAlive = next.filter((c) => c.score > -Infinity).map(extend);
    if (t === maxLength - 1) {
      finished.push(...nextAlive.map(finish));
      break;
    }
    if (nextAlive.length === 0) break;
    if (finished.length >= beamSize) {
      const best = Math.max(...finished.map((h) => h.normalizedScore));
      const bound = Math.max(...nextAlive.map((h) => h.score)) / lengthPenalty(maxLength, penalty);
      if (best >= bound) break;
    }
    state = decoder.reorder(step.state, next.slice(0, nextAlive.length).map((c) => c.from));
    alive = nextAlive;
  }
  return finished.sort((a, b) => b.normalizedScore - a.normalizedScore);
}
