/**
 * RoBERTa (Liu et al. 2019) with Hugging Face's names: BERT's encoder under `roberta.` with
 * padding-aware positions (a real token's position is pad_token_id + its index among the real tokens
 * counted from 1; padding takes position pad_token_id, a zero row without gradient), one token type,
 * and its own heads:
 *  - RobertaForMaskedLM: lm_head.{dense, layer_norm, bias}; lm_head.decoder is the word-embedding matrix (tied).
 *  - RobertaForSequenceClassification: classifier.{dense, out_proj} on the first token (<s>), tanh between.
 *  - RobertaForTokenClassification: classifier; RobertaForQuestionAnswering: qa_outputs.
 * The encoder blocks, attention and losses are BERT's.
 *
 * Shapes: B batch, T sequence, C = hidden_size, V = vocab_size.
 */
import { linear, select, tanh } from "../../ops/index.js";
import { tensor, zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../../nn/functional/index.js";
import { activationFunction } from "../../nn/layers/activation.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { Linear } from "../../nn/layers/linear.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { type BertForwardOptions, BertModel, type BertEmbeddingsOptions, initLinear } from "../bert/model.js";
import { type BertHeadForwardOptions, type BertHeadOutput, meanOfRealTokens } from "../bert/heads.js";
import { type QuestionAnsweringPositions, questionAnsweringLoss, sequenceClassificationLoss, tokenLoss } from "../bert/head-losses.js";
import { ROBERTA_MODEL_TYPE, type RobertaConfig, robertaConfig } from "./config.js";

/**
 * transformers' create_position_ids_from_input_ids: [B, T] → [B, T] int32,
 * pad + cumsum(ids ≠ pad) at real tokens, pad at padding.
 */
export function robertaPositionIds(inputIds: Tensor, padTokenId: number): Tensor {
  const [B, T] = inputIds.shape as [number, number];
  const ids = inputIds.toTypedArray();
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    let count = 0;
    for (let t = 0; t < T; t++) {
      const real = (ids[b * T + t] as number) !== padTokenId;
      if (real) count++;
      out[b * T + t] = real ? padTokenId + count : padTokenId;
    }
  }
  return tensor(out, { dtype: "int32" }).reshape([B, T]);
}

/** RobertaModel: BertModel's module tree with padding-aware position ids. */
export class RobertaModel extends BertModel {
  override readonly modelType: string = ROBERTA_MODEL_TYPE;
  override readonly architecture: string = "RobertaModel";

  constructor(config: Partial<RobertaConfig> = {}, options: { addPoolingLayer?: boolean } = {}) {
    super(robertaConfig(config), options);
  }

  protected override embeddingsOptions(): BertEmbeddingsOptions {
    return { positionPaddingIdx: this.config.pad_token_id };
  }

  protected override maxSequenceLength(): { value: number; why: string } {
    const { max_position_embeddings: P, pad_token_id: pad } = this.config;
    return { value: P - pad - 1, why: `max_position_embeddings − pad_token_id − 1 = ${P} − ${pad} − 1 = ${P - pad - 1} (positions start after the pad id)` };
  }

  protected override positionIds(inputIds: Tensor): Tensor {
    return robertaPositionIds(inputIds, this.config.pad_token_id);
  }
}

/** lm_head: layer_norm(gelu(dense(h))) · Eᵀ + bias (transformers' RobertaLMHead: exact gelu whatever hidden_act says). */
export class RobertaLMHead extends Module {
  dense: Linear;
  layer_norm: LayerNorm;
  /** [V]: the decoder's bias (lm_head.decoder.bias in a checkpoint is the same tensor). */
  bias: Parameter;
  private readonly gelu = activationFunction("gelu");

  constructor(cfg: RobertaConfig) {
    super();
    this.dense = initLinear(new Linear(cfg.hidden_size, cfg.hidden_size), cfg);
    this.layer_norm = new LayerNorm(cfg.hidden_size, { eps: cfg.layer_norm_eps });
    this.bias = new Parameter(zeros([cfg.vocab_size]));
  }

  /** hidden [B, T, C], wordEmbeddings [V, C] → logits [B, T, V] */
  forward(hidden: Tensor, wordEmbeddings: Tensor): Tensor {
    return linear(this.layer_norm.forward(this.gelu(this.dense.forward(hidden))), wordEmbeddings, this.bias);
  }
}

export class RobertaForMaskedLM extends Module {
  readonly modelType = ROBERTA_MODEL_TYPE;
  readonly architecture: string = "RobertaForMaskedLM";
  readonly config: RobertaConfig;
  roberta: RobertaModel;
  lm_head: RobertaLMHead;

  constructor(config: Partial<RobertaConfig> = {}) {
    super();
    this.config = robertaConfig(config);
    this.roberta = new RobertaModel(this.config, { addPoolingLayer: false });
    this.lm_head = new RobertaLMHead(this.config);
  }

  /** logits [B, T, V]; labels [B, T] int32 (−100 = not predicted) give the masked-LM loss. */
  forward(inputIds: Tensor, options: BertHeadForwardOptions = {}): BertHeadOutput & { logits: Tensor } {
    const op = "RobertaForMaskedLM.forward";
    const out = this.roberta.forward(inputIds, options, op);
    const logits = this.lm_head.forward(out.lastHiddenState, this.roberta.embeddings.word_embeddings.weight);
    const loss = options.labels === undefined ? null : tokenLoss(logits, options.labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

/**
 * classifier: out_proj(dropout(tanh(dense(dropout(h[:, 0]))))) (transformers' RobertaClassificationHead);
 * with classifier_pooling "mean", the mean of the real tokens' h in place of h[:, 0].
 */
export class RobertaClassificationHead extends Module {
  dense: Linear;
  out_proj: Linear;

  constructor(private readonly cfg: RobertaConfig) {
    super();
    this.dense = initLinear(new Linear(cfg.hidden_size, cfg.hidden_size), cfg);
    this.out_proj = initLinear(new Linear(cfg.hidden_size, cfg.num_labels), cfg);
  }

  /** hidden [B, T, C] → logits [B, num_labels]; the attention mask is read by mean pooling only. */
  forward(hidden: Tensor, attentionMask?: Tensor): Tensor {
    const p = this.cfg.classifier_dropout ?? this.cfg.hidden_dropout_prob;
    const features = this.cfg.classifier_pooling === "mean" ? meanOfRealTokens(hidden, attentionMask) : select(hidden, 1, 0); // [B, C]: the mean, or the <s> token
    const x = dropout(features, p, this.training);
    return this.out_proj.forward(dropout(tanh(this.dense.forward(x)), p, this.training));
  }
}

export class RobertaForSequenceClassification extends Module {
  readonly modelType = ROBERTA_MODEL_TYPE;
  readonly architecture: string = "RobertaForSequenceClassification";
  readonly config: RobertaConfig;
  roberta: RobertaModel;
  classifier: RobertaClassificationHead;

  constructor(config: Partial<RobertaConfig> = {}) {
    super();
    this.config = robertaConfig(config);
    this.roberta = new RobertaModel(this.config, { addPoolingLayer: false });
    this.classifier = new RobertaClassificationHead(this.config);
  }

  /** logits [B, num_labels]; labels [B] int32 classes, or floats when num_labels = 1 (regression). */
  forward(inputIds: Tensor, options: BertHeadForwardOptions = {}): BertHeadOutput & { logits: Tensor } {
    const op = "RobertaForSequenceClassification.forward";
    const out = this.roberta.forward(inputIds, options, op);
    const logits = this.classifier.forward(out.lastHiddenState, options.attentionMask);
    const loss = options.labels === undefined ? null : sequenceClassificationLoss(logits, options.labels, this.config.num_labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class RobertaForTokenClassification extends Module {
  readonly modelType = ROBERTA_MODEL_TYPE;
  readonly architecture: string = "RobertaForTokenClassification";
  readonly config: RobertaConfig;
  roberta: RobertaModel;
  classifier: Linear;

  constructor(config: Partial<RobertaConfig> = {}) {
    super();
    this.config = robertaConfig(config);
    this.roberta = new RobertaModel(this.config, { addPoolingLayer: false });
    this.classifier = initLinear(new Linear(this.config.hidden_size, this.config.num_labels), this.config);
  }

  /** logits [B, T, num_labels]; labels [B, T] int32 (−100 = not scored). */
  forward(inputIds: Tensor, options: BertHeadForwardOptions = {}): BertHeadOutput & { logits: Tensor } {
    const op = "RobertaForTokenClassification.forward";
    const out = this.roberta.forward(inputIds, options, op);
    const p = this.config.classifier_dropout ?? this.config.hidden_dropout_prob;
    const logits = this.classifier.forward(dropout(out.lastHiddenState, p, this.training));
    const loss = options.labels === undefined ? null : tokenLoss(logits, options.labels, op);
    return { loss, logits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}

export class RobertaForQuestionAnswering extends Module {
  readonly modelType = ROBERTA_MODEL_TYPE;
  readonly architecture: string = "RobertaForQuestionAnswering";
  readonly config: RobertaConfig;
  roberta: RobertaModel;
  /** [2, C]: start and end scores per token. */
  qa_outputs: Linear;

  constructor(config: Partial<RobertaConfig> = {}) {
    super();
    this.config = robertaConfig(config);
    this.roberta = new RobertaModel(this.config, { addPoolingLayer: false });
    this.qa_outputs = initLinear(new Linear(this.config.hidden_size, 2), this.config);
  }

  /** startLogits, endLogits [B, T]; with both position sets, transformers' clamped-position loss. */
  forward(inputIds: Tensor, options: BertForwardOptions & QuestionAnsweringPositions = {}): Omit<BertHeadOutput, "loss"> & { loss: Tensor | null; startLogits: Tensor; endLogits: Tensor } {
    const op = "RobertaForQuestionAnswering.forward";
    const out = this.roberta.forward(inputIds, options, op);
    const logits = this.qa_outputs.forward(out.lastHiddenState); // [B, T, 2]
    const startLogits = select(logits, 2, 0); // [B, T]
    const endLogits = select(logits, 2, 1); // [B, T]
    return { loss: questionAnsweringLoss(startLogits, endLogits, options, op), startLogits, endLogits, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}
