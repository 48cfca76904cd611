/**
 * The losses of the encoder heads (BERT, RoBERTa, ALBERT, DistilBERT), as transformers computes them:
 * token cross-entropy with −100 ignored, sequence classification (MSE regression when num_labels = 1),
 * and question answering's clamped-position loss. Labels out of range are named errors.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { crossEntropy, mseLoss } from "../../losses/index.js";
import { add, mul, reshape, squeeze } from "../../ops/index.js";
import { tensor } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";

/** Mean cross-entropy of token logits [B, T, V] against labels [B, T] (−100 ignored); labels out of range are named. */
export function tokenLoss(logits: Tensor, labels: Tensor, op: string): Tensor {
  const [B, T, V] = logits.shape as [number, number, number];
  if (labels.ndim !== 2 || labels.shape[0] !== B || labels.shape[1] !== T) {
    throw new ShapeError(`${op}: labels ${formatShape(labels.shape)} must be [B, T] = [${B}, ${T}]`);
  }
  checkClassLabels(labels, V, op, "labels");
  return crossEntropy(reshape(logits, [B * T, V]), reshape(labels, [B * T])); // [B·T, V] against [B·T]
}

/** Each label must be −100 (ignored) or a class in [0, classes). */
export function checkClassLabels(labels: Tensor, classes: number, op: string, field: string): void {
  if (labels.dtype !== "int32") throw new ValueError(`${op}: ${field} must be int32 class ids, got ${labels.dtype}`);
  const values = labels.toTypedArray();
  for (let i = 0; i < values.length; i++) {
    const y = values[i] as number;
    if (y !== -100 && (y < 0 || y >= classes)) throw new ValueError(`${op}: ${field}[${i}] = ${y} is outside [0, ${classes}) (and is not −100, the ignored label)`);
  }
}

/**
 * Sequence-classification loss of logits [B, num_labels]: cross-entropy against [B] int32 classes, or,
 * when num_labels = 1, mean squared error against [B] floats (transformers' problem_type "regression").
 */
export function sequenceClassificationLoss(logits: Tensor, labels: Tensor, numLabels: number, op: string): Tensor {
  const B = logits.shape[0] as number;
  if (labels.ndim !== 1 || labels.shape[0] !== B) throw new ShapeError(`${op}: labels ${formatShape(labels.shape)} must be [B] = [${B}]`);
  if (numLabels === 1) {
    if (labels.dtype !== "float32" && labels.dtype !== "float64") throw new ValueError(`${op}: num_labels = 1 is regression; labels must be floating point, got ${labels.dtype}`);
    return mseLoss(squeeze(logits, 1), labels.to(logits.dtype));
  }
  checkClassLabels(labels, numLabels, op, "labels");
  return crossEntropy(logits, labels);
}

/** Answer positions for a question-answering head's loss. */
export interface QuestionAnsweringPositions {
  /** [B] int32: the answer's first and last token; positions outside [0, T) are clamped to T and ignored, as transformers. */
  startPositions?: Tensor;
  endPositions?: Tensor;
}

/** Positions [B] clamped to [0, T] (T then means "no answer here" and is the ignored class). */
function clampPositions(positions: Tensor, B: number, T: number, op: string, field: string): Tensor {
  if (positions.ndim !== 1 || positions.shape[0] !== B) throw new ShapeError(`${op}: ${field} ${formatShape(positions.shape)} must be [B] = [${B}]`);
  if (positions.dtype !== "int32") throw new ValueError(`${op}: ${field} must be int32 token positions, got ${positions.dtype}`);
  return tensor([...positions.toTypedArray()].map((p) => Math.min(Math.max(p as number, 0), T)), { dtype: "int32" });
}

/**
 * transformers' question-answering loss: the mean of the start and end cross-entropies over logits
 * [B, T], positions clamped to [0, T] and T ignored; null without positions.
 */
export function questionAnsweringLoss(startLogits: Tensor, endLogits: Tensor, positions: QuestionAnsweringPositions, op: string): Tensor | null {
  const { startPositions, endPositions } = positions;
  if ((startPositions === undefined) !== (endPositions === undefined)) throw new ValueError(`${op}: give both startPositions and endPositions, or neither`);
  if (startPositions === undefined || endPositions === undefined) return null;
  const [B, T] = startLogits.shape as [number, number];
  const ignoreIndex = T;
  const start = crossEntropy(startLogits, clampPositions(startPositions, B, T, op, "startPositions"), { ignoreIndex });
  const end = crossEntropy(endLogits, clampPositions(endPositions, B, T, op, "endPositions"), { ignoreIndex });
  return mul(add(start, end), 0.5);
}
