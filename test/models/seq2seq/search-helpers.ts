/**
 * A hand-made decoder for the search tests: next-token probabilities are a function of the prefix
 * generated so far, given as a table; the state is the list of prefixes.
 */
import { tensor } from "../../../src/index.js";
import type { Decoder, StepOutput } from "../../../src/models/seq2seq/decode-step.js";

export type Prefixes = number[][];

export function tableDecoder(vocab: number, probabilities: (prefix: readonly number[]) => readonly number[]): Decoder<Prefixes> {
  return {
    step(tokens: readonly number[], state: Prefixes): StepOutput<Prefixes> {
      const next = state.map((p, i) => [...p, tokens[i] as number]);
      const rows = next.map((p) => {
        const probs = probabilities(p.slice(1)); // without BOS
        if (probs.length !== vocab) throw new Error(`table: ${probs.length} probabilities for ${vocab} tokens`);
        return probs.map((x) => Math.log(x));
      });
      return { logProbs: tensor(rows, { dtype: "float64" }), state: next };
    },
    reorder(state: Prefixes, rows: readonly number[]): Prefixes {
      return rows.map((r) => state[r] as number[]);
    },
  };
}

/** Every sequence up to maxLength (ending at EOS, or cut at maxLength) with its log-probability. */
export function enumerate(probabilities: (prefix: readonly number[]) => readonly number[], eos: number, maxLength: number): { tokens: number[]; score: number }[] {
  const out: { tokens: number[]; score: number }[] = [];
  const walk = (prefix: number[], score: number): void => {
    const probs = probabilities(prefix);
    probs.forEach((p, v) => {
      if (p === 0) return;
      const tokens = [...prefix, v];
      const s = score + Math.log(p);
      if (v === eos || tokens.length === maxLength) out.push({ tokens, score: s });
      else walk(tokens, s);
    });
  };
  walk([], 0);
  return out;
}
