/**
 * ALBERT (Lan et al. 2020) with Hugging Face's module tree and state-dict names:
 *   embeddings.{word,position,token_type}_embeddings, embeddings.LayerNorm   (width E = embedding_size)
 *   encoder.embedding_hidden_mapping_in                                      (E → C)
 *   encoder.albert_layer_groups.G.albert_layers.I.{attention.{query,key,value,dense,LayerNorm},
 *     ffn, ffn_output, full_layer_layer_norm}
 *   pooler (tanh on the first token)
 * Cross-layer sharing: the encoder runs num_hidden_layers steps; step i applies group
 * ⌊i / (num_hidden_layers / num_hidden_groups)⌋, whose inner_group_num layers run in turn (transformers'
 * AlbertTransformer). The blocks are BERT's post-norm: x ← LN(x + Attn(x)), x ← LN(x + W₂ act(W₁ x)).
 *
 * Shapes: B batch, T sequence, E = embedding_size, C = hidden_size, H heads, F = intermediate_size.
 */
import { add, tanh, select } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../../nn/functional/index.js";
import { multiHeadAttention } from "../../nn/attention/attention.js";
import { activationFunction } from "../../nn/layers/activation.js";
import { ModuleList } from "../../nn/layers/containers.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { Linear } from "../../nn/layers/linear.js";
import { Module } from "../../nn/module.js";
import { BertEmbeddings, type BertForwardOptions, type BertModelOutput, checkEncoderInputs, initLinear, keyMaskOf } from "../bert/model.js";
import { ALBERT_MODEL_TYPE, type AlbertConfig, albertConfig } from "./config.js";

function linear(inFeatures: number, outFeatures: number, config: AlbertConfig): Linear {
  return initLinear(new Linear(inFeatures, outFeatures), config);
}

/** query/key/value → attention → dense → dropout → LayerNorm(· + x) (transformers' AlbertAttention). */
export class AlbertAttention extends Module {
  query: Linear;
  key: Linear;
  value: Linear;
  dense: Linear;
  LayerNorm: LayerNorm;

  constructor(private readonly cfg: AlbertConfig) {
    super();
    const C = cfg.hidden_size;
    this.query = linear(C, C, cfg);
    this.key = linear(C, C, cfg);
    this.value = linear(C, C, cfg);
    this.dense = linear(C, C, cfg);
    this.LayerNorm = new LayerNorm(C, { eps: cfg.layer_norm_eps });
  }

  /** x [B, T, C], keyMask [B, T] → [B, T, C] (and weights [B, H, T, T]). */
  forward(x: Tensor, keyMask: Tensor | null, needWeights: boolean): { output: Tensor; weights: Tensor | null } {
    const { output, weights } = multiHeadAttention(this.query.forward(x), { k: this.key.forward(x), v: this.value.forward(x) }, {
      numHeads: this.cfg.num_attention_heads,
      keyPaddingMask: keyMask,
      dropout: this.training ? this.cfg.attention_probs_dropout_prob : 0,
      needWeights,
    });
    const projected = dropout(this.dense.forward(output), this.cfg.hidden_dropout_prob, this.training);
    return { output: this.LayerNorm.forward(add(x, projected)), weights };
  }
}

/** attention, then full_layer_layer_norm(ffn_output(act(ffn(a))) + a) (transformers' AlbertLayer). */
export class AlbertLayer extends Module {
  full_layer_layer_norm: LayerNorm;
  attention: AlbertAttention;
  ffn: Linear;
  ffn_output: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(cfg: AlbertConfig) {
    super();
    this.full_layer_layer_norm = new LayerNorm(cfg.hidden_size, { eps: cfg.layer_norm_eps });
    this.attention = new AlbertAttention(cfg);
    this.ffn = linear(cfg.hidden_size, cfg.intermediate_size, cfg);
    this.ffn_output = linear(cfg.intermediate_size, cfg.hidden_size, cfg);
    this.act = activationFunction(cfg.hidden_act);
  }

  forward(x: Tensor, keyMask: Tensor | null, needWeights: boolean): { output: Tensor; weights: Tensor | null } {
    const { output: attended, weights } = this.attention.forward(x, keyMask, needWeights);
    const ffn = this.ffn_output.forward(this.act(this.ffn.forward(attended)));
    return { output: this.full_layer_layer_norm.forward(add(ffn, attended)), weights };
  }
}

/** inner_group_num distinct layers applied in turn. */
export class AlbertLayerGroup extends Module {
  albert_layers: ModuleList<AlbertLayer>;

  constructor(cfg: AlbertConfig) {
    super();
    this.albert_layers = new ModuleList(Array.from({ length: cfg.inner_group_num }, () => new AlbertLayer(cfg)));
  }
}

/** embedding_hidden_mapping_in (E → C) and the layer groups. */
export class AlbertTransformer extends Module {
  embedding_hidden_mapping_in: Linear;
  albert_layer_groups: ModuleList<AlbertLayerGroup>;

  constructor(private readonly cfg: AlbertConfig) {
    super();
    this.embedding_hidden_mapping_in = linear(cfg.embedding_size, cfg.hidden_size, cfg);
    this.albert_layer_groups = new ModuleList(Array.from({ length: cfg.num_hidden_groups }, () => new AlbertLayerGroup(cfg)));
  }

  /** The group step i applies: ⌊i / (L / G)⌋ with transformers' float division. */
  groupOfStep(i: number): AlbertLayerGroup {
    const { num_hidden_layers: L, num_hidden_groups: G } = this.cfg;
    return this.albert_layer_groups.at(Math.floor(i / (L / G)));
  }
}

export class AlbertModel extends Module {
  /** config.json's model_type: how the model registry finds this family. */
  readonly modelType = ALBERT_MODEL_TYPE;
  readonly architecture: string = "AlbertModel";
  readonly config: AlbertConfig;
  embeddings: BertEmbeddings;
  encoder: AlbertTransformer;
  /** [C, C]: tanh(W·h_[CLS] + b); null without the pooler (HF's add_pooling_layer=False). */
  pooler: Linear | null;

  constructor(config: Partial<AlbertConfig> = {}, options: { addPoolingLayer?: boolean } = {}) {
    super();
    this.config = albertConfig(config);
    this.embeddings = new BertEmbeddings(this.config, { width: this.config.embedding_size });
    this.encoder = new AlbertTransformer(this.config);
    this.pooler = (options.addPoolingLayer ?? true) ? linear(this.config.hidden_size, this.config.hidden_size, this.config) : null;
  }

  /**
   * inputIds [B, T] (int32) → lastHiddenState [B, T, C], poolerOutput [B, C]. hiddenStates: the mapped
   * embeddings, then the output of each of the num_hidden_layers steps; attentions: one per layer applied
   * (num_hidden_layers × inner_group_num), as transformers.
   */
  forward(inputIds: Tensor, options: BertForwardOptions = {}, op = `${this.architecture}.forward`): BertModelOutput {
    const P = this.config.max_position_embeddings;
    const tokenTypes = checkEncoderInputs(inputIds, options.tokenTypeIds, this.config, op, { value: P, why: `max_position_embeddings = ${P}` });
    const keyMask = keyMaskOf(options.attentionMask, inputIds, op);
    const needWeights = options.outputAttentions ?? false;
    let x = this.encoder.embedding_hidden_mapping_in.forward(this.embeddings.forward(inputIds, tokenTypes)); // [B, T, E] → [B, T, C]
    const hiddenStates = options.outputHiddenStates ? [x] : null;
    const attentions: Tensor[] | null = needWeights ? [] : null;
    for (let i = 0; i < this.config.num_hidden_layers; i++) {
      for (const layer of this.encoder.groupOfStep(i).albert_layers) {
        const { output, weights } = layer.forward(x, keyMask, needWeights);
        x = output;
        if (weights !== null) attentions?.push(weights);
      }
      hiddenStates?.push(x);
    }
    const poolerOutput = this.pooler === null ? null : tanh(this.pooler.forward(select(x, 1, 0)));
    return { lastHiddenState: x, poolerOutput, hiddenStates, attentions };
  }
}
