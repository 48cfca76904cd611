/** Choosing the next token of one row from its logits: greedy or sampled after the processors. */
import type { Generator } from "../tensor/rng.js";
import type { LogitRow } from "./decoder-step.js";
import { applyRepetitionPenalty, applyTemperature, argmax, sampleFromProbs, softmaxRow, topKFilter, topPFilter } from "./processors.js";

/** How the next token is chosen from the logits: temperature, top-k, top-p, repetition penalty. */
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
export function chooseNextToken(logits: LogitRow, context: readonly number[], s: SamplingSettings): number {
  if (s.repetitionPenalty === 1 && s.temperature === 0) return argmax(logits);
  const row = logits instanceof Float32Array ? logits : Float32Array.from(logits);
  let l = s.repetitionPenalty !== 1 ? applyRepetitionPenalty(row, context, s.repetitionPenalty) : row;
  if (s.temperature === 0) return argmax(l);
  if (s.temperature !== 1) l = applyTemperature(l, s.temperature);
  if (s.topK > 0) l = topKFilter(l, s.topK);
  if (s.topP < 1) l = topPFilter(l, s.topP);
  return sampleFromProbs(softmaxRow(l), s.generator.random());
}
