/**
 * The pretraining loss and its validation figures. As Google's `run_pretraining.py`
 * (`get_masked_lm_output` gathers the masked positions first), the MLM head runs only on the predicted
 * positions: the hidden states [B, T, C] are flattened to [B·T, C] and the M labelled rows selected, so
 * the V-wide decoder costs M·C·V instead of B·T·C·V. The loss is the same as the heads' forward
 * (mean cross-entropy over labelled positions, −100 ignored; plus NSP/SOP cross-entropy), which the
 * tests check.
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { crossEntropy } from "../../losses/index.js";
import type { BertForMaskedLM, BertForPreTraining } from "../../models/bert/heads.js";
import { add, indexSelect, mul, reshape, sum } from "../../ops/index.js";
import { Tensor } from "../../tensor/tensor.js";
import type { PretrainingBatch } from "./batch.js";
import { IGNORE_INDEX } from "./masking.js";

/** The heads a pretraining run trains: MLM + a sentence-pair head, or MLM alone. */
export type PretrainingModel = BertForPreTraining | BertForMaskedLM;

/** The loss of one batch and the pieces evaluation reads. */
export interface PretrainingLoss {
  /** MLM + sentence-pair loss (the one trained on). */
  loss: Tensor;
  /** Mean cross-entropy over the predicted positions. */
  mlmLoss: Tensor;
  /** Sentence-pair cross-entropy, or null for MLM alone. */
  pairLoss: Tensor | null;
  /** [M, V] logits at the M predicted positions. */
  mlmLogits: Tensor;
  /** The M labels of those positions. */
  mlmLabels: Int32Array;
  /** [B, 2] sentence-pair logits, or null. */
  pairLogits: Tensor | null;
}

/** Whether `model` has the sentence-pair head (by its HF class name, not instanceof). */
export function hasPairHead(model: PretrainingModel): model is BertForPreTraining {
  return model.architecture === "BertForPreTraining";
}

/** The loss of `batch` (see the file comment); the batch's nextSentenceLabel is used when the model has the pair head. */
export function pretrainingLoss(model: PretrainingModel, batch: PretrainingBatch): PretrainingLoss {
  const out = model.bert.forward(batch.inputIds, { attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds }, "pretrainingLoss");
  const [B, T, C] = out.lastHiddenState.shape as [number, number, number];
  const labels = batch.labels.toTypedArray() as Int32Array;
  const positions: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] !== IGNORE_INDEX) positions.push(i);
  const mlmLabels = Int32Array.from(positions, (i) => labels[i] as number);
  const hidden = indexSelect(reshape(out.lastHiddenState, [B * T, C]), 0, new Tensor(Int32Array.from(positions), [positions.length])); // [M, C]
  const mlmLogits = model.cls.predictions.forward(hidden, model.bert.embeddings.word_embeddings.weight); // [M, V]
  // No predicted position (possible with HF masking on a tiny batch): a zero loss that keeps the graph.
  const mlmLoss = positions.length > 0 ? crossEntropy(mlmLogits, new Tensor(mlmLabels, [positions.length])) : mul(sum(out.lastHiddenState), 0);
  if (!hasPairHead(model) || batch.nextSentenceLabel === undefined) return { loss: mlmLoss, mlmLoss, pairLoss: null, mlmLogits, mlmLabels, pairLogits: null };
  const pairLogits = model.cls.seq_relationship.forward(out.poolerOutput as Tensor); // [B, 2]
  const pairLoss = crossEntropy(pairLogits, batch.nextSentenceLabel);
  return { loss: add(mlmLoss, pairLoss), mlmLoss, pairLoss, mlmLogits, mlmLabels, pairLogits };
}

/** Validation figures: MLM loss and accuracy over predicted positions, sentence-pair loss and accuracy. */
export interface PretrainEvaluation {
  /** mlmLoss + pairLoss (as the training loss). */
  loss: number;
  mlmLoss: number;
  /** Fraction of predicted positions whose arg-max is the original token. */
  mlmAccuracy: number;
  /** NSP/SOP cross-entropy, or null for MLM alone. */
  pairLoss: number | null;
  /** NSP/SOP accuracy, or null for MLM alone. */
  pairAccuracy: number | null;
  sequences: number;
  predictions: number;
}

/** Row-wise arg-max of [rows, cols] values. */
function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c] as number;
      if (v > bestValue) [best, bestValue] = [c, v];
    }
    out[r] = best;
  }
  return out;
}

/** Evaluates `model` on fixed batches (in eval mode, without gradients); the model's mode is restored. */
export function evaluatePretraining(model: PretrainingModel, batches: readonly PretrainingBatch[]): PretrainEvaluation {
  const wasTraining = model.training;
  model.eval();
  let mlmSum = 0, predictions = 0, mlmCorrect = 0;
  let pairSum = 0, pairCorrect = 0, sequences = 0, pairSequences = 0;
  noGrad(() => {
    for (const batch of batches) {
      const r = pretrainingLoss(model, batch);
      const M = r.mlmLabels.length;
      const B = batch.inputIds.shape[0] as number;
      sequences += B;
      if (M > 0) {
        mlmSum += r.mlmLoss.item() * M;
        predictions += M;
        const guess = argmaxRows(r.mlmLogits.toTypedArray() as ArrayLike<number>, M, r.mlmLogits.shape[1] as number);
        for (let i = 0; i < M; i++) if (guess[i] === r.mlmLabels[i]) mlmCorrect++;
      }
      if (r.pairLoss && r.pairLogits && batch.nextSentenceLabel) {
        pairSum += r.pairLoss.item() * B;
        pairSequences += B;
        const guess = argmaxRows(r.pairLogits.toTypedArray() as ArrayLike<number>, B, 2);
        const truth = batch.nextSentenceLabel.toTypedArray();
        for (let i = 0; i < B; i++) if (guess[i] === truth[i]) pairCorrect++;
      }
    }
  });
  if (wasTraining) model.train();
  const mlmLoss = predictions > 0 ? mlmSum / predictions : NaN;
  const pairLoss = pairSequences > 0 ? pairSum / pairSequences : null;
  return {
    loss: mlmLoss + (pairLoss ?? 0),
    mlmLoss,
    mlmAccuracy: predictions > 0 ? mlmCorrect / predictions : NaN,
    pairLoss,
    pairAccuracy: pairSequences > 0 ? pairCorrect / pairSequences : null,
    sequences,
    predictions,
  };
}
