/**
 * Streaming perplexity: a token-weighted running mean of the negative log-likelihood, so batches with
 * different numbers of tokens count in proportion to their tokens. Its `update` takes a batch's mean
 * NLL (a cross-entropy loss) and token count rather than (yTrue, yPred).
 */
import { ValueError } from "../../errors.js";
import { type MetricInput, readInput } from "../input.js";
import { checkLogProbs } from "../perplexity.js";

/** Perplexity accumulated over batches: exp of the token-weighted mean cross-entropy. */
export class Perplexity {
  private nllSum = 0;
  private tokens = 0;

  /** Adds a batch of `tokenCount` tokens whose mean negative log-likelihood (nats) is `meanNll`. */
  update(meanNll: number, tokenCount: number): void {
    if (!Number.isInteger(tokenCount) || tokenCount < 0) {
      throw new ValueError(`Perplexity: tokenCount must be a non-negative integer, got ${tokenCount}`);
    }
    if (Number.isNaN(meanNll)) throw new ValueError(`Perplexity: meanNll is NaN`);
    if (tokenCount === 0) return;
    this.nllSum += meanNll * tokenCount;
    this.tokens += tokenCount;
  }

  /** Adds the log-probabilities (natural log) the model gave each target token, any shape. */
  updateLogProbs(logProbs: MetricInput): void {
    const { data } = readInput("Perplexity", "logProbs", logProbs);
    checkLogProbs("Perplexity", data);
    for (let i = 0; i < data.length; i++) this.nllSum -= data[i];
    this.tokens += data.length;
  }

  /** Mean NLL per token so far (NaN before any token). */
  meanNll(): number {
    return this.nllSum / this.tokens;
  }

  /** exp(mean NLL per token). */
  compute(): number {
    return Math.exp(this.meanNll());
  }

  reset(): void {
    this.nllSum = 0;
    this.tokens = 0;
  }
}
