/**
 * Greedy decoding of a batch: each row takes its most probable next token until it emits EOS or
 * reaches maxLength. Rows that finished keep being fed EOS (their outputs are ignored) so the batch
 * stays rectangular.
 */
import { ValueError } from "../../errors.js";
import { type Decoder, type Hypothesis, type SearchOptions, rowsOf } from "./decode-step.js";

export function greedySearch<State>(decoder: Decoder<State>, initial: State, batchSize: number, options: SearchOptions): Hypothesis[] {
  if (!(Number.isInteger(options.maxLength) && options.maxLength >= 1)) throw new ValueError(`greedySearch: maxLength must be ≥ 1, got ${options.maxLength}`);
  const out: Hypothesis[] = Array.from({ length: batchSize }, () => ({ tokens: [], score: 0, normalizedScore: 0, attention: [] }));
  const done = new Array<boolean>(batchSize).fill(false);
  let state = initial;
  let last = new Array<number>(batchSize).fill(options.bosId);
  for (let t = 0; t < options.maxLength && done.includes(false); t++) {
    const step = decoder.step(last, state);
    state = step.state;
    const logProbs = rowsOf(step.logProbs);
    const attention = step.attention ? rowsOf(step.attention) : null;
    last = last.map((prev, b) => {
      if (done[b]) return options.eosId;
      const row = logProbs[b] as Float64Array;
      let best = 0;
      for (let v = 1; v < row.length; v++) if ((row[v] as number) > (row[best] as number)) best = v;
      const h = out[b] as Hypothesis;
      h.tokens.push(best);
      h.score += row[best] as number;
      if (attention) h.attention.push(Array.from(attention[b] as Float64Array));
      if (best === options.eosId) done[b] = true;
      return best;
    });
  }
  for (const h of out) h.normalizedScore = h.score;
  return out;
}
