/**
 * DistilBERT's heads with Hugging Face's names, the encoder under `distilbert.`:
 *  - DistilBertForMaskedLM: vocab_transform → activation → vocab_layer_norm → vocab_projector, whose weight
 *    is the word-embedding matrix (tied; vocab_projector.weight in a checkpoint is an alias) and whose bias
 *    is its own (vocab_projector.bias).
 *  - DistilBertForSequenceClassification: classifier(dropout(relu(pre_classifier(h[:, 0])))).
 *  - DistilBertForTokenClassification: classifier on every token; DistilBertForQuestionAnswering: qa_outputs.
 */
import { linear, relu, select } from "../../ops/index.js";
import { zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../../nn/functional/index.js";
import { activationFunction } from "../../nn/layers/activation.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { Linear } from "../../nn/layers/linear.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { initLinear } from "../bert/model.js";
import { type QuestionAnsweringPositions, questionAnsweringLoss, sequenceClassificationLoss, tokenLoss } from "../bert/head-losses.js";
import { DISTILBERT_LAYER_NORM_EPS, DISTILBERT_MODEL_TYPE, type DistilBertConfig, distilBertConfig } from "./config.js";
import { type DistilBertForwardOptions, DistilBertModel } from "./model.js";

/** Options of a DistilBERT head's forward: the base model's options plus labels for the loss. */
export interface DistilBertHeadForwardOptions extends DistilBertForwardOptions {
  /** Token labels [B, T] int32 (−100 = not scored) for masked LM / token classification; [B] for sequence classification. */
  labels?: Tensor;
}

/** What a DistilBERT head returns besides its logits. */
export interface DistilBertHeadOutput {
  /** The loss of the given labels, or null. */
  loss: Tensor | null;
  hiddenStates: Tensor[] | null;
  attentions: Tensor[] | null;
}

/** vocab_projector: the tied decoder's own bias [V] (its weight is the word-embedding matrix). */
export class DistilBertVocabProjector extends Module {
  bias: Parameter;

  constructor(vocabSize: number) {
    super();
    this.bias = new Parameter(zeros([vocabSize]));
  }

  /** x [B, T, C], wordEmbeddings [V, C] → [B, T, V] */
  forward(x: Tensor, wordEmbeddings: Tensor): Tensor {
    return linear(x, wordEmbeddings, this.bias);
  }
}

export class DistilBertForMaskedLM extends Module {
  readonly modelType = DISTILBERT_MODEL_TYPE;
  readonly architecture: string = "DistilBertForMaskedLM";
  readonly config: DistilBertConfig;
  distilbert: DistilBertModel;
  vocab_transform: Linear;
  vocab_layer_norm: LayerNorm;
  vocab_projector: DistilBertVocabProjector;
  private readonly act: (x: Tensor) => Tensor;

  constructor(config: Partial<DistilBertConfig> = {}) {
    super();
    this.config = distilBertConfig(config);
    this.distilbert = new DistilBertModel(this.config);
    this.vocab_transform = initLinear(new Linear(this.config.dim, this.config.dim), this.config);
    this.vocab_layer_norm = new LayerNorm(this.config.dim, { eps: DISTILBERT_LAYER_NORM_EPS });
    this.vocab_projector = new DistilBertVocabProjector(this.config.vocab_size);
    this.act = activationFunction(this.config.activation);
  }

  /** logits [B, T, V]; labels [B, T] int32 (−100 = not predicted) give the masked-LM loss. */
  forward(inputIds: Tensor, options: DistilBertHeadForwardOptions = {}): DistilBertHeadOutput & { logits: Tensor } {
    const op = "DistilBertForMaskedLM.forward";
    const out = this.distilbert.forward(inputIds, options, op);
    const h = this.vocab_layer_norm.forward(this.act(this.vocab_transform.forward(out.lastHiddenState)));
    const logits = this.vocab_projector.forward(h, this.distilbert.embeddings.word_embeddings.weight);
    const loss = options.labels === undefined ? null : tokenLoss(logits, options.labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class DistilBertForSequenceClassification extends Module {
  readonly modelType = DISTILBERT_MODEL_TYPE;
  readonly architecture: string = "DistilBertForSequenceClassification";
  readonly config: DistilBertConfig;
  distilbert: DistilBertModel;
  pre_classifier: Linear;
  classifier: Linear;

  constructor(config: Partial<DistilBertConfig> = {}) {
    super();
    this.config = distilBertConfig(config);
    this.distilbert = new DistilBertModel(this.config);
    this.pre_classifier = initLinear(new Linear(this.config.dim, this.config.dim), this.config);
    this.classifier = initLinear(new Linear(this.config.dim, this.config.num_labels), this.config);
  }

  /** logits [B, num_labels]; labels [B] int32 classes, or floats when num_labels = 1 (regression). */
  forward(inputIds: Tensor, options: DistilBertHeadForwardOptions = {}): DistilBertHeadOutput & { logits: Tensor } {
    const op = "DistilBertForSequenceClassification.forward";
    const out = this.distilbert.forward(inputIds, options, op);
    const pooled = relu(this.pre_classifier.forward(select(out.lastHiddenState, 1, 0))); // [B, C]
    const logits = this.classifier.forward(dropout(pooled, this.config.seq_classif_dropout, this.training));
    const loss = options.labels === undefined ? null : sequenceClassificationLoss(logits, options.labels, this.config.num_labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class DistilBertForTokenClassification extends Module {
  readonly modelType = DISTILBERT_MODEL_TYPE;
  readonly architecture: string = "DistilBertForTokenClassification";
  readonly config: DistilBertConfig;
  distilbert: DistilBertModel;
  classifier: Linear;

  constructor(config: Partial<DistilBertConfig> = {}) {
    super();
    this.config = distilBertConfig(config);
    this.distilbert = new DistilBertModel(this.config);
    this.classifier = initLinear(new Linear(this.config.dim, this.config.num_labels), this.config);
  }

  /** logits [B, T, num_labels]; labels [B, T] int32 (−100 = not scored). */
  forward(inputIds: Tensor, options: DistilBertHeadForwardOptions = {}): DistilBertHeadOutput & { logits: Tensor } {
    const op = "DistilBertForTokenClassification.forward";
    const out = this.distilbert.forward(inputIds, options, op);
    const logits = this.classifier.forward(dropout(out.lastHiddenState, this.config.dropout, this.training));
    const loss = options.labels === undefined ? null : tokenLoss(logits, options.labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class DistilBertForQuestionAnswering extends Module {
  readonly modelType = DISTILBERT_MODEL_TYPE;
  readonly architecture: string = "DistilBertForQuestionAnswering";
  readonly config: DistilBertConfig;
  distilbert: DistilBertModel;
  /** [2, C]: start and end scores per token. */
  qa_outputs: Linear;

  constructor(config: Partial<DistilBertConfig> = {}) {
    super();
    this.config = distilBertConfig(config);
    this.distilbert = new DistilBertModel(this.config);
    this.qa_outputs = initLinear(new Linear(this.config.dim, 2), this.config);
  }

  /** startLogits, endLogits [B, T]; with both position sets, transformers' clamped-position loss. */
  forward(inputIds: Tensor, options: DistilBertForwardOptions & QuestionAnsweringPositions = {}): DistilBertHeadOutput & { startLogits: Tensor; endLogits: Tensor } {
    const op = "DistilBertForQuestionAnswering.forward";
    const out = this.distilbert.forward(inputIds, options, op);
    const logits = this.qa_outputs.forward(dropout(out.lastHiddenState, this.config.qa_dropout, this.training)); // [B, T, 2]
    const startLogits = select(logits, 2, 0); // [B, T]
    const endLogits = select(logits, 2, 1); // [B, T]
    return { loss: questionAnsweringLoss(startLogits, endLogits, options, op), startLogits, endLogits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}
