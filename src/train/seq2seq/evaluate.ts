/**
 * Scoring a task model on examples: decode every source (greedy or beam search, in batches), turn the
 * ids back into tokens, and count word and token error rates against all references
 * (metrics/sequence-error-rates.ts).
 */
import { type SequenceErrorRates, sequenceErrorRates } from "../../metrics/sequence-error-rates.js";
import { type PredictOptions, type TaskModel, predictTargets } from "./models.js";
import type { Seq2SeqExample } from "./task.js";
import type { PairVocabulary } from "./vocabulary.js";

/** Error rates of one decoding of some examples, with the predictions and the time it took. */
export interface TaskScore {
  rates: SequenceErrorRates;
  /** Predicted target tokens, one list per example. */
  predictions: string[][];
  /** Wall-clock seconds of the decoding. */
  seconds: number;
}

/** Decodes `examples` (greedy, or beam search with options.numBeams) and scores them. */
export function scoreExamples(model: TaskModel, vocab: PairVocabulary, examples: readonly Seq2SeqExample[], options: PredictOptions = {}): TaskScore {
  const t0 = performance.now();
  const ids = predictTargets(model, examples.map((e) => vocab.encodeSource(e.source)), options);
  const predictions = ids.map((p) => vocab.decodeTarget(p));
  const seconds = (performance.now() - t0) / 1000;
  return { rates: sequenceErrorRates(predictions, examples.map((e) => e.references)), predictions, seconds };
}

/** "WER 24.1% PER 5.9%" (greedy or beam, as the caller labels it). */
export function formatRates(r: SequenceErrorRates): string {
  return `WER ${(100 * r.wordErrorRate).toFixed(2)}% PER ${(100 * r.tokenErrorRate).toFixed(2)}%`;
}
