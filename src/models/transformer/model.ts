/**
 * The original Transformer (Vaswani et al. 2017, "Attention Is All You Need"): an encoder of N blocks
 * (self-attention over the source with its padding mask, feed-forward) and a decoder of N blocks
 * (causal self-attention, cross-attention to the encoder output, feed-forward), post-norm residuals
 * LayerNorm(x + Sublayer(x)) (§3.1), ReLU feed-forward (§3.3), attention scaled by 1/√D (§3.2.1),
 * token embeddings multiplied by √d_model plus sinusoidal positions (§3.4–3.5), one embedding matrix
 * shared by source, target and the pre-softmax projection (§3.4), label-smoothed loss (§5.4).
 *
 * Names: `transformer.*` is torch.nn.Transformer's state dict exactly (the module tree of PyTorch's
 * translation tutorial, which wraps an nn.Transformer as `transformer`):
 *   transformer.encoder.layers.i.{self_attn.{in_proj_weight, in_proj_bias, out_proj}, linear1, linear2, norm1, norm2}
 *   transformer.encoder.norm
 *   transformer.decoder.layers.i.{self_attn, multihead_attn, linear1, linear2, norm1, norm2, norm3}
 *   transformer.decoder.norm
 * (nn.Transformer puts a final LayerNorm after each stack even in post-norm; kept, so the weights load
 * into it). Embeddings and output, loom's choice: `shared.weight` [V, C] when share_embeddings, else
 * `src_embed.weight` and `tgt_embed.weight`; `generator.weight` [V, C] (no bias) unless
 * tie_word_embeddings, when the target embedding projects the output.
 *
 * Shapes: B batch, S source length, T decoder length (new positions), C = d_model, H = nhead, D = C/H,
 * F = dim_feedforward, V the target vocabulary.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { crossEntropy } from "../../losses/index.js";
import { add, matmul, mul, reshape, transpose } from "../../ops/index.js";
import type { FloatDType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../../nn/functional/index.js";
import { KVCache } from "../../nn/attention/kv-cache.js";
import { SinusoidalPositionalEncoding } from "../../nn/attention/sinusoidal.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { LayerNorm } from "../../nn/layers/layer-norm.js";
import { Linear } from "../../nn/layers/linear.js";
import { ModuleList } from "../../nn/layers/containers.js";
import { normal, xavierUniform } from "../../nn/init.js";
import { Module } from "../../nn/module.js";
import { TransformerBlock } from "../../nn/transformer/block.js";
import { EncoderDecoderStep, type EncoderMemory, booleanMask, checkIds, lengthsMask, shiftTokensRight } from "../encoder-decoder.js";
import { TRANSFORMER_MODEL_TYPE, type TransformerConfig, transformerConfig } from "./config.js";

/** One block of either stack, with the config's width, heads, feed-forward, norm placement and dropout. */
function block(c: TransformerConfig, decoder: boolean): TransformerBlock {
  return new TransformerBlock({
    dModel: c.d_model,
    numHeads: c.nhead,
    dFF: c.dim_feedforward,
    activation: c.activation,
    dropout: c.dropout,
    normEps: c.layer_norm_eps,
    placement: c.norm_first ? "pre" : "post",
    crossAttention: decoder,
    causal: decoder,
  });
}

/** torch.nn.TransformerEncoder: `layers` then the final `norm`. */
export class TransformerEncoder extends Module {
  layers: ModuleList<TransformerBlock>;
  norm: LayerNorm;

  constructor(c: TransformerConfig) {
    super();
    this.layers = new ModuleList(Array.from({ length: c.num_encoder_layers }, () => block(c, false)));
    this.norm = new LayerNorm(c.d_model, { eps: c.layer_norm_eps });
  }

  /** x [B, S, C] with a [B, S] "real token" mask (or null) → memory [B, S, C]. */
  forward(x: Tensor, mask: Tensor | null): Tensor {
    for (const layer of this.layers) x = layer.forward(x, { keyPaddingMask: mask });
    return this.norm.forward(x);
  }
}

/** torch.nn.TransformerDecoder: `layers` then the final `norm`. */
export class TransformerDecoder extends Module {
  layers: ModuleList<TransformerBlock>;
  norm: LayerNorm;

  constructor(c: TransformerConfig) {
    super();
    this.layers = new ModuleList(Array.from({ length: c.num_decoder_layers }, () => block(c, true)));
    this.norm = new LayerNorm(c.d_model, { eps: c.layer_norm_eps });
  }

  /**
   * x [B, T, C] (the new positions) over the encoder memory → [B, T, C]. `mask` [B, past + T] marks
   * real decoder keys (null: all real; causal masking applies anyway); the cache grows by T.
   */
  forward(x: Tensor, memory: EncoderMemory, mask: Tensor | null, cache?: KVCache): Tensor {
    const [B, S] = memory.hiddenStates.shape as [number, number, number];
    const contextMask = memory.mask === null ? null : reshape(memory.mask, [B, 1, 1, S]); // [B, 1, 1, S]
    let i = 0;
    for (const layer of this.layers) {
      x = layer.forward(x, {
        keyPaddingMask: mask,
        context: memory.hiddenStates,
        contextMask,
        ...(cache ? { kvCache: cache.layer(i), crossKvCache: cache.crossLayer(i) } : {}),
      });
      i++;
    }
    return this.norm.forward(x);
  }
}

/** torch.nn.Transformer's module tree: `encoder` and `decoder`. */
export class TransformerCore extends Module {
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;

  constructor(c: TransformerConfig) {
    super();
    this.encoder = new TransformerEncoder(c);
    this.decoder = new TransformerDecoder(c);
  }
}

/** Options of `Transformer.forward`: masks, decoder inputs or labels, a reused encoder output or a cache. */
export interface TransformerForwardOptions {
  /** [B, S] encoder mask (1/true = real token, 0/false = padding); default all real. */
  attentionMask?: Tensor;
  /** [B, T] decoder inputs; default: labels shifted right with decoder_start_token_id. */
  decoderInputIds?: Tensor;
  /** [B, T] decoder key mask (1 = real); default all real (causal masking applies anyway). */
  decoderAttentionMask?: Tensor;
  /** [B, T] targets; −100 entries are ignored by the loss (and become pad_token_id in the shifted inputs). */
  labels?: Tensor;
  /** An encoder output to reuse instead of running the encoder (generation). */
  encoderOutputs?: EncoderMemory;
  /** A cache from newCache() for incremental decoding. */
  cache?: KVCache;
}

/** What `Transformer.forward` returns. */
export interface TransformerOutput {
  /** [B, T, V] */
  logits: Tensor;
  /** Label-smoothed mean cross-entropy over labels ≠ −100 (ε = label_smoothing), or null without labels. */
  loss: Tensor | null;
  /** [B, S, C] */
  encoderLastHiddenState: Tensor;
  /** [B, T, C] */
  decoderLastHiddenState: Tensor;
}

/**
 * The original Transformer as a sequence-to-sequence model: `forward(inputIds, { attentionMask,
 * decoderInputIds | labels })` gives logits and the label-smoothed loss; `decoderStep` drives greedy
 * decoding, sampling, beam search and streaming through generate/'s one decoding interface.
 */
export class Transformer extends Module {
  /** config.json's model_type: how the model registry finds this family. */
  readonly modelType = TRANSFORMER_MODEL_TYPE;
  readonly config: TransformerConfig;
  /** [V, C] source and target embedding when share_embeddings, else null. */
  shared: Embedding | null = null;
  src_embed: Embedding | null = null;
  tgt_embed: Embedding | null = null;
  transformer: TransformerCore;
  /** [V, C] pre-softmax projection, or null when tied to the target embedding. */
  generator: Linear | null;
  positional_encoding: SinusoidalPositionalEncoding;

  constructor(config: Partial<TransformerConfig> = {}) {
    super();
    this.config = transformerConfig(config);
    const c = this.config;
    // Embeddings N(0, C^−1/2), so that after the √C scale they have unit variance (fairseq's choice).
    const embedding = (V: number): Embedding => {
      const e = new Embedding(V, c.d_model);
      normal(e.weight, 0, c.d_model ** -0.5);
      return e;
    };
    if (c.share_embeddings) {
      this.shared = embedding(c.tgt_vocab_size);
    } else {
      this.src_embed = embedding(c.src_vocab_size);
      this.tgt_embed = embedding(c.tgt_vocab_size);
    }
    this.transformer = new TransformerCore(c);
    // torch.nn.Transformer._reset_parameters: Xavier-uniform for every matrix of the layers.
    for (const p of this.transformer.parameters()) if (p.ndim > 1) xavierUniform(p);
    this.generator = null;
    if (!c.tie_word_embeddings) {
      this.generator = new Linear(c.d_model, c.tgt_vocab_size, { bias: false });
      xavierUniform(this.generator.weight);
    }
    this.positional_encoding = new SinusoidalPositionalEncoding(c.d_model);
  }

  private get sourceEmbedding(): Embedding {
    return (this.shared ?? this.src_embed) as Embedding;
  }

  private get targetEmbedding(): Embedding {
    return (this.shared ?? this.tgt_embed) as Embedding;
  }

  /** ids [B, T] at positions offset … → dropout(√C · embed(ids) + PE) [B, T, C]; refuses positions past max_position_embeddings. */
  private embed(table: Embedding, ids: Tensor, offset: number, stack: string): Tensor {
    const T = ids.shape[1] as number;
    const c = this.config;
    if (offset + T > c.max_position_embeddings) {
      throw new ShapeError(`Transformer ${stack}: ${offset + T} positions exceed max_position_embeddings=${c.max_position_embeddings} (the sinusoidal table's length in config.json)`);
    }
    const x = mul(table.forward(ids), Math.sqrt(c.d_model)); // [B, T, C]
    const positions = this.positional_encoding.encoding(T, offset, x.dtype as FloatDType); // [T, C]
    return dropout(add(x, positions), c.dropout, this.training);
  }

  /** labels [B, T] → decoder inputs [start, labels[:, :-1]] with −100 replaced by pad_token_id. */
  shiftRight(labels: Tensor): Tensor {
    return shiftTokensRight(labels, this.config.decoder_start_token_id, this.config.pad_token_id);
  }

  /** The encoder's output over ids [B, S] with an optional [B, S] mask. */
  encode(inputIds: Tensor, attentionMask?: Tensor): EncoderMemory {
    checkIds(inputIds, this.config.src_vocab_size, "inputIds", "Transformer.forward");
    const mask = booleanMask(attentionMask, inputIds, "attentionMask", "Transformer.forward");
    const x = this.embed(this.sourceEmbedding, inputIds, 0, "encoder");
    return { hiddenStates: this.transformer.encoder.forward(x, mask), mask };
  }

  /** Decoder hidden states [B, T, C] → logits [B, T, V]. */
  private project(hidden: Tensor): Tensor {
    if (this.generator !== null) return this.generator.forward(hidden);
    return matmul(hidden, transpose(this.targetEmbedding.weight, 0, 1));
  }

  /** The decoder over an encoder output: decoder ids [B, T] → hidden states and logits [B, T, V]. */
  decodeWith(memory: EncoderMemory, decoderIds: Tensor, options: { decoderAttentionMask?: Tensor; cache?: KVCache } = {}): { hidden: Tensor; logits: Tensor } {
    checkIds(decoderIds, this.config.tgt_vocab_size, "decoderInputIds", "Transformer.forward");
    if (decoderIds.shape[0] !== memory.hiddenStates.shape[0]) {
      throw new ShapeError(`Transformer.forward: decoderInputIds ${formatShape(decoderIds.shape)} and the encoder batch ${formatShape(memory.hiddenStates.shape)} differ`);
    }
    const mask = booleanMask(options.decoderAttentionMask, decoderIds, "decoderAttentionMask", "Transformer.forward");
    const past = options.cache?.length ?? 0;
    const x = this.embed(this.targetEmbedding, decoderIds, past, "decoder");
    const hidden = this.transformer.decoder.forward(x, memory, mask, options.cache);
    return { hidden, logits: this.project(hidden) };
  }

  /** inputIds [B, S] → named outputs; decoder inputs from decoderInputIds, or labels shifted right. */
  forward(inputIds: Tensor, options: TransformerForwardOptions = {}): TransformerOutput {
    const memory = options.encoderOutputs ?? this.encode(inputIds, options.attentionMask);
    const labels = options.labels;
    if (labels !== undefined && (labels.ndim !== 2 || labels.shape[0] !== memory.hiddenStates.shape[0])) {
      throw new ShapeError(`Transformer.forward: labels must be [${memory.hiddenStates.shape[0]}, T], got ${formatShape(labels.shape)}`);
    }
    let decoderIds = options.decoderInputIds;
    if (decoderIds === undefined) {
      if (labels === undefined) throw new ValueError("Transformer.forward: give decoderInputIds or labels");
      decoderIds = this.shiftRight(labels);
    }
    const { hidden, logits } = this.decodeWith(memory, decoderIds, {
      ...(options.decoderAttentionMask ? { decoderAttentionMask: options.decoderAttentionMask } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
    });
    let loss: Tensor | null = null;
    if (labels !== undefined) {
      if (labels.shape[1] !== decoderIds.shape[1]) throw new ShapeError(`Transformer.forward: labels ${formatShape(labels.shape)} and decoder inputs ${formatShape(decoderIds.shape)} differ in length`);
      const V = this.config.tgt_vocab_size;
      loss = crossEntropy(reshape(logits, [-1, V]), reshape(labels, [-1]), { ignoreIndex: -100, labelSmoothing: this.config.label_smoothing });
    }
    return { logits, loss, encoderLastHiddenState: memory.hiddenStates, decoderLastHiddenState: hidden };
  }

  /** A new empty cache: per decoder block a growing self-attention cache and a cross-attention one. */
  newCache(): KVCache {
    return new KVCache();
  }

  /** Encodes src [B, S] (rows of the given lengths, right-padded) once; the decoder step over its rows. */
  decoderStep(src: Tensor, srcLengths: readonly number[], options: { useCache?: boolean } = {}): EncoderDecoderStep {
    const memory = this.encode(src, lengthsMask(src, srcLengths, "Transformer.decoderStep"));
    return new EncoderDecoderStep(this, memory, options.useCache ?? true);
  }

  /** What decoding needs to know: the decoder start id, the end id and the target vocabulary. */
  get decoding(): { startId: number; endId: number; vocabSize: number } {
    const c = this.config;
    return { startId: c.decoder_start_token_id, endId: c.eos_token_id, vocabSize: c.tgt_vocab_size };
  }
}
