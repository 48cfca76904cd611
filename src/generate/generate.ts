/**
 * `generate`: token ids in, generated token ids out (the prompt and stop ids are not included).
 */
import { ShapeError, ValueError } from "../errors.js";
import { beamSearch } from "./beam-search.js";
import type { CausalLanguageModel } from "./language-model.js";
import { inEvalMode } from "./model-runner.js";
import { type GenerateOptions, type ResolvedGenerateOptions, resolveGenerateOptions } from "./options.js";
import { FINISHED, sampleSteps } from "./sampling.js";

function checkPrompt(model: CausalLanguageModel, prompt: readonly number[]): void {
  if (prompt.length === 0) throw new ValueError("generate: the prompt must hold at least one token");
  const V = model.config.vocab_size;
  for (const id of prompt) {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new ValueError(`generate: prompt token ${id} is outside the vocabulary [0, ${V})`);
  }
}

/** Equal-length prompts as one batch; the tokens generated for each (stop ids dropped). */
function sampleBatch(model: CausalLanguageModel, prompts: readonly (readonly number[])[], o: ResolvedGenerateOptions): number[][] {
  const out = prompts.map((): number[] => []);
  for (const tokens of sampleSteps(model, prompts, o)) {
    tokens.forEach((id, b) => {
      if (id !== FINISHED && !o.stopIds.has(id)) (out[b] as number[]).push(id);
    });
  }
  return out;
}

/**
 * Generates a continuation of `promptIds` (one prompt, or a batch of prompts) and returns the new token
 * ids only. Sampling with temperature/topK/topP (temperature 0 → greedy), or beam search when
 * numBeams > 1. Generation ends at maxNewTokens or at a stop id, which is not returned.
 *
 * A batch of equal-length prompts runs as one [B, T] batch (sampled rows draw from the generator in row
 * order each step); prompts of different lengths, and beam search, run one prompt after another.
 * Runs without gradient recording, with the model in eval mode (its previous mode is restored).
 */
export function generate(model: CausalLanguageModel, promptIds: readonly number[], options?: GenerateOptions): number[];
export function generate(model: CausalLanguageModel, promptIds: readonly (readonly number[])[], options?: GenerateOptions): number[][];
export function generate(model: CausalLanguageModel, promptIds: readonly number[] | readonly (readonly number[])[], options: GenerateOptions = {}): number[] | number[][] {
  const single = promptIds.length === 0 || !Array.isArray(promptIds[0]);
  const prompts = (single ? [promptIds] : promptIds) as readonly (readonly number[])[];
  if (!single && prompts.some((p) => !Array.isArray(p))) throw new ShapeError("generate: promptIds must be number[] or number[][]");
  prompts.forEach((p) => checkPrompt(model, p));
  const o = resolveGenerateOptions(options, model.config.vocab_size);
  const results = inEvalMode(model, () => {
    if (o.numBeams > 1) return prompts.map((p) => beamSearch(model, p, o));
    if (prompts.every((p) => p.length === (prompts[0] as readonly number[]).length)) return sampleBatch(model, prompts, o);
    return prompts.map((p) => sampleBatch(model, [p], o)[0] as number[]);
  });
  return single ? (results[0] as number[]) : results;
}

/**
 * Yields the generated token ids of one prompt one at a time (stop ids not yielded; sampling or greedy
 * only — beam search knows its result only at the end). Closing the iterator early stops generation.
 * The model stays in eval mode until the iterator finishes or is closed.
 */
export function* generateTokens(model: CausalLanguageModel, promptIds: readonly number[], options: GenerateOptions = {}): Generator<number, void, undefined> {
  checkPrompt(model, promptIds);
  const o = resolveGenerateOptions(options, model.config.vocab_size);
  if (o.numBeams > 1) {
    yield* generate(model, promptIds, options);
    return;
  }
  for (const [id] of sampleSteps(model, [promptIds], o)) {
    if (id === undefined || id === FINISHED || o.stopIds.has(id)) return;
    yield id;
  }
}
