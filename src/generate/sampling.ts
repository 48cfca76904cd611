/**
 * Greedy decoding and sampling over a batch of equal-length prompts, one step at a time.
 */
import type { CausalLanguageModel } from "./language-model.js";
import { ModelRunner, enterEvalMode } from "./model-runner.js";
import { chooseNextToken } from "./next-token.js";
import type { ResolvedGenerateOptions } from "./options.js";

/** Marks a row that has already stopped in a step's tokens. */
export const FINISHED = -1;

/**
 * Yields, per step, the next token of every row (FINISHED for rows that stopped earlier). A row stops
 * after yielding one of `stopIds`; the loop ends when every row has stopped or after maxNewTokens steps.
 * Rows are sampled in order, one generator draw each, so a seed fixes the result. The model is in eval
 * mode while the generator runs (restored when it finishes or is closed early).
 */
export function* sampleSteps(model: CausalLanguageModel, prompts: readonly (readonly number[])[], o: ResolvedGenerateOptions): Generator<number[], void, undefined> {
  const restoreMode = enterEvalMode(model);
  try {
    const runner = new ModelRunner(model, o.useCache);
    const contexts = prompts.map((p) => [...p]);
    const done = prompts.map(() => false);
    for (let step = 0; step < o.maxNewTokens; step++) {
      const logits = runner.next(contexts);
      const tokens = contexts.map((context, b) => {
        if (done[b]) return FINISHED;
        const id = chooseNextToken(logits[b] as Float32Array, context, o);
        if (o.stopIds.has(id)) done[b] = true;
        return id;
      });
      // A stopped row keeps being fed its last token so the batch stays rectangular; its output is ignored.
      tokens.forEach((id, b) => (contexts[b] as number[]).push(id === FINISHED ? (contexts[b] as number[]).at(-1) as number : id));
      yield tokens;
      if (done.every(Boolean)) return;
    }
  } finally {
    restoreMode();
  }
}
