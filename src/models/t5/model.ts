/**
 * T5 (Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified Text-to-Text
 * Transformer") with Hugging Face's T5ForConditionalGeneration module tree and names:
 *   shared · encoder.block.i.layer.0.{layer_norm, SelfAttention.{q,k,v,o}} · encoder.block.i.layer.1.
 *   {layer_norm, DenseReluDense.{wi | wi_0, wi_1, wo}} · encoder.final_layer_norm · decoder.block.i.layer.
 *   {0: self-attention, 1: EncDecAttention, 2: feed-forward} · decoder.final_layer_norm · lm_head,
 * with block 0's SelfAttention.relative_attention_bias in each stack, reused by every later block.
 * Pre-norm residual blocks with T5's RMS norm (no mean, no bias), no biases anywhere, and attention
 * without the 1/√D factor (T5 folds it into the initialisation of q). T5 computes the norm's variance in
 * float32 whatever the weights' dtype; loom's rmsNorm computes it in the model's dtype, which is
 * float32 by default (identical) and float64 on request (more precise, not rounded to float32).
 *
 * Shapes: B batch, S encoder length, T decoder length (new positions), C = d_model, H heads, D = d_kv,
 * V vocabulary.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { crossEntropy } from "../../losses/index.js";
import { add, matmul, mul, reshape, transpose } from "../../ops/index.js";
import { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../../nn/functional/index.js";
import { multiHeadAttention } from "../../nn/attention/attention.js";
import { KVCache, type LayerKVCache } from "../../nn/attention/kv-cache.js";
import { relativePositionBuckets } from "../../nn/attention/relative-position.js";
import { ACTIVATION_FUNCTIONS } from "../../nn/layers/activation.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { Linear } from "../../nn/layers/linear.js";
import { ModuleList } from "../../nn/layers/containers.js";
import { RMSNorm } from "../../nn/layers/rms-norm.js";
import { normal } from "../../nn/init.js";
import { checkCheckpointEvery, checkpointBlock } from "../../nn/checkpointing.js";
import { Module } from "../../nn/module.js";
import type { LoadStateDictOptions, LoadStateDictResult, StateDict } from "../../nn/module.js";
import { EncoderDecoderStep, type EncoderMemory, booleanMask, checkIds, lengthsMask, shiftTokensRight } from "../encoder-decoder.js";
import { T5_MODEL_TYPE, type T5Config, decoderLayers, feedForwardActivation, t5Config } from "./config.js";

/** T5's layer norm: x / √(mean(x²) + ε) · weight (RMS norm: no mean subtracted, no bias). */
function t5Norm(c: T5Config): RMSNorm {
  return new RMSNorm(c.d_model, { eps: c.layer_norm_epsilon });
}

/** A bias-free Linear with T5's normal(0, std) initialisation. */
function projection(inFeatures: number, outFeatures: number, std: number): Linear {
  const l = new Linear(inFeatures, outFeatures, { bias: false });
  normal(l.weight, 0, std);
  return l;
}

/** What one attention call reads besides its input. */
interface AttentionContext {
  /** Encoder output [B, S, C] for cross-attention. */
  keyValueStates?: Tensor;
  /** [B, S|T] boolean, true = a real key. */
  keyPaddingMask: Tensor | null;
  /** [1, H, T, S] relative position bias (self-attention only). */
  positionBias: Tensor | null;
  cache?: LayerKVCache;
}

export class T5Attention extends Module {
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
  /** [num_buckets, H] in block 0 of each stack's self-attention; null elsewhere. */
  relative_attention_bias: Embedding | null;

  constructor(readonly config: T5Config, readonly isDecoder: boolean, hasRelativeBias: boolean, readonly cross: boolean) {
    super();
    const C = config.d_model;
    const inner = config.num_heads * config.d_kv;
    const f = config.initializer_factor;
    // transformers' T5 initialisation: q absorbs the 1/√D that the attention leaves out.
    this.q = projection(C, inner, f * (C * config.d_kv) ** -0.5);
    this.k = projection(C, inner, f * C ** -0.5);
    this.v = projection(C, inner, f * C ** -0.5);
    this.o = projection(inner, C, f * inner ** -0.5);
    this.relative_attention_bias = null;
    if (hasRelativeBias) {
      this.relative_attention_bias = new Embedding(config.relative_attention_num_buckets, config.num_heads);
      normal(this.relative_attention_bias.weight, 0, f * C ** -0.5);
    }
  }

  /**
   * The additive bias [1, H, T, S] for T queries at positions offset … offset+T−1 over S keys
   * (Raffel et al. §2.1; bidirectional in the encoder, causal buckets in the decoder).
   */
  positionBias(T: number, S: number, offset: number): Tensor {
    if (this.relative_attention_bias === null) throw new ValueError("T5Attention.positionBias: this layer has no relative_attention_bias (only block 0 does)");
    const buckets = relativePositionBuckets(T, S, {
      bidirectional: !this.isDecoder,
      numBuckets: this.config.relative_attention_num_buckets,
      maxDistance: this.config.relative_attention_max_distance,
      offset,
    }); // [T, S]
    const values = this.relative_attention_bias.forward(buckets); // [T, S, H]
    return reshape(transpose(transpose(values, 1, 2), 0, 1), [1, this.config.num_heads, T, S]);
  }

  /** x [B, T, C] → [B, T, C]. */
  forward(x: Tensor, ctx: AttentionContext): Tensor {
    const source = ctx.keyValueStates ?? x;
    const { output } = multiHeadAttention(this.q.forward(x), () => ({ k: this.k.forward(source), v: this.v.forward(source) }), {
      numHeads: this.config.num_heads,
      cross: this.cross,
      isCausal: this.isDecoder && !this.cross,
      keyPaddingMask: ctx.keyPaddingMask,
      positionBias: ctx.positionBias,
      scale: 1, // T5 has no 1/√D
      dropout: this.training ? this.config.dropout_rate : 0,
      ...(ctx.cache ? { cache: ctx.cache } : {}),
    });
    return this.o.forward(output);
  }
}

/** layer_norm → SelfAttention → dropout → residual. */
export class T5LayerSelfAttention extends Module {
  SelfAttention: T5Attention;
  layer_norm: RMSNorm;

  constructor(readonly config: T5Config, isDecoder: boolean, hasRelativeBias: boolean) {
    super();
    this.SelfAttention = new T5Attention(config, isDecoder, hasRelativeBias, false);
    this.layer_norm = t5Norm(config);
  }

  forward(x: Tensor, ctx: AttentionContext): Tensor {
    return add(x, dropout(this.SelfAttention.forward(this.layer_norm.forward(x), ctx), this.config.dropout_rate, this.training));
  }
}

/** layer_norm → EncDecAttention over the encoder output (no relative bias) → dropout → residual. */
export class T5LayerCrossAttention extends Module {
  EncDecAttention: T5Attention;
  layer_norm: RMSNorm;

  constructor(readonly config: T5Config) {
    super();
    this.EncDecAttention = new T5Attention(config, true, false, true);
    this.layer_norm = t5Norm(config);
  }

  forward(x: Tensor, ctx: AttentionContext): Tensor {
    return add(x, dropout(this.EncDecAttention.forward(this.layer_norm.forward(x), ctx), this.config.dropout_rate, this.training));
  }
}

/** wi → act → dropout → wo, or gated: act(wi_0 x) ⊙ wi_1 x → dropout → wo. */
export class T5DenseActDense extends Module {
  wi: Linear | null;
  wi_0: Linear | null;
  wi_1: Linear | null;
  wo: Linear;
  private readonly act: (x: Tensor) => Tensor;
  private readonly gated: boolean;

  constructor(readonly config: T5Config) {
    super();
    const { gated, act } = feedForwardActivation(config);
    this.gated = gated;
    this.act = ACTIVATION_FUNCTIONS[act];
    const f = config.initializer_factor;
    const C = config.d_model;
    this.wi = gated ? null : projection(C, config.d_ff, f * C ** -0.5);
    this.wi_0 = gated ? projection(C, config.d_ff, f * C ** -0.5) : null;
    this.wi_1 = gated ? projection(C, config.d_ff, f * C ** -0.5) : null;
    this.wo = projection(config.d_ff, C, f * config.d_ff ** -0.5);
  }

  /** [B, T, C] → [B, T, C] */
  forward(x: Tensor): Tensor {
    const h = this.gated
      ? mul(this.act((this.wi_0 as Linear).forward(x)), (this.wi_1 as Linear).forward(x))
      : this.act((this.wi as Linear).forward(x)); // [B, T, d_ff]
    return this.wo.forward(dropout(h, this.config.dropout_rate, this.training));
  }
}

/** layer_norm → DenseReluDense → dropout → residual. */
export class T5LayerFF extends Module {
  DenseReluDense: T5DenseActDense;
  layer_norm: RMSNorm;

  constructor(readonly config: T5Config) {
    super();
    this.DenseReluDense = new T5DenseActDense(config);
    this.layer_norm = t5Norm(config);
  }

  forward(x: Tensor): Tensor {
    return add(x, dropout(this.DenseReluDense.forward(this.layer_norm.forward(x)), this.config.dropout_rate, this.training));
  }
}

/** One block: encoder [self, ff], decoder [self, cross, ff]. */
export class T5Block extends Module {
  layer: ModuleList<T5LayerSelfAttention | T5LayerCrossAttention | T5LayerFF>;

  constructor(readonly config: T5Config, readonly isDecoder: boolean, hasRelativeBias: boolean) {
    super();
    const layers: (T5LayerSelfAttention | T5LayerCrossAttention | T5LayerFF)[] = [new T5LayerSelfAttention(config, isDecoder, hasRelativeBias)];
    if (isDecoder) layers.push(new T5LayerCrossAttention(config));
    layers.push(new T5LayerFF(config));
    this.layer = new ModuleList(layers);
  }

  get selfAttention(): T5Attention {
    return (this.layer.at(0) as T5LayerSelfAttention).SelfAttention;
  }

  forward(x: Tensor, self: AttentionContext, cross: AttentionContext | null): Tensor {
    const [first, second, third] = [...this.layer];
    let h = (first as T5LayerSelfAttention).forward(x, self);
    if (this.isDecoder) h = (second as T5LayerCrossAttention).forward(h, cross as AttentionContext);
    return ((this.isDecoder ? third : second) as T5LayerFF).forward(h);
  }
}


/** The encoder or decoder stack; its token embedding is the model's `shared` (not a submodule, so named once). */
export class T5Stack extends Module {
  block: ModuleList<T5Block>;
  final_layer_norm: RMSNorm;
  /** Gradient checkpointing of the blocks in training: 0 off, k every k-th block (nn/checkpointing.ts); no cache with it. */
  gradientCheckpointing = 0;

  constructor(readonly config: T5Config, readonly isDecoder: boolean, private readonly embedTokens: () => Embedding) {
    super();
    const n = isDecoder ? decoderLayers(config) : config.num_layers;
    this.block = new ModuleList(Array.from({ length: n }, (_, i) => new T5Block(config, isDecoder, i === 0)));
    this.final_layer_norm = t5Norm(config);
  }

  /**
   * ids [B, T] → hidden states [B, T, C]. The decoder takes the encoder memory, an optional mask of its
   * own keys, and a cache (self-attention grows, cross-attention K/V computed once).
   */
  forward(ids: Tensor, mask: Tensor | null, memory: EncoderMemory | null = null, cache?: KVCache): Tensor {
    const T = ids.shape[1] as number;
    const past = cache?.length ?? 0;
    const c = this.config;
    const S = past + T;
    if (S > c.n_positions) {
      throw new ShapeError(`T5 ${this.isDecoder ? "decoder" : "encoder"}: ${S} positions exceed n_positions=${c.n_positions} (the length the config states; see T5Config.n_positions)`);
    }
    let x = dropout(this.embedTokens().forward(ids), c.dropout_rate, this.training); // [B, T, C]
    const first = this.block.at(0) as T5Block;
    // Block 0's relative bias, computed once and shared by every block (transformers' T5Stack).
    const positionBias = first.selfAttention.positionBias(T, S, past); // [1, H, T, S]
    let i = 0;
    for (const block of this.block) {
      const self: AttentionContext = { keyPaddingMask: mask, positionBias, ...(cache ? { cache: cache.layer(i) } : {}) };
      const cross: AttentionContext | null = memory === null ? null : {
        keyValueStates: memory.hiddenStates,
        keyPaddingMask: memory.mask,
        positionBias: null,
        ...(cache ? { cache: cache.crossLayer(i) } : {}),
      };
      const every = checkCheckpointEvery(this.gradientCheckpointing, "T5Stack.forward");
      x = checkpointBlock(every, i, this.training && cache === undefined, (h: Tensor) => block.forward(h, self, cross), x);
      i++;
    }
    return dropout(this.final_layer_norm.forward(x), c.dropout_rate, this.training);
  }
}

/** Options of `T5ForConditionalGeneration.forward`: masks, decoder inputs or labels, and a reused encoder output or cache. */
export interface T5ForwardOptions {
  /** [B, S] encoder mask (1/true = real token, 0/false = padding); default all real. */
  attentionMask?: Tensor;
  /** [B, T] decoder inputs; default: labels shifted right with decoder_start_token_id. */
  decoderInputIds?: Tensor;
  /** [B, T] decoder self-attention mask (1 = real); default all real (causal masking applies anyway). */
  decoderAttentionMask?: Tensor;
  /** [B, T] targets; −100 entries are ignored by the loss (and become pad_token_id in the shifted inputs). */
  labels?: Tensor;
  /** An encoder output to reuse instead of running the encoder (generation). */
  encoderOutputs?: EncoderMemory;
  /** A cache from newCache() for incremental decoding. */
  cache?: KVCache;
}

/** What `T5ForConditionalGeneration.forward` returns. */
export interface T5Output {
  /** [B, T, V] */
  logits: Tensor;
  /** Mean cross-entropy over labels ≠ −100, or null without labels. */
  loss: Tensor | null;
  /** [B, S, C] the encoder's output (final norm applied). */
  encoderLastHiddenState: Tensor;
  /** [B, T, C] the decoder's output before the tied-embedding scaling. */
  decoderLastHiddenState: Tensor;
}

export class T5ForConditionalGeneration extends Module {
  /** config.json's model_type: how the model registry finds this family. */
  readonly modelType = T5_MODEL_TYPE;
  readonly config: T5Config;
  shared: Embedding;
  encoder: T5Stack;
  decoder: T5Stack;
  /** [V, C] output projection, or null when tied to `shared`. */
  lm_head: Linear | null;

  constructor(config: Partial<T5Config> = {}) {
    super();
    this.config = t5Config(config);
    const c = this.config;
    this.shared = new Embedding(c.vocab_size, c.d_model);
    normal(this.shared.weight, 0, c.initializer_factor);
    this.encoder = new T5Stack(c, false, () => this.shared);
    this.decoder = new T5Stack(c, true, () => this.shared);
    this.lm_head = c.tie_word_embeddings ? null : projection(c.d_model, c.vocab_size, c.initializer_factor);
  }

  /** labels [B, T] → decoder inputs [start, labels[:, :-1]] with −100 replaced by pad_token_id. */
  shiftRight(labels: Tensor): Tensor {
    return shiftTokensRight(labels, this.config.decoder_start_token_id, this.config.pad_token_id);
  }

  /** The encoder's output over ids [B, S] with an optional [B, S] mask. */
  encode(inputIds: Tensor, attentionMask?: Tensor): EncoderMemory {
    checkIds(inputIds, this.config.vocab_size, "inputIds", "T5.forward");
    const mask = booleanMask(attentionMask, inputIds, "attentionMask", "T5.forward");
    return { hiddenStates: this.encoder.forward(inputIds, mask), mask };
  }

  /** Decoder hidden states [B, T, C] → logits [B, T, V] (scaled by d_model^−0.5 first when tied, as T5 does). */
  private project(hidden: Tensor): Tensor {
    if (this.lm_head !== null) return this.lm_head.forward(hidden);
    return matmul(mul(hidden, this.config.d_model ** -0.5), transpose(this.shared.weight, 0, 1));
  }

  /** The decoder over an encoder output: decoder ids [B, T] → hidden states and logits [B, T, V]. */
  decodeWith(memory: EncoderMemory, decoderIds: Tensor, options: { decoderAttentionMask?: Tensor; cache?: KVCache } = {}): { hidden: Tensor; logits: Tensor } {
    checkIds(decoderIds, this.config.vocab_size, "decoderInputIds", "T5.forward");
    if (decoderIds.shape[0] !== memory.hiddenStates.shape[0]) {
      throw new ShapeError(`T5.forward: decoderInputIds ${formatShape(decoderIds.shape)} and the encoder batch ${formatShape(memory.hiddenStates.shape)} differ`);
    }
    const decoderMask = booleanMask(options.decoderAttentionMask, decoderIds, "decoderAttentionMask", "T5.forward");
    const hidden = this.decoder.forward(decoderIds, decoderMask, memory, options.cache);
    return { hidden, logits: this.project(hidden) };
  }

  /** inputIds [B, S] → named outputs; decoder inputs from decoderInputIds, or labels shifted right. */
  forward(inputIds: Tensor, options: T5ForwardOptions = {}): T5Output {
    const memory = options.encoderOutputs ?? this.encode(inputIds, options.attentionMask);
    const labels = options.labels;
    if (labels !== undefined && (labels.ndim !== 2 || labels.shape[0] !== inputIds.shape[0])) {
      throw new ShapeError(`T5.forward: labels must be [${inputIds.shape[0]}, T], got ${formatShape(labels.shape)}`);
    }
    let decoderIds = options.decoderInputIds;
    if (decoderIds === undefined) {
      if (labels === undefined) throw new ValueError("T5.forward: give decoderInputIds or labels");
      decoderIds = this.shiftRight(labels);
    }
    const { hidden, logits } = this.decodeWith(memory, decoderIds, {
      ...(options.decoderAttentionMask ? { decoderAttentionMask: options.decoderAttentionMask } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
    });
    let loss: Tensor | null = null;
    if (labels !== undefined) {
      if (labels.shape[1] !== decoderIds.shape[1]) throw new ShapeError(`T5.forward: labels ${formatShape(labels.shape)} and decoder inputs ${formatShape(decoderIds.shape)} differ in length`);
      const V = this.config.vocab_size;
      loss = crossEntropy(reshape(logits, [-1, V]), reshape(labels, [-1]), { ignoreIndex: -100 });
    }
    return { logits, loss, encoderLastHiddenState: memory.hiddenStates, decoderLastHiddenState: hidden };
  }

  /** A new empty cache: per decoder block a growing self-attention cache and a cross-attention one. */
  newCache(): KVCache {
    return new KVCache();
  }

  /**
   * Checks a state dict against the config before loading, so a mismatch names its cause: the
   * relative_attention_bias of block 0 must be there, and q/k/v/o must be d_kv·num_heads wide.
   */
  override loadStateDict(stateDict: StateDict | Readonly<Record<string, Tensor>>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const get = (name: string): Tensor | undefined => (stateDict instanceof Map ? stateDict.get(name) : (stateDict as Readonly<Record<string, Tensor>>)[name]);
    const c = this.config;
    const inner = c.num_heads * c.d_kv;
    for (const stack of ["encoder", "decoder"]) {
      const q = get(`${stack}.block.0.layer.0.SelfAttention.q.weight`);
      if (q !== undefined && q.shape[0] !== inner) {
        throw new ShapeError(`T5: ${stack}.block.0.layer.0.SelfAttention.q.weight is ${formatShape(q.shape)}, but the config's d_kv·num_heads = ${c.d_kv}·${c.num_heads} = ${inner}`);
      }
      const bias = `${stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight`;
      if ((options.strict ?? true) && get(bias) === undefined) {
        throw new ValueError(`T5: ${bias} is missing (T5's relative position bias lives in block 0 of each stack and serves every block)`);
      }
    }
    return super.loadStateDict(stateDict, options);
  }

  /** Encodes src [B, S] (rows of the given lengths, right-padded) once; the decoder step over its rows. */
  decoderStep(src: Tensor, srcLengths: readonly number[], options: { useCache?: boolean } = {}): T5DecoderStep {
    const memory = this.encode(src, lengthsMask(src, srcLengths, "T5.decoderStep"));
    return new EncoderDecoderStep(this, memory, options.useCache ?? true);
  }

  /** What decoding needs to know: the decoder start id, the end id and the vocabulary. */
  get decoding(): { startId: number; endId: number; vocabSize: number } {
    const c = this.config;
    return { startId: c.decoder_start_token_id, endId: c.eos_token_id, vocabSize: c.vocab_size };
  }
}

export type { EncoderMemory } from "../encoder-decoder.js";

/** T5's decoder step: the shared encoder–decoder step (models/encoder-decoder.ts) over T5's decoder. */
export type T5DecoderStep = EncoderDecoderStep;
