/**
 * DistilBERT (Sanh et al. 2019) with Hugging Face's module tree and state-dict names:
 *   embeddings.{word_embeddings, position_embeddings, LayerNorm}          (no token types)
 *   transformer.layer.N.{attention.{q_lin,k_lin,v_lin,out_lin}, sa_layer_norm, ffn.{lin1,lin2}, output_layer_norm}
 * and no pooler. Post-norm blocks as BERT's: x ← sa_layer_norm(x + out_lin(Attn(x))),
 * x ← output_layer_norm(x + Dropout(lin2(act(lin1 x)))); attention is nn's one path.
 * With sinusoidal_pos_embds the position table is fixed: PE[p, 2i] = sin(p / 10000^(2i/C)),
 * PE[p, 2i+1] = cos(p / 10000^(2i/C)) (transformers' create_sinusoidal_embeddings), without gradient.
 *
 * Shapes: B batch, T sequence, C = dim, H = n_heads, F = hidden_dim.
 */
import { ShapeError, formatShape } from "../../errors.js";
import { add, copyInto, select } from "../../ops/index.js";
import { arange } from "../../tensor/factory.js";
import type { Tensor } from "../../tensor/tensor.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { dropout } from "../../nn/functional/index.js";
import { multiHeadAttention } from "../../nn/attention/attention.js";
import { sinusoidalTable } from "../../nn/attention/sinusoidal.js";
import { activationFunction } from "../../nn/layers/activation.js";
import { ModuleList } from "../../nn/layers/containers.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { Linear } from "../../nn/layers/linear.js";
import { Module } from "../../nn/module.js";
import { normal, zeros as fillZeros } from "../../nn/init.js";
import { initLinear, keyMaskOf } from "../bert/model.js";
import { DISTILBERT_LAYER_NORM_EPS, DISTILBERT_MODEL_TYPE, type DistilBertConfig, distilBertConfig } from "./config.js";

/** Options of `DistilBertModel.forward`: padding mask and which extra outputs to return (no token types). */
export interface DistilBertForwardOptions {
  /** [B, T]: 1 (or true) for a real token, 0 for padding. Default: all real. */
  attentionMask?: Tensor;
  /** Also return the embedding output and each layer's output. */
  outputHiddenStates?: boolean;
  /** Also return each layer's attention probabilities [B, H, T, T]. */
  outputAttentions?: boolean;
}

/** What `DistilBertModel.forward` returns. */
export interface DistilBertModelOutput {
  /** [B, T, C] */
  lastHiddenState: Tensor;
  /** n_layers + 1 tensors [B, T, C] (embeddings first), when asked for. */
  hiddenStates: Tensor[] | null;
  /** n_layers tensors [B, H, T, T], when asked for. */
  attentions: Tensor[] | null;
}

/** word + position embeddings → LayerNorm → dropout. */
export class DistilBertEmbeddings extends Module {
  word_embeddings: Embedding;
  position_embeddings: Embedding;
  LayerNorm: LayerNorm;

  constructor(private readonly cfg: DistilBertConfig) {
    super();
    const C = cfg.dim;
    this.word_embeddings = new Embedding(cfg.vocab_size, C, { paddingIdx: cfg.pad_token_id });
    this.position_embeddings = new Embedding(cfg.max_position_embeddings, C);
    for (const e of [this.word_embeddings, this.position_embeddings]) normal(e.weight, 0, cfg.initializer_range);
    noGrad(() => fillZeros(select(this.word_embeddings.weight, 0, cfg.pad_token_id)));
    if (cfg.sinusoidal_pos_embds) {
      // transformers' create_sinusoidal_embeddings is Vaswani's interleaved table, nn's sinusoidalTable.
      const table = sinusoidalTable(cfg.max_position_embeddings, C);
      noGrad(() => copyInto(this.position_embeddings.weight, table.to(this.position_embeddings.weight.dtype)));
      this.position_embeddings.weight.requiresGrad = false;
    }
    this.LayerNorm = new LayerNorm(C, { eps: DISTILBERT_LAYER_NORM_EPS });
  }

  /** ids [B, T] → [B, T, C] */
  forward(ids: Tensor): Tensor {
    const T = ids.shape[1] as number;
    const x = add(this.word_embeddings.forward(ids), this.position_embeddings.forward(arange(0, T, 1, { dtype: "int32" }))); // [B, T, C] + [T, C]
    return dropout(this.LayerNorm.forward(x), this.cfg.dropout, this.training);
  }
}

/** q_lin, k_lin, v_lin → attention → out_lin (transformers' MultiHeadSelfAttention). */
export class DistilBertSelfAttention extends Module {
  q_lin: Linear;
  k_lin: Linear;
  v_lin: Linear;
  out_lin: Linear;

  constructor(private readonly cfg: DistilBertConfig) {
    super();
    const C = cfg.dim;
    [this.q_lin, this.k_lin, this.v_lin, this.out_lin] = [0, 1, 2, 3].map(() => initLinear(new Linear(C, C), cfg)) as [Linear, Linear, Linear, Linear];
  }

  /** x [B, T, C], keyMask [B, T] → [B, T, C] (and weights [B, H, T, T]). */
  forward(x: Tensor, keyMask: Tensor | null, needWeights: boolean): { output: Tensor; weights: Tensor | null } {
    const { output, weights } = multiHeadAttention(this.q_lin.forward(x), { k: this.k_lin.forward(x), v: this.v_lin.forward(x) }, {
      numHeads: this.cfg.n_heads,
      keyPaddingMask: keyMask,
      dropout: this.training ? this.cfg.attention_dropout : 0,
      needWeights,
    });
    return { output: this.out_lin.forward(output), weights };
  }
}

/** lin2(act(lin1 x)) → dropout (transformers' FFN). */
export class DistilBertFFN extends Module {
  lin1: Linear;
  lin2: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(private readonly cfg: DistilBertConfig) {
    super();
    this.lin1 = initLinear(new Linear(cfg.dim, cfg.hidden_dim), cfg);
    this.lin2 = initLinear(new Linear(cfg.hidden_dim, cfg.dim), cfg);
    this.act = activationFunction(cfg.activation);
  }

  forward(x: Tensor): Tensor {
    return dropout(this.lin2.forward(this.act(this.lin1.forward(x))), this.cfg.dropout, this.training);
  }
}

/** attention → sa_layer_norm(· + x) → ffn → output_layer_norm(· + ·) (transformers' TransformerBlock). */
export class DistilBertLayer extends Module {
  attention: DistilBertSelfAttention;
  sa_layer_norm: LayerNorm;
  ffn: DistilBertFFN;
  output_layer_norm: LayerNorm;

  constructor(cfg: DistilBertConfig) {
    super();
    this.attention = new DistilBertSelfAttention(cfg);
    this.sa_layer_norm = new LayerNorm(cfg.dim, { eps: DISTILBERT_LAYER_NORM_EPS });
    this.ffn = new DistilBertFFN(cfg);
    this.output_layer_norm = new LayerNorm(cfg.dim, { eps: DISTILBERT_LAYER_NORM_EPS });
  }

  forward(x: Tensor, keyMask: Tensor | null, needWeights: boolean): { output: Tensor; weights: Tensor | null } {
    const { output, weights } = this.attention.forward(x, keyMask, needWeights);
    const attended = this.sa_layer_norm.forward(add(output, x));
    return { output: this.output_layer_norm.forward(add(this.ffn.forward(attended), attended)), weights };
  }
}

/** transformer.layer: the n_layers blocks. */
export class DistilBertTransformer extends Module {
  layer: ModuleList<DistilBertLayer>;

  constructor(cfg: DistilBertConfig) {
    super();
    this.layer = new ModuleList(Array.from({ length: cfg.n_layers }, () => new DistilBertLayer(cfg)));
  }
}

export class DistilBertModel extends Module {
  /** config.json's model_type: how the model registry finds this family. */
  readonly modelType = DISTILBERT_MODEL_TYPE;
  readonly architecture: string = "DistilBertModel";
  readonly config: DistilBertConfig;
  embeddings: DistilBertEmbeddings;
  transformer: DistilBertTransformer;

  constructor(config: Partial<DistilBertConfig> = {}) {
    super();
    this.config = distilBertConfig(config);
    this.embeddings = new DistilBertEmbeddings(this.config);
    this.transformer = new DistilBertTransformer(this.config);
  }

  /** inputIds [B, T] (int32) → lastHiddenState [B, T, C]. */
  forward(inputIds: Tensor, options: DistilBertForwardOptions = {}, op = `${this.architecture}.forward`): DistilBertModelOutput {
    if (inputIds.ndim !== 2) throw new ShapeError(`${op}: inputIds must be [B, T], got ${formatShape(inputIds.shape)}`);
    const T = inputIds.shape[1] as number;
    const P = this.config.max_position_embeddings;
    if (T > P) throw new ShapeError(`${op}: a sequence of ${T} tokens exceeds max_position_embeddings = ${P}`);
    const keyMask = keyMaskOf(options.attentionMask, inputIds, op);
    let x = this.embeddings.forward(inputIds);
    const hiddenStates = options.outputHiddenStates ? [x] : null;
    const attentions: Tensor[] | null = options.outputAttentions ? [] : null;
    for (const layer of this.transformer.layer) {
      const { output, weights } = layer.forward(x, keyMask, options.outputAttentions ?? false);
      x = output;
      hiddenStates?.push(x);
      if (weights !== null) attentions?.push(weights);
    }
    return { lastHiddenState: x, hiddenStates, attentions };
  }
}
