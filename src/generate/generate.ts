/**
 * `generate`: token ids in, generated token ids out (the prompt and stop ids are not included), for a
 * decoder-only model. Every path runs through the decoder-step interface (decoder-step.ts), as
 * encoder–decoder decoding does (`decode`).
 */
import { noGrad } from "../autograd/grad-mode.js";
import { ShapeError, ValueError } from "../errors.js";
import { type BeamHypothesis, beamSearch } from "./beam-search.js";
import { CausalLanguageModelStep, enterEvalMode, inEvalMode } from "./causal-step.js";
import type { DecoderStep, LogitRow } from "./decoder-step.js";
import type { CausalLanguageModel } from "./language-model.js";
import { type GenerateOptions, type ResolvedGenerateOptions, resolveGenerateOptions } from "./options.js";
import { logSoftmaxRow } from "./processors.js";
import { FINISHED, sampleSteps } from "./sampling.js";

function checkPrompt(prompt: readonly number[], vocabSize: number): void {
  if (prompt.length === 0) throw new ValueError("generate: the prompt must hold at least one token");
  for (const id of prompt) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new ValueError(`generate: prompt token ${id} is outside the vocabulary [0, ${vocabSize})`);
  }
}

/** Equal-length rows as one batch; the tokens generated for each (stop ids dropped). */
function sampleBatch(step: DecoderStep, prompts: readonly (readonly number[])[], o: ResolvedGenerateOptions): number[][] {
  const out = prompts.map((): number[] => []);
  for (const { tokens } of sampleSteps(step, prompts, o)) {
    tokens.forEach((id, b) => {
      if (id !== FINISHED && !o.stopIds.has(id)) (out[b] as number[]).push(id);
    });
  }
  return out;
}

/** The best hypothesis's tokens without a final stop id. */
function bestTokens(hyps: readonly BeamHypothesis[], o: ResolvedGenerateOptions): number[] {
  const tokens = hyps[0]?.tokens ?? [];
  return tokens.length > 0 && o.stopIds.has(tokens.at(-1) as number) ? tokens.slice(0, -1) : tokens;
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
  prompts.forEach((p) => checkPrompt(p, model.config.vocab_size));
  const o = resolveGenerateOptions(options, model.config.vocab_size);
  const newStep = () => new CausalLanguageModelStep(model, o.useCache);
  const results = inEvalMode(model, () => noGrad(() => {
    if (o.numBeams > 1) return prompts.map((p) => bestTokens(beamSearch(newStep(), p, o), o));
    if (prompts.every((p) => p.length === (prompts[0] as readonly number[]).length)) return sampleBatch(newStep(), prompts, o);
    return prompts.map((p) => sampleBatch(newStep(), [p], o)[0] as number[]);
  }));
  return single ? (results[0] as number[]) : results;
}

/**
 * Yields the generated token ids of one prompt one at a time (stop ids not yielded; sampling or greedy
 * only — beam search knows its result only at the end). Closing the iterator early stops generation.
 * The model stays in eval mode until the iterator finishes or is closed.
 */
export function* generateTokens(model: CausalLanguageModel, promptIds: readonly number[], options: GenerateOptions = {}): Generator<number, void, undefined> {
  checkPrompt(promptIds, model.config.vocab_size);
  const o = resolveGenerateOptions(options, model.config.vocab_size);
  if (o.numBeams > 1) {
    yield* generate(model, promptIds, options);
    return;
  }
  const restoreMode = enterEvalMode(model);
  try {
    for (const { tokens: [id] } of sampleSteps(new CausalLanguageModelStep(model, o.useCache), [promptIds], o)) {
      if (id === undefined || id === FINISHED || o.stopIds.has(id)) return;
      yield id;
    }
  } finally {
    restoreMode();
  }
}

export interface DecodeResult {
  /** Generated tokens, ending with the stop id when one ended them. */
  tokens: number[];
  /** Σ log p of the tokens (under the distribution they were chosen from, before any processor). */
  score: number;
  /** score / lp(length) for beam search; the score for greedy decoding and sampling. */
  normalizedScore: number;
  /** One row of source attention per generated token, when the decoder gives it. */
  attention: number[][];
}

/**
 * Decodes through any decoder step (e.g. an encoder–decoder model's over one encoded batch): beam
 * search when numBeams > 1 (one start row: the finished hypotheses, best first), else greedy decoding
 * or sampling of every start row (one result per row). Tokens include the stop id that ended them.
 * The caller runs it without gradients and with the model in eval mode.
 */
export function decode(step: DecoderStep, startRows: readonly (readonly number[])[], vocabSize: number, options: GenerateOptions = {}): DecodeResult[] {
  const o = resolveGenerateOptions(options, vocabSize);
  if (o.numBeams > 1) {
    if (startRows.length !== 1) throw new ValueError(`decode: beam search takes one start row, got ${startRows.length}`);
    return beamSearch(step, startRows[0] as readonly number[], o);
  }
  const out: DecodeResult[] = startRows.map(() => ({ tokens: [], score: 0, normalizedScore: 0, attention: [] }));
  for (const { tokens, logits, attention } of sampleSteps(step, startRows, o)) {
    tokens.forEach((id, b) => {
      if (id === FINISHED) return;
      const r = out[b] as DecodeResult;
      r.tokens.push(id);
      r.score += logSoftmaxRow(logits[b] as LogitRow)[id] as number;
      const row = attention?.[b];
      if (row) r.attention.push(Array.from(row));
    });
  }
  for (const r of out) r.normalizedScore = r.score;
  return out;
}
