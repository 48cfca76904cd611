/**
 * Streaming ROC AUC. The area depends on the ranking of all scores together, so this keeps every
 * label and score (8 bytes per score) and computes `aucRoc` over them at the end.
 */
import { ShapeError } from "../../errors.js";
import { type MetricInput, checkSameLength, readInput, readVector } from "../input.js";
import { type AucRocOptions, aucRoc } from "../roc.js";
import type { StreamingMetric } from "./metric.js";

const NAME = "AucRoc";

/** AUC-ROC accumulated over batches (keeps the scores, computes exactly at the end). */
export class AucRoc implements StreamingMetric<number> {
  private labels: number[] = [];
  private scores: number[] = [];
  /** Columns of the score matrices seen so far; 0 for 1-D binary scores, null before any update. */
  private columns: number | null = null;

  /** Options as for `aucRoc`. */
  constructor(private readonly options: AucRocOptions = {}) {}

  /** yPred: binary scores [n], or class scores [n, classes] with yTrue holding class indices. */
  update(yTrue: MetricInput, yPred: MetricInput): void {
    const t = readVector(NAME, "yTrue", yTrue);
    const { data, shape } = readInput(NAME, "scores", yPred);
    const columns = shape.length === 2 && shape[1] > 1 ? shape[1] : 0;
    if (columns === 0) readVector(NAME, "scores", yPred);
    checkSameLength(NAME, t.length, columns === 0 ? data.length : shape[0], "scores");
    if (this.columns !== null && this.columns !== columns) {
      throw new ShapeError(`${NAME}: scores had ${this.columns || 1} column(s) before, now ${columns || 1}`);
    }
    this.columns = columns;
    for (let i = 0; i < t.length; i++) this.labels.push(t[i]);
    for (let i = 0; i < data.length; i++) this.scores.push(data[i]);
  }

  compute(): number {
    const columns = this.columns ?? 0;
    const scores =
      columns === 0
        ? this.scores
        : { shape: [this.labels.length, columns], toTypedArray: (): ArrayLike<number> => this.scores };
    return aucRoc(this.labels, scores, this.options);
  }

  reset(): void {
    this.labels = [];
    this.scores = [];
    this.columns = null;
  }
}
