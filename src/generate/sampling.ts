/**
 * Greedy decoding and sampling over a batch of equal-length rows, one step at a time, through the one
 * decoder-step interface (decoder-only and encoder–decoder models alike).
 */
import type { DecoderStep, LogitRow } from "./decoder-step.js";
import { chooseNextToken } from "./next-token.js";
import type { ResolvedGenerateOptions } from "./options.js";

/** Marks a row that has already stopped in a step's tokens. */
export const FINISHED = -1;

/** One sampled step: the next token of each row and the logits it was chosen from. */
export interface SampledStep {
  /** The next token of every row (FINISHED for rows that stopped earlier). */
  tokens: number[];
  /** The logits each token was chosen from. */
  logits: LogitRow[];
  /** The step's attention over the source per row, when the decoder gives it. */
  attention?: Float64Array[];
}

/**
 * Yields, per step, the next token of every row. A row stops after yielding one of `stopIds`; the loop
 * ends when every row has stopped or after maxNewTokens steps. Rows are sampled in order, one
 * generator draw each, so a seed fixes the result (temperature 0 is greedy: no draws).
 */
export function* sampleSteps(step: DecoderStep, prompts: readonly (readonly number[])[], o: ResolvedGenerateOptions): Generator<SampledStep, void, undefined> {
  const contexts = prompts.map((p) => [...p]);
  const done = prompts.map(() => false);
  for (let t = 0; t < o.maxNewTokens; t++) {
    const { logits, attention } = step.next(contexts);
    const tokens = contexts.map((context, b) => {
      if (done[b]) return FINISHED;
      const id = chooseNextToken(logits[b] as LogitRow, context, o);
      if (o.stopIds.has(id)) done[b] = true;
      return id;
    });
    // A stopped row keeps being fed its last token so the batch stays rectangular; its output is ignored.
    tokens.forEach((id, b) => (contexts[b] as number[]).push(id === FINISHED ? (contexts[b] as number[]).at(-1) as number : id));
    yield attention ? { tokens, logits, attention } : { tokens, logits };
    if (done.every(Boolean)) return;
  }
}
