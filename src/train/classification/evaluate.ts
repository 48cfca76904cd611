/**
 * Scoring a sequence classifier: class probabilities for encoded texts (batched by length, so each
 * batch pads little), and the report users read — accuracy, precision, recall, F1 (of the positive
 * class for two classes, scikit-learn's average="binary"; the unweighted mean over classes, "macro",
 * otherwise), mean cross-entropy, and the confusion matrix (rows: true class, columns: predicted).
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { ValueError } from "../../errors.js";
import { accuracy, confusionMatrix, f1, precision, recall } from "../../metrics/index.js";
import { softmax } from "../../ops/index.js";
import type { SequenceClassifier } from "./classifier.js";
import { classificationBatch, type ClassificationInputs } from "./inputs.js";

/**
 * Class probabilities [n][classes] for every encoded text, in input order. Sequences are batched in
 * order of length (ties by index) so that each batch pads to a near-equal length; the model is put in
 * evaluation mode (no dropout) and back.
 */
export function predictProbabilities(model: SequenceClassifier, inputs: ClassificationInputs, batchSize: number): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`predictProbabilities: batchSize must be a positive integer, got ${batchSize}`);
  const order = inputs.ids.map((_, i) => i).sort((a, b) => (inputs.ids[a] as Int32Array).length - (inputs.ids[b] as Int32Array).length || a - b);
  const out: number[][] = new Array<number[]>(order.length);
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let start = 0; start < order.length; start += batchSize) {
        const indices = order.slice(start, start + batchSize);
        const batch = classificationBatch(inputs, indices);
        const probs = softmax(model.forward(batch.inputIds, { attentionMask: batch.attentionMask }).logits, -1); // [B, classes]
        const k = probs.shape[1] as number;
        const values = probs.toTypedArray();
        indices.forEach((index, row) => {
          out[index] = Array.from(values.subarray(row * k, (row + 1) * k) as Float32Array);
        });
      }
    });
  } finally {
    if (wasTraining) model.train();
  }
  return out;
}

/** The figures of a classifier on a labelled set. */
export interface ClassificationReport {
  examples: number;
  /** Mean cross-entropy −ln p(true class), in nats. */
  loss: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** "binary": of class 1 (the positive class, e.g. spam); "macro": the mean over classes. */
  average: "binary" | "macro";
  /** [true class][predicted class] counts, classes in id order. */
  confusion: number[][];
}

/** The predicted class of each probability row (the first of equal maxima). */
export function argmaxRows(probabilities: readonly (readonly number[])[]): number[] {
  return probabilities.map((p) => p.reduce((best, v, i) => (v > (p[best] as number) ? i : best), 0));
}

/** Scores probabilities against true class ids; `classes` fixes the confusion matrix's size. */
export function classificationReport(yTrue: readonly number[], probabilities: readonly (readonly number[])[], classes: number): ClassificationReport {
  if (yTrue.length !== probabilities.length) throw new ValueError(`classificationReport: ${yTrue.length} labels but ${probabilities.length} predictions`);
  if (yTrue.length === 0) throw new ValueError("classificationReport: no examples");
  const yPred = argmaxRows(probabilities);
  const labels = Array.from({ length: classes }, (_, i) => i);
  const average = classes === 2 ? "binary" : "macro";
  const options = average === "binary" ? { average, posLabel: 1 } as const : { average, labels } as const;
  let loss = 0;
  yTrue.forEach((y, i) => {
    loss -= Math.log(Math.max((probabilities[i] as readonly number[])[y] ?? 0, 1e-12));
  });
  return {
    examples: yTrue.length,
    loss: loss / yTrue.length,
    accuracy: accuracy(yTrue, yPred),
    precision: precision(yTrue, yPred, options),
    recall: recall(yTrue, yPred, options),
    f1: f1(yTrue, yPred, options),
    average,
    confusion: confusionMatrix(yTrue, yPred, { labels }),
  };
}

/** The report as printed lines: one line of figures, then the confusion matrix with class names. */
export function formatReport(title: string, report: ClassificationReport, labels: readonly string[]): string[] {
  const scored = report.average === "binary" ? ` (${labels[1] ?? "class 1"})` : " (macro)";
  const lines = [
    `${title}: accuracy ${(100 * report.accuracy).toFixed(2)}% | precision ${report.precision.toFixed(4)} | recall ${report.recall.toFixed(4)} | F1 ${report.f1.toFixed(4)}${scored} | loss ${report.loss.toFixed(4)} | ${report.examples} examples`,
  ];
  const corner = "true \\ predicted";
  const first = Math.max(corner.length, ...labels.map((l) => l.length));
  const width = Math.max(6, ...labels.map((l) => l.length), ...report.confusion.flat().map((n) => String(n).length));
  lines.push(`  ${corner.padEnd(first)} ${labels.map((l) => l.padStart(width)).join(" ")}`);
  report.confusion.forEach((row, i) => lines.push(`  ${(labels[i] ?? String(i)).padEnd(first)} ${row.map((n) => String(n).padStart(width)).join(" ")}`));
  return lines;
}
