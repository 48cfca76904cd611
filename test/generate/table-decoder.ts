/**
 * A hand-made decoder step for the decoding tests: next-token probabilities are a function of the
 * prefix generated so far, given as a table (log-probabilities in float64 are the logits).
 */
import type { DecoderStep, StepResult } from "../../src/generate/index.js";

export function tableStep(vocab: number, probabilities: (prefix: readonly number[]) => readonly number[]): DecoderStep {
  return {
    next(rows: readonly (readonly number[])[]): StepResult {
      const logits = rows.map((r) => {
        const probs = probabilities(r.slice(1)); // without the start token
        if (probs.length !== vocab) throw new Error(`table: ${probs.length} probabilities for ${vocab} tokens`);
        return Float64Array.from(probs, (x) => Math.log(x));
      });
      return { logits };
    },
    reorder(): void {}, // the state is the rows themselves
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
