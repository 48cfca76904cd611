/**
 * BertModel (Devlin et al. 2019) with Hugging Face's module tree and state-dict names:
 *   embeddings.{word,position,token_type}_embeddings, embeddings.LayerNorm,
 *   encoder.layer.N.attention.self.{query,key,value}, .attention.output.{dense,LayerNorm},
 *   .intermediate.dense, .output.{dense,LayerNorm}, pooler.dense.
 * Post-norm blocks: x ← LN(x + Dropout(Attn(x))), x ← LN(x + Dropout(W₂ act(W₁ x))); attention is
 * nn's one path (multiHeadAttention) with scores scaled by 1/√d_head and padded keys masked.
 *
 * Shapes: B batch, T sequence, C = hidden_size, H heads, F = intermediate_size.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { add, ne, select, tanh } from "../../ops/index.js";
import { arange, zeros } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { dropout } from "../../nn/functional/index.js";
import { multiHeadAttention } from "../../nn/attention/attention.js";
import { activationFunction } from "../../nn/layers/activation.js";
import { ModuleList } from "../../nn/layers/containers.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { Linear } from "../../nn/layers/linear.js";
import { checkCheckpointEvery, checkpointBlock } from "../../nn/checkpointing.js";
import { Module } from "../../nn/module.js";
import { normal, zeros as fillZeros } from "../../nn/init.js";
import { BERT_MODEL_TYPE, type BertConfig, bertConfig } from "./config.js";

/** Options of `BertModel.forward`: padding mask, token types, and which extra outputs to return. */
export interface BertForwardOptions {
  /** [B, T]: 1 (or true) for a real token, 0 for padding; padded keys get no attention. Default: all real. */
  attentionMask?: Tensor;
  /** [B, T] int32 segment ids (0 = sentence A, 1 = sentence B). Default: zeros. */
  tokenTypeIds?: Tensor;
  /** Also return the embedding output and each layer's output. */
  outputHiddenStates?: boolean;
  /** Also return each layer's attention probabilities [B, H, T, T]. */
  outputAttentions?: boolean;
}

/** What `BertModel.forward` returns. */
export interface BertModelOutput {
  /** [B, T, C] */
  lastHiddenState: Tensor;
  /** [B, C]: tanh(W·h_[CLS] + b); null for a model built without the pooler (HF's add_pooling_layer=False). */
  poolerOutput: Tensor | null;
  /** num_hidden_layers + 1 tensors [B, T, C] (embeddings first), when asked for. */
  hiddenStates: Tensor[] | null;
  /** num_hidden_layers tensors [B, H, T, T], when asked for. */
  attentions: Tensor[] | null;
}

/** HF's _init_weights: Linear N(0, initializer_range) with zero bias. */
export function initLinear(layer: Linear, config: Pick<BertConfig, "initializer_range">): Linear {
  normal(layer.weight, 0, config.initializer_range);
  if (layer.bias) fillZeros(layer.bias);
  return layer;
}

function linear(inFeatures: number, outFeatures: number, config: BertConfig): Linear {
  return initLinear(new Linear(inFeatures, outFeatures), config);
}

/** Options of BertEmbeddings: ALBERT's narrower width and RoBERTa's padded position row. */
export interface BertEmbeddingsOptions {
  /** Width of the three tables and the LayerNorm (ALBERT's embedding_size); default hidden_size. */
  width?: number;
  /** Row of position_embeddings kept at zero with no gradient (RoBERTa's padding_idx = pad_token_id); default none. */
  positionPaddingIdx?: number | null;
}

/** The config fields the embeddings read (ALBERT's config has them too). */
export type BertEmbeddingsConfig = Pick<BertConfig,
  "vocab_size" | "hidden_size" | "max_position_embeddings" | "type_vocab_size" | "initializer_range" | "pad_token_id" | "layer_norm_eps" | "hidden_dropout_prob">;

/** word + position + token-type embeddings → LayerNorm → dropout (HF's BertEmbeddings; RoBERTa's and ALBERT's too). */
export class BertEmbeddings extends Module {
  word_embeddings: Embedding;
  position_embeddings: Embedding;
  token_type_embeddings: Embedding;
  LayerNorm: LayerNorm;

  constructor(private readonly cfg: BertEmbeddingsConfig, options: BertEmbeddingsOptions = {}) {
    super();
    const E = options.width ?? cfg.hidden_size;
    const positionPad = options.positionPaddingIdx ?? null;
    this.word_embeddings = new Embedding(cfg.vocab_size, E, { paddingIdx: cfg.pad_token_id });
    this.position_embeddings = new Embedding(cfg.max_position_embeddings, E, { paddingIdx: positionPad });
    this.token_type_embeddings = new Embedding(cfg.type_vocab_size, E);
    for (const e of [this.word_embeddings, this.position_embeddings, this.token_type_embeddings]) normal(e.weight, 0, cfg.initializer_range);
    noGrad(() => fillZeros(select(this.word_embeddings.weight, 0, cfg.pad_token_id)));
    if (positionPad !== null) noGrad(() => fillZeros(select(this.position_embeddings.weight, 0, positionPad)));
    this.LayerNorm = new LayerNorm(E, { eps: cfg.layer_norm_eps });
  }

  /** ids [B, T], tokenTypeIds [B, T], positionIds [B, T] (default 0…T−1 for every row) → [B, T, E] */
  forward(ids: Tensor, tokenTypeIds: Tensor, positionIds?: Tensor): Tensor {
    const T = ids.shape[1] as number;
    let x = add(this.word_embeddings.forward(ids), this.token_type_embeddings.forward(tokenTypeIds));
    x = add(x, this.position_embeddings.forward(positionIds ?? arange(0, T, 1, { dtype: "int32" }))); // + [B, T, E] or [T, E]
    return dropout(this.LayerNorm.forward(x), this.cfg.hidden_dropout_prob, this.training);
  }
}

export class BertSelfAttention extends Module {
  query: Linear;
  key: Linear;
  value: Linear;

  constructor(private readonly cfg: BertConfig) {
    super();
    const C = cfg.hidden_size;
    this.query = linear(C, C, cfg);
    this.key = linear(C, C, cfg);
    this.value = linear(C, C, cfg);
  }

  /** x [B, T, C], keyMask [B, T] boolean (true = real) → context [B, T, C] (and weights [B, H, T, T]). */
  forward(x: Tensor, keyMask: Tensor | null, needWeights: boolean): { output: Tensor; weights: Tensor | null } {
    return multiHeadAttention(this.query.forward(x), { k: this.key.forward(x), v: this.value.forward(x) }, {
      numHeads: this.cfg.num_attention_heads,
      keyPaddingMask: keyMask,
      dropout: this.training ? this.cfg.attention_probs_dropout_prob : 0,
      needWeights,
    });
  }
}

/** dense → dropout → LayerNorm(· + residual): the post-norm sub-layer ending of HF's BertSelfOutput / BertOutput. */
export class BertResidualOutput extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;

  constructor(inFeatures: number, private readonly cfg: BertConfig) {
    super();
    this.dense = linear(inFeatures, cfg.hidden_size, cfg);
    this.LayerNorm = new LayerNorm(cfg.hidden_size, { eps: cfg.layer_norm_eps });
  }

  forward(hidden: Tensor, residual: Tensor): Tensor {
    return this.LayerNorm.forward(add(dropout(this.dense.forward(hidden), this.cfg.hidden_dropout_prob, this.training), residual));
  }
}

export class BertAttention extends Module {
  self: BertSelfAttention;
  output: BertResidualOutput;

  constructor(cfg: BertConfig) {
    super();
    this.self = new BertSelfAttention(cfg);
    this.output = new BertResidualOutput(cfg.hidden_size, cfg);
  }

  forward(x: Tensor, keyMask: Tensor | null, needWeights: boolean): { output: Tensor; weights: Tensor | null } {
    const { output, weights } = this.self.forward(x, keyMask, needWeights);
    return { output: this.output.forward(output, x), weights };
  }
}

export class BertIntermediate extends Module {
  dense: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(cfg: BertConfig) {
    super();
    this.dense = linear(cfg.hidden_size, cfg.intermediate_size, cfg);
    this.act = activationFunction(cfg.hidden_act);
  }

  forward(x: Tensor): Tensor {
    return this.act(this.dense.forward(x));
  }
}

export class BertLayer extends Module {
  attention: BertAttention;
  intermediate: BertIntermediate;
  output: BertResidualOutput;

  constructor(cfg: BertConfig) {
    super();
    this.attention = new BertAttention(cfg);
    this.intermediate = new BertIntermediate(cfg);
    this.output = new BertResidualOutput(cfg.intermediate_size, cfg);
  }

  forward(x: Tensor, keyMask: Tensor | null, needWeights: boolean): { output: Tensor; weights: Tensor | null } {
    const { output: attended, weights } = this.attention.forward(x, keyMask, needWeights);
    return { output: this.output.forward(this.intermediate.forward(attended), attended), weights };
  }
}

export class BertEncoder extends Module {
  layer: ModuleList<BertLayer>;

  constructor(cfg: BertConfig) {
    super();
    this.layer = new ModuleList(Array.from({ length: cfg.num_hidden_layers }, () => new BertLayer(cfg)));
  }
}

export class BertPooler extends Module {
  dense: Linear;

  constructor(cfg: BertConfig) {
    super();
    this.dense = linear(cfg.hidden_size, cfg.hidden_size, cfg);
  }

  /** [B, T, C] → tanh(dense(h[:, 0])) [B, C] */
  forward(hidden: Tensor): Tensor {
    return tanh(this.dense.forward(select(hidden, 1, 0)));
  }
}

/** The [B, T] boolean key mask from an attention mask (nonzero = real), or null when there is none. */
export function keyMaskOf(attentionMask: Tensor | undefined, ids: Tensor, op: string): Tensor | null {
  if (attentionMask === undefined) return null;
  if (attentionMask.ndim !== 2 || attentionMask.shape[0] !== ids.shape[0] || attentionMask.shape[1] !== ids.shape[1]) {
    throw new ShapeError(`${op}: attentionMask ${formatShape(attentionMask.shape)} must match inputIds ${formatShape(ids.shape)}`);
  }
  return attentionMask.dtype === "bool" ? attentionMask : ne(attentionMask, 0);
}

/**
 * Checks inputIds and tokenTypeIds against the config; returns the token types (zeros by default).
 * `maxLength` is the longest sequence the position table serves (RoBERTa's is shorter than its table).
 */
export function checkEncoderInputs(ids: Tensor, tokenTypeIds: Tensor | undefined, cfg: Pick<BertConfig, "type_vocab_size">, op: string, maxLength: { value: number; why: string }): Tensor {
  if (ids.ndim !== 2) throw new ShapeError(`${op}: inputIds must be [B, T], got ${formatShape(ids.shape)}`);
  const T = ids.shape[1] as number;
  if (T > maxLength.value) throw new ShapeError(`${op}: a sequence of ${T} tokens exceeds ${maxLength.why}`);
  if (tokenTypeIds === undefined) return zeros(ids.shape, { dtype: "int32" });
  if (tokenTypeIds.ndim !== 2 || tokenTypeIds.shape[0] !== ids.shape[0] || tokenTypeIds.shape[1] !== T) {
    throw new ShapeError(`${op}: tokenTypeIds ${formatShape(tokenTypeIds.shape)} must match inputIds ${formatShape(ids.shape)}`);
  }
  const types = tokenTypeIds.toTypedArray();
  for (const t of types) {
    if (!(Number.isInteger(t) && (t as number) >= 0 && (t as number) < cfg.type_vocab_size)) {
      throw new ValueError(`${op}: token type id ${String(t)} is outside [0, type_vocab_size = ${cfg.type_vocab_size})`);
    }
  }
  return tokenTypeIds;
}

export class BertModel extends Module {
  /** config.json's model_type: how the model registry finds this family. */
  readonly modelType: string = BERT_MODEL_TYPE;
  /** The HF class this module stands for (config.json's architectures). */
  readonly architecture: string = "BertModel";
  readonly config: BertConfig;
  embeddings: BertEmbeddings;
  encoder: BertEncoder;
  pooler: BertPooler | null;
  /** Gradient checkpointing of the encoder layers in training: 0 off, k every k-th layer (nn/checkpointing.ts). */
  gradientCheckpointing = 0;

  /** `addPoolingLayer: false` leaves out pooler.dense, as HF's heads that never read it (masked LM, tokens, QA). */
  constructor(config: Partial<BertConfig> = {}, options: { addPoolingLayer?: boolean } = {}) {
    super();
    this.config = bertConfig(config);
    this.embeddings = new BertEmbeddings(this.config, this.embeddingsOptions());
    this.encoder = new BertEncoder(this.config);
    this.pooler = (options.addPoolingLayer ?? true) ? new BertPooler(this.config) : null;
  }

  /** Options of the embeddings (RoBERTa's padded position row). */
  protected embeddingsOptions(): BertEmbeddingsOptions {
    return {};
  }

  /** The longest input and why (BERT: the position table's size). */
  protected maxSequenceLength(): { value: number; why: string } {
    return { value: this.config.max_position_embeddings, why: `max_position_embeddings = ${this.config.max_position_embeddings}` };
  }

  /** Position ids [B, T], or undefined for 0…T−1 in every row (BERT's absolute positions). */
  protected positionIds(_inputIds: Tensor): Tensor | undefined {
    return undefined;
  }

  /** inputIds [B, T] (int32) → lastHiddenState [B, T, C], poolerOutput [B, C]. */
  forward(inputIds: Tensor, options: BertForwardOptions = {}, op = `${this.architecture}.forward`): BertModelOutput {
    const tokenTypes = checkEncoderInputs(inputIds, options.tokenTypeIds, this.config, op, this.maxSequenceLength());
    const keyMask = keyMaskOf(options.attentionMask, inputIds, op);
    let x = this.embeddings.forward(inputIds, tokenTypes, this.positionIds(inputIds));
    const hiddenStates = options.outputHiddenStates ? [x] : null;
    const attentions: Tensor[] | null = options.outputAttentions ? [] : null;
    const every = checkCheckpointEvery(this.gradientCheckpointing, op);
    let index = 0;
    for (const layer of this.encoder.layer) {
      const run = (h: Tensor) => layer.forward(h, keyMask, options.outputAttentions ?? false);
      const { output, weights } = checkpointBlock(every, index++, this.training, run, x);
      x = output;
      hiddenStates?.push(x);
      if (weights !== null) attentions?.push(weights);
    }
    return { lastHiddenState: x, poolerOutput: this.pooler?.forward(x) ?? null, hiddenStates, attentions };
  }
}
