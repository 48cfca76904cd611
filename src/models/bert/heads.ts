/**
 * BERT's task heads with Hugging Face's names, the encoder under `bert.`:
 *  - BertForMaskedLM: cls.predictions.{transform.dense, transform.LayerNorm, bias}; the decoder is the
 *    word-embedding matrix (tied; a checkpoint's cls.predictions.decoder.{weight,bias} are aliases).
 *  - BertForPreTraining: the same plus cls.seq_relationship (next-sentence prediction, 2 classes).
 *  - BertForSequenceClassification: classifier on the pooled [CLS] (or, with classifier_pooling "mean",
 *    the pooler over the mean of the real tokens); mean-squared error when num_labels = 1.
 *  - BertForTokenClassification: classifier on every token; BertForQuestionAnswering: qa_outputs (start, end).
 *  - bertSentenceEmbeddings: mean-pooled last hidden states.
 * Losses follow transformers: token labels −100 are ignored; the pretraining loss is MLM + NSP.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { crossEntropy } from "../../losses/index.js";
import { add, linear, select, tanh } from "../../ops/index.js";
import { ones, zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout, maskedMeanPool } from "../../nn/functional/index.js";
import { activationFunction } from "../../nn/layers/activation.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { Linear } from "../../nn/layers/linear.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { BERT_MODEL_TYPE, type BertConfig, bertConfig } from "./config.js";
import { type BertForwardOptions, BertModel, type BertPooler, initLinear } from "./model.js";
import { checkClassLabels, questionAnsweringLoss, sequenceClassificationLoss, tokenLoss, type QuestionAnsweringPositions } from "./head-losses.js";

export class BertPredictionHeadTransform extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  private readonly act: (x: Tensor) => Tensor;

  constructor(cfg: BertConfig) {
    super();
    this.dense = initLinear(new Linear(cfg.hidden_size, cfg.hidden_size), cfg);
    this.act = activationFunction(cfg.hidden_act);
    this.LayerNorm = new LayerNorm(cfg.hidden_size, { eps: cfg.layer_norm_eps });
  }

  forward(x: Tensor): Tensor {
    return this.LayerNorm.forward(this.act(this.dense.forward(x)));
  }
}

/** LayerNorm(act(dense(h))) · Eᵀ + bias, E the word embeddings [V, C]. */
export class BertLMPredictionHead extends Module {
  transform: BertPredictionHeadTransform;
  /** [V]: the decoder's own bias (HF's cls.predictions.bias). */
  bias: Parameter;

  constructor(cfg: BertConfig) {
    super();
    this.transform = new BertPredictionHeadTransform(cfg);
    this.bias = new Parameter(zeros([cfg.vocab_size]));
  }

  /** hidden [B, T, C], wordEmbeddings [V, C] → logits [B, T, V] */
  forward(hidden: Tensor, wordEmbeddings: Tensor): Tensor {
    return linear(this.transform.forward(hidden), wordEmbeddings, this.bias);
  }
}

/** BertForMaskedLM's `cls`. */
export class BertOnlyMLMHead extends Module {
  predictions: BertLMPredictionHead;

  constructor(cfg: BertConfig) {
    super();
    this.predictions = new BertLMPredictionHead(cfg);
  }
}

/** BertForPreTraining's `cls`. */
export class BertPreTrainingHeads extends Module {
  predictions: BertLMPredictionHead;
  seq_relationship: Linear;

  constructor(cfg: BertConfig) {
    super();
    this.predictions = new BertLMPredictionHead(cfg);
    this.seq_relationship = initLinear(new Linear(cfg.hidden_size, 2), cfg);
  }
}

/** Options of a BERT head's forward: the base model's options plus labels for the loss. */
export interface BertHeadForwardOptions extends BertForwardOptions {
  /** Token labels [B, T] (int32) for the masked-LM loss; −100 = not predicted. Sequence labels for classification. */
  labels?: Tensor;
  /** [B] int32 for next-sentence prediction: 0 = B follows A, 1 = B is random. */
  nextSentenceLabel?: Tensor;
}

/** What every BERT head's forward returns: the loss (with labels), and the hidden states/attentions when asked for; each head adds its logits. */
export interface BertHeadOutput {
  /** The summed loss of the given labels, or null. */
  loss: Tensor | null;
  hiddenStates: Tensor[] | null;
  attentions: Tensor[] | null;
}

export class BertForMaskedLM extends Module {
  readonly modelType = BERT_MODEL_TYPE;
  readonly architecture: string = "BertForMaskedLM";
  readonly config: BertConfig;
  bert: BertModel;
  cls: BertOnlyMLMHead;

  constructor(config: Partial<BertConfig> = {}) {
    super();
    this.config = bertConfig(config);
    this.bert = new BertModel(this.config, { addPoolingLayer: false });
    this.cls = new BertOnlyMLMHead(this.config);
  }

  forward(inputIds: Tensor, options: BertHeadForwardOptions = {}): BertHeadOutput & { logits: Tensor } {
    const op = "BertForMaskedLM.forward";
    const out = this.bert.forward(inputIds, options, op);
    const logits = this.cls.predictions.forward(out.lastHiddenState, this.bert.embeddings.word_embeddings.weight);
    const loss = options.labels === undefined ? null : tokenLoss(logits, options.labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class BertForPreTraining extends Module {
  readonly modelType = BERT_MODEL_TYPE;
  readonly architecture: string = "BertForPreTraining";
  readonly config: BertConfig;
  bert: BertModel;
  cls: BertPreTrainingHeads;

  constructor(config: Partial<BertConfig> = {}) {
    super();
    this.config = bertConfig(config);
    this.bert = new BertModel(this.config);
    this.cls = new BertPreTrainingHeads(this.config);
  }

  /** The loss is MLM + NSP when both label sets are given (transformers requires both; so does loom). */
  forward(inputIds: Tensor, options: BertHeadForwardOptions = {}): BertHeadOutput & { predictionLogits: Tensor; seqRelationshipLogits: Tensor } {
    const op = "BertForPreTraining.forward";
    const out = this.bert.forward(inputIds, options, op);
    const predictionLogits = this.cls.predictions.forward(out.lastHiddenState, this.bert.embeddings.word_embeddings.weight);
    const seqRelationshipLogits = this.cls.seq_relationship.forward(out.poolerOutput as Tensor); // [B, 2]
    let loss: Tensor | null = null;
    const { labels, nextSentenceLabel } = options;
    if ((labels === undefined) !== (nextSentenceLabel === undefined)) {
      throw new ValueError(`${op}: give both labels (masked LM) and nextSentenceLabel (NSP), or neither`);
    }
    if (labels !== undefined && nextSentenceLabel !== undefined) {
      const B = inputIds.shape[0] as number;
      if (nextSentenceLabel.ndim !== 1 || nextSentenceLabel.shape[0] !== B) {
        throw new ShapeError(`${op}: nextSentenceLabel ${formatShape(nextSentenceLabel.shape)} must be [B] = [${B}]`);
      }
      checkClassLabels(nextSentenceLabel, 2, op, "nextSentenceLabel");
      loss = add(tokenLoss(predictionLogits, labels, op), crossEntropy(seqRelationshipLogits, nextSentenceLabel));
    }
    return { loss, predictionLogits, seqRelationshipLogits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class BertForSequenceClassification extends Module {
  readonly modelType = BERT_MODEL_TYPE;
  readonly architecture: string = "BertForSequenceClassification";
  readonly config: BertConfig;
  bert: BertModel;
  classifier: Linear;

  constructor(config: Partial<BertConfig> = {}) {
    super();
    this.config = bertConfig(config);
    this.bert = new BertModel(this.config);
    this.classifier = initLinear(new Linear(this.config.hidden_size, this.config.num_labels), this.config);
  }

  /**
   * logits [B, num_labels]. Labels: [B] int32 classes (cross-entropy), or, when num_labels = 1, [B]
   * floats (regression: mean squared error, as transformers' problem_type "regression").
   */
  forward(inputIds: Tensor, options: BertHeadForwardOptions = {}): BertHeadOutput & { logits: Tensor } {
    const op = "BertForSequenceClassification.forward";
    const out = this.bert.forward(inputIds, options, op);
    const p = this.config.classifier_dropout ?? this.config.hidden_dropout_prob;
    const pooled = this.config.classifier_pooling === "mean" ? tanh((this.bert.pooler as BertPooler).dense.forward(meanOfRealTokens(out.lastHiddenState, options.attentionMask))) : (out.poolerOutput as Tensor);
    const logits = this.classifier.forward(dropout(pooled, p, this.training));
    const loss = options.labels === undefined ? null : sequenceClassificationLoss(logits, options.labels, this.config.num_labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class BertForTokenClassification extends Module {
  readonly modelType = BERT_MODEL_TYPE;
  readonly architecture: string = "BertForTokenClassification";
  readonly config: BertConfig;
  bert: BertModel;
  classifier: Linear;

  constructor(config: Partial<BertConfig> = {}) {
    super();
    this.config = bertConfig(config);
    this.bert = new BertModel(this.config, { addPoolingLayer: false });
    this.classifier = initLinear(new Linear(this.config.hidden_size, this.config.num_labels), this.config);
  }

  /** logits [B, T, num_labels]; labels [B, T] int32 (−100 = not scored, e.g. padding or word pieces after the first). */
  forward(inputIds: Tensor, options: BertHeadForwardOptions = {}): BertHeadOutput & { logits: Tensor } {
    const op = "BertForTokenClassification.forward";
    const out = this.bert.forward(inputIds, options, op);
    const p = this.config.classifier_dropout ?? this.config.hidden_dropout_prob;
    const logits = this.classifier.forward(dropout(out.lastHiddenState, p, this.training));
    const loss = options.labels === undefined ? null : tokenLoss(logits, options.labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

/** Options of `BertForQuestionAnswering.forward`: start and end positions for the loss. */
export interface BertQuestionAnsweringOptions extends BertForwardOptions, QuestionAnsweringPositions {}

export class BertForQuestionAnswering extends Module {
  readonly modelType = BERT_MODEL_TYPE;
  readonly architecture: string = "BertForQuestionAnswering";
  readonly config: BertConfig;
  bert: BertModel;
  /** [2, C]: start and end scores per token (transformers sizes it by num_labels, which is 2 for this head). */
  qa_outputs: Linear;

  constructor(config: Partial<BertConfig> = {}) {
    super();
    this.config = bertConfig(config);
    this.bert = new BertModel(this.config, { addPoolingLayer: false });
    this.qa_outputs = initLinear(new Linear(this.config.hidden_size, 2), this.config);
  }

  /**
   * startLogits, endLogits [B, T]. With both position sets the loss is transformers': the mean of the
   * start and end cross-entropies, positions clamped to [0, T] and T ignored.
   */
  forward(inputIds: Tensor, options: BertQuestionAnsweringOptions = {}): Omit<BertHeadOutput, "loss"> & { loss: Tensor | null; startLogits: Tensor; endLogits: Tensor } {
    const op = "BertForQuestionAnswering.forward";
    const out = this.bert.forward(inputIds, options, op);
    const logits = this.qa_outputs.forward(out.lastHiddenState); // [B, T, 2]
    const startLogits = select(logits, 2, 0); // [B, T]
    const endLogits = select(logits, 2, 1); // [B, T]
    const loss = questionAnsweringLoss(startLogits, endLogits, options, op);
    return { loss, startLogits, endLogits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

/** hidden [B, T, C] → [B, C]: the mean over the positions the attention mask keeps (every position without one). */
export function meanOfRealTokens(hidden: Tensor, attentionMask: Tensor | undefined): Tensor {
  return maskedMeanPool(hidden, attentionMask ?? ones(hidden.shape.slice(0, 2), { dtype: "int32" }));
}

/**
 * Sentence embeddings: the mean of the last hidden states over real tokens (sentence-transformers'
 * mean pooling), [B, C]; compare two with nn.functional.cosineSimilarity.
 */
export function bertSentenceEmbeddings(model: BertModel, inputIds: Tensor, options: BertForwardOptions = {}): Tensor {
  const { lastHiddenState } = model.forward(inputIds, options, "bertSentenceEmbeddings");
  return meanOfRealTokens(lastHiddenState, options.attentionMask);
}
