/** Choosing the next token of one row from its logits: greedy or sampled after the processors. */
import type { Generator } from "../tensor/rng.js";
import { applyRepetitionPenalty, applyTemperature, argmax, sampleFromProbs, softmaxRow, topKFilter, topPFilter } from "./processors.js";

export interface SamplingSettings {
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  generator: Generator;
}

/**
 * Repetition penalty → (temperature 0: argmax) → temperature → top-k → top-p → one draw from the
 * generator (one `random()` per sampled token, so a seed fixes the whole sequence).
 */
export function chooseNextToken(logits: Float32Array, context: readonly number[], s: SamplingSettings): number {
  let l = s.repetitionPenalty !== 1 ? applyRepetitionPenalty(logits, context, s.repetitionPenalty) : logits;
  if (s.temperature === 0) return argmax(l);
  if (s.temperature !== 1) l = applyTemperature(l, s.temperature);
  if (s.topK > 0) l = topKFilter(l, s.topK);
  if (s.topP < 1) l = topPFilter(l, s.topP);
  return sampleFromProbs(softmaxRow(l), s.generator.random());
}
