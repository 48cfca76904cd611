/**
 * ALBERT's heads with Hugging Face's names, the encoder under `albert.`:
 *  - AlbertForPreTraining: predictions (masked LM) + sop_classifier.classifier (sentence-order prediction,
 *    2 classes: 0 = segments in order, 1 = swapped); the loss is MLM + SOP.
 *  - AlbertForMaskedLM: predictions.{dense, LayerNorm, bias}; predictions.decoder is the word-embedding
 *    matrix [V, E] (tied; a checkpoint's predictions.decoder.{weight,bias} are aliases).
 *  - AlbertForSequenceClassification: classifier on the pooled first token (MSE regression when num_labels = 1).
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { crossEntropy } from "../../losses/index.js";
import { add, linear } from "../../ops/index.js";
import { zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../../nn/functional/index.js";
import { activationFunction } from "../../nn/layers/activation.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { Linear } from "../../nn/layers/linear.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { initLinear } from "../bert/model.js";
import type { BertHeadForwardOptions, BertHeadOutput } from "../bert/heads.js";
import { checkClassLabels, sequenceClassificationLoss, tokenLoss } from "../bert/head-losses.js";
import { ALBERT_MODEL_TYPE, type AlbertConfig, albertConfig } from "./config.js";
import { AlbertModel } from "./model.js";

/** predictions: LayerNorm(act(dense(h))) · Eᵀ + bias, with E the word embeddings [V, E] (transformers' AlbertMLMHead). */
export class AlbertMLMHead extends Module {
  LayerNorm: LayerNorm;
  /** [V]: the decoder's bias (predictions.decoder.bias in a checkpoint is the same tensor). */
  bias: Parameter;
  dense: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(cfg: AlbertConfig) {
    super();
    this.LayerNorm = new LayerNorm(cfg.embedding_size, { eps: cfg.layer_norm_eps });
    this.bias = new Parameter(zeros([cfg.vocab_size]));
    this.dense = initLinear(new Linear(cfg.hidden_size, cfg.embedding_size), cfg);
    this.act = activationFunction(cfg.hidden_act);
  }

  /** hidden [B, T, C], wordEmbeddings [V, E] → logits [B, T, V] */
  forward(hidden: Tensor, wordEmbeddings: Tensor): Tensor {
    return linear(this.LayerNorm.forward(this.act(this.dense.forward(hidden))), wordEmbeddings, this.bias);
  }
}

/** sop_classifier: classifier(dropout(pooled)), 2 classes (transformers' AlbertSOPHead). */
export class AlbertSOPHead extends Module {
  classifier: Linear;

  constructor(private readonly cfg: AlbertConfig) {
    super();
    this.classifier = initLinear(new Linear(cfg.hidden_size, 2), cfg);
  }

  /** pooled [B, C] → logits [B, 2] */
  forward(pooled: Tensor): Tensor {
    return this.classifier.forward(dropout(pooled, this.cfg.classifier_dropout_prob, this.training));
  }
}

/** Options of AlbertForPreTraining.forward: masked-LM labels and sentence-order labels. */
export interface AlbertPreTrainingOptions extends BertHeadForwardOptions {
  /** [B] int32: 0 = the two segments in their original order, 1 = swapped. */
  sentenceOrderLabel?: Tensor;
}

export class AlbertForPreTraining extends Module {
  readonly modelType = ALBERT_MODEL_TYPE;
  readonly architecture: string = "AlbertForPreTraining";
  readonly config: AlbertConfig;
  albert: AlbertModel;
  predictions: AlbertMLMHead;
  sop_classifier: AlbertSOPHead;

  constructor(config: Partial<AlbertConfig> = {}) {
    super();
    this.config = albertConfig(config);
    this.albert = new AlbertModel(this.config);
    this.predictions = new AlbertMLMHead(this.config);
    this.sop_classifier = new AlbertSOPHead(this.config);
  }

  /** predictionLogits [B, T, V], sopLogits [B, 2]; the loss is MLM + SOP when both label sets are given. */
  forward(inputIds: Tensor, options: AlbertPreTrainingOptions = {}): BertHeadOutput & { predictionLogits: Tensor; sopLogits: Tensor } {
    const op = "AlbertForPreTraining.forward";
    const out = this.albert.forward(inputIds, options, op);
    const predictionLogits = this.predictions.forward(out.lastHiddenState, this.albert.embeddings.word_embeddings.weight);
    const sopLogits = this.sop_classifier.forward(out.poolerOutput as Tensor);
    const { labels, sentenceOrderLabel } = options;
    if ((labels === undefined) !== (sentenceOrderLabel === undefined)) {
      throw new ValueError(`${op}: give both labels (masked LM) and sentenceOrderLabel (SOP), or neither`);
    }
    let loss: Tensor | null = null;
    if (labels !== undefined && sentenceOrderLabel !== undefined) {
      const B = inputIds.shape[0] as number;
      if (sentenceOrderLabel.ndim !== 1 || sentenceOrderLabel.shape[0] !== B) {
        throw new ShapeError(`${op}: sentenceOrderLabel ${formatShape(sentenceOrderLabel.shape)} must be [B] = [${B}]`);
      }
      checkClassLabels(sentenceOrderLabel, 2, op, "sentenceOrderLabel");
      loss = add(tokenLoss(predictionLogits, labels, op), crossEntropy(sopLogits, sentenceOrderLabel));
    }
    return { loss, predictionLogits, sopLogits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class AlbertForMaskedLM extends Module {
  readonly modelType = ALBERT_MODEL_TYPE;
  readonly architecture: string = "AlbertForMaskedLM";
  readonly config: AlbertConfig;
  albert: AlbertModel;
  predictions: AlbertMLMHead;

  constructor(config: Partial<AlbertConfig> = {}) {
    super();
    this.config = albertConfig(config);
    this.albert = new AlbertModel(this.config, { addPoolingLayer: false });
    this.predictions = new AlbertMLMHead(this.config);
  }

  /** logits [B, T, V]; labels [B, T] int32 (−100 = not predicted) give the masked-LM loss. */
  forward(inputIds: Tensor, options: BertHeadForwardOptions = {}): BertHeadOutput & { logits: Tensor } {
    const op = "AlbertForMaskedLM.forward";
    const out = this.albert.forward(inputIds, options, op);
    const logits = this.predictions.forward(out.lastHiddenState, this.albert.embeddings.word_embeddings.weight);
    const loss = options.labels === undefined ? null : tokenLoss(logits, options.labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class AlbertForSequenceClassification extends Module {
  readonly modelType = ALBERT_MODEL_TYPE;
  readonly architecture: string = "AlbertForSequenceClassification";
  readonly config: AlbertConfig;
  albert: AlbertModel;
  classifier: Linear;

  constructor(config: Partial<AlbertConfig> = {}) {
    super();
    this.config = albertConfig(config);
    this.albert = new AlbertModel(this.config);
    this.classifier = initLinear(new Linear(this.config.hidden_size, this.config.num_labels), this.config);
  }

  /** logits [B, num_labels]; labels [B] int32 classes, or floats when num_labels = 1 (regression). */
  forward(inputIds: Tensor, options: BertHeadForwardOptions = {}): BertHeadOutput & { logits: Tensor } {
    const op = "AlbertForSequenceClassification.forward";
    const out = this.albert.forward(inputIds, options, op);
    const logits = this.classifier.forward(dropout(out.poolerOutput as Tensor, this.config.classifier_dropout_prob, this.training));
    const loss = options.labels === undefined ? null : sequenceClassificationLoss(logits, options.labels, this.config.num_labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}
