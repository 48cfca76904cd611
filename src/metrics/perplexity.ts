/**
 * Perplexity of a language model: exp of the mean negative log-likelihood per token (natural log),
 * i.e. exp of the mean token cross-entropy.
 */
import { ValueError } from "../errors.js";
import { type MetricInput, readInput } from "./input.js";

/**
 * exp(meanNll) for a mean negative log-likelihood in nats, such as a cross-entropy loss.
 * @example perplexity(Math.log(50257)) // 50257: a uniform guess over GPT-2's vocabulary
 */
export function perplexity(meanNll: number): number {
  if (Number.isNaN(meanNll)) throw new ValueError(`perplexity: meanNll is NaN`);
  return Math.exp(meanNll);
}

/**
 * Perplexity from the log-probabilities (natural log) the model gave each target token, any shape:
 * exp(-mean(logProbs)).
 * @example perplexityFromLogProbs([Math.log(0.5), Math.log(0.125)]) // exp((ln 2 + ln 8) / 2) = 4
 */
export function perplexityFromLogProbs(logProbs: MetricInput): number {
  const metric = "perplexityFromLogProbs";
  const { data } = readInput(metric, "logProbs", logProbs);
  if (data.length === 0) throw new ValueError(`${metric}: logProbs is empty`);
  checkLogProbs(metric, data);
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum -= data[i];
  return Math.exp(sum / data.length);
}

/** Log-probabilities are at most 0; -Infinity (probability 0) is allowed and gives Infinity. */
export function checkLogProbs(metric: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!(data[i] <= 0)) throw new ValueError(`${metric}: logProbs[${i}] = ${data[i]} is not a log-probability`);
  }
}
