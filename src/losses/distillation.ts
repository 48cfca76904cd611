/**
 * Knowledge-distillation loss of DistilBERT (Sanh et al. 2019), as Hugging Face's distiller computes it:
 *   L = α_ce · T² · KL(softmax(t/T) ‖ softmax(s/T))  +  α_mlm · CE(s, labels)  +  α_cos · (1 − cos(h_s, h_t))
 * with s, t the student's and teacher's logits, T the temperature (T² keeps the soft term's gradient on
 * the scale of the hard one, Hinton et al. 2015), the KL summed over the vocabulary and averaged over the
 * selected positions (PyTorch's KLDivLoss "batchmean" over masked-selected rows), CE the masked-LM
 * cross-entropy (−100 ignored), and the cosine term averaged over the selected positions of the last
 * hidden states (CosineEmbeddingLoss with target 1). The teacher's tensors are detached.
 */
import { ShapeError, ValueError, formatShape } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { crossEntropy } from "./classification.js";
import { add, div, logSoftmax, mul, reshape, rsub, softmax, sqrt, sub, sum } from "./ops.js";

/** The tensors the distillation loss compares. Shapes: N positions (e.g. B·T, any leading dims), V classes, C hidden width. */
export interface DistillationInputs {
  /** [..., V] student logits. */
  studentLogits: Tensor;
  /** [..., V] teacher logits (detached here). */
  teacherLogits: Tensor;
  /** [...] int32 masked-LM labels (−100 = not predicted); needed when the MLM weight is nonzero. */
  labels?: Tensor;
  /** [..., C] student last hidden states; needed when the cosine weight is nonzero. */
  studentHidden?: Tensor;
  /** [..., C] teacher last hidden states (detached here). */
  teacherHidden?: Tensor;
  /**
   * [...] 1/true for positions the KL and cosine terms average over (e.g. the attention mask, or
   * labels ≠ −100 to restrict the soft term to masked tokens); default every position.
   */
  mask?: Tensor;
}

/** Weights and temperature of the distillation loss; defaults are DistilBERT's recipe (α_ce 5, α_mlm 2, α_cos 1, T = 2). */
export interface DistillationOptions {
  temperature?: number;
  alphaCe?: number;
  alphaMlm?: number;
  alphaCos?: number;
}

/** The total loss and its three terms (each unweighted; null when its weight is 0). */
export interface DistillationLoss {
  loss: Tensor;
  ce: Tensor | null;
  mlm: Tensor | null;
  cos: Tensor | null;
}

/** PyTorch's CosineEmbeddingLoss epsilon: cos = x·y / √((|x|² + ε)(|y|² + ε)). */
const COSINE_EPS = 1e-12;

function rows(x: Tensor, what: string): Tensor {
  if (x.ndim < 1) throw new ShapeError(`distillationLoss: ${what} must have a last (class or feature) dim, got ${formatShape(x.shape)}`);
  return reshape(x, [-1, x.shape[x.ndim - 1] as number]); // [N, ·]
}

/** The mean of `values` [N] over the positions `weights` [N] selects: Σ v·w / Σ w. */
function maskedMean(values: Tensor, weights: Tensor | null): Tensor {
  if (weights === null) return div(sum(values), values.shape[0] as number);
  return div(sum(mul(values, weights)), sum(weights));
}

/** DistilBERT's distillation loss (see the file comment); errors name the missing or misshapen input. */
export function distillationLoss(inputs: DistillationInputs, options: DistillationOptions = {}): DistillationLoss {
  const T = options.temperature ?? 2;
  const [alphaCe, alphaMlm, alphaCos] = [options.alphaCe ?? 5, options.alphaMlm ?? 2, options.alphaCos ?? 1];
  if (!(T > 0 && Number.isFinite(T))) throw new ValueError(`distillationLoss: temperature must be a positive number, got ${T}`);
  for (const [name, a] of [["alphaCe", alphaCe], ["alphaMlm", alphaMlm], ["alphaCos", alphaCos]] as const) {
    if (!(a >= 0 && Number.isFinite(a))) throw new ValueError(`distillationLoss: ${name} must be a non-negative number, got ${a}`);
  }
  const { studentLogits, teacherLogits } = inputs;
  if (formatShape(studentLogits.shape) !== formatShape(teacherLogits.shape)) {
    throw new ShapeError(`distillationLoss: studentLogits ${formatShape(studentLogits.shape)} and teacherLogits ${formatShape(teacherLogits.shape)} differ`);
  }
  const s = rows(studentLogits, "studentLogits"); // [N, V]
  const N = s.shape[0] as number;
  let weights: Tensor | null = null;
  if (inputs.mask !== undefined) {
    if (inputs.mask.size !== N) throw new ShapeError(`distillationLoss: mask ${formatShape(inputs.mask.shape)} must have one entry per position (${N})`);
    weights = reshape(inputs.mask, [N]).to(s.dtype);
  }
  const weighted: Tensor[] = [];
  const accumulate = (term: Tensor, alpha: number): void => {
    weighted.push(mul(term, alpha));
  };
  let ce: Tensor | null = null;
  if (alphaCe > 0) {
    const t = rows(teacherLogits, "teacherLogits").detach();
    const logStudent = logSoftmax(div(s, T), -1);
    const teacherProbs = softmax(div(t, T), -1);
    const kl = sum(mul(teacherProbs, sub(logSoftmax(div(t, T), -1), logStudent)), -1); // [N]: KL per position
    ce = mul(maskedMean(kl, weights), T * T);
    accumulate(ce, alphaCe);
  }
  let mlm: Tensor | null = null;
  if (alphaMlm > 0) {
    const labels = inputs.labels;
    if (labels === undefined) throw new ValueError("distillationLoss: alphaMlm > 0 needs labels (the masked-LM targets)");
    if (labels.size !== N) throw new ShapeError(`distillationLoss: labels ${formatShape(labels.shape)} must have one entry per position (${N})`);
    mlm = crossEntropy(s, reshape(labels, [N]));
    accumulate(mlm, alphaMlm);
  }
  let cos: Tensor | null = null;
  if (alphaCos > 0) {
    const { studentHidden, teacherHidden } = inputs;
    if (studentHidden === undefined || teacherHidden === undefined) throw new ValueError("distillationLoss: alphaCos > 0 needs studentHidden and teacherHidden");
    if (formatShape(studentHidden.shape) !== formatShape(teacherHidden.shape)) {
      throw new ShapeError(`distillationLoss: studentHidden ${formatShape(studentHidden.shape)} and teacherHidden ${formatShape(teacherHidden.shape)} differ`);
    }
    const hs = rows(studentHidden, "studentHidden"); // [N, C]
    const ht = rows(teacherHidden, "teacherHidden").detach();
    if (hs.shape[0] !== N) throw new ShapeError(`distillationLoss: hidden states have ${hs.shape[0]} positions, logits ${N}`);
    const dot = sum(mul(hs, ht), -1); // [N]
    const norms = sqrt(mul(add(sum(mul(hs, hs), -1), COSINE_EPS), add(sum(mul(ht, ht), -1), COSINE_EPS)));
    cos = maskedMean(rsub(div(dot, norms), 1), weights);
    accumulate(cos, alphaCos);
  }
  if (weighted.length === 0) throw new ValueError("distillationLoss: every weight is 0; nothing to optimise");
  return { loss: weighted.reduce((a, b) => add(a, b)), ce, mlm, cos };
}
