/**
 * GPT: a decoder-only Transformer with GPT-2's layout and parameter names
 * (transformer.wte, transformer.wpe, transformer.h.{i}.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc,
 * mlp.c_proj}, transformer.ln_f, lm_head tied to wte).
 *
 * Shapes: B batch, T sequence, C = n_embd, V = vocab_size.
 */
import { ShapeError, ValueError, formatShape } from "../../errors.js";
import { nextTokenLoss } from "../next-token-loss.js";
import { add, matmul, to, transpose } from "../../ops/index.js";
import { sinusoidalTable } from "../../nn/attention/sinusoidal.js";
import { arange } from "../../tensor/factory.js";
import { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../../nn/functional/index.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { ModuleList } from "../../nn/layers/containers.js";
import { Module } from "../../nn/module.js";
import { normal } from "../../nn/init.js";
import { type DecodingCache, KVCache } from "../../nn/attention/kv-cache.js";
import { Block, type Norm, makeNorm } from "./block.js";
import { checkCheckpointEvery, checkpointBlock } from "../../nn/checkpointing.js";
import { GPT_MODEL_TYPE, type GPTConfig, gptConfig } from "./config.js";

/** What `GPT.forward` returns: logits [B, T, V], the loss when targets were given, and the updated cache. */
export interface GPTOutput {
  /** [B, T, V] */
  logits: Tensor;
  /** Mean next-token cross-entropy when targets were given. */
  loss: Tensor | null;
}

/** Options of `GPT.forward`: targets for the loss, a KV cache for generation, an attention mask. */
export interface GPTForwardOptions {
  /** Targets [B, T] (int32): next-token ids; −100 entries are ignored. */
  targets?: Tensor;
  /** A cache (from newCache) to read past keys/values from and append this call's to (generation). */
  cache?: DecodingCache;
  /** Compute logits for the last position only (generation). */
  lastOnly?: boolean;
}

class Transformer extends Module {
  wte: Embedding;
  wpe: Embedding | null;
  h: ModuleList<Block>;
  ln_f: Norm;

  constructor(config: GPTConfig) {
    super();
    this.wte = new Embedding(config.vocab_size, config.n_embd);
    normal(this.wte.weight, 0, config.initializer_range);
    if (config.position_encoding === "learned") {
      this.wpe = new Embedding(config.n_positions, config.n_embd);
      normal(this.wpe.weight, 0, config.initializer_range);
    } else {
      this.wpe = null;
    }
    this.h = new ModuleList(Array.from({ length: config.n_layer }, () => new Block(config)));
    this.ln_f = makeNorm(config);
  }
}

export class GPT extends Module {
  /** config.json's model_type: how the model registry finds this family. */
  readonly modelType = GPT_MODEL_TYPE;
  readonly config: GPTConfig;
  transformer: Transformer;
  /** Untied output projection [V, C], or null when tied to wte. */
  lm_head: Embedding | null;
  /** Gradient checkpointing of the blocks in training: 0 off, k every k-th block (nn/checkpointing.ts). */
  gradientCheckpointing = 0;

  constructor(config: Partial<GPTConfig> = {}) {
    super();
    this.config = gptConfig(config);
    this.transformer = new Transformer(this.config);
    this.lm_head = null;
    if (!this.config.tie_word_embeddings) {
      this.lm_head = new Embedding(this.config.vocab_size, this.config.n_embd);
      normal(this.lm_head.weight, 0, this.config.initializer_range);
    }
  }

  /** The [V, C] output projection (wte's weight when tied). */
  get outputWeight(): Tensor {
    return (this.lm_head ?? this.transformer.wte).weight;
  }

  /** ids [B, T] (int32) → logits [B, T, V] (and the loss with targets). */
  forward(ids: Tensor, options: GPTForwardOptions = {}): GPTOutput {
    if (ids.ndim !== 2) throw new ShapeError(`GPT.forward: ids must be [B, T], got ${formatShape(ids.shape)}`);
    const T = ids.shape[1] as number;
    const past = options.cache?.length ?? 0;
    if (past + T > this.config.n_positions) {
      throw new ShapeError(`GPT.forward: ${past + T} positions exceed n_positions=${this.config.n_positions}`);
    }
    const cfg = this.config;
    let x = this.transformer.wte.forward(ids); // [B, T, C]
    if (this.transformer.wpe) x = add(x, this.transformer.wpe.forward(arange(past, past + T))); // + [T, C]
    else if (cfg.position_encoding === "sinusoidal") x = add(x, to(sinusoidalTable(T, cfg.n_embd, past), x.dtype)); // fixed [T, C]
    x = dropout(x, cfg.embd_pdrop, this.training);
    const cache = options.cache;
    if (cache !== undefined && !(cache instanceof KVCache)) throw new ValueError("GPT.forward: cache must be a KVCache made by newCache()");
    const every = checkCheckpointEvery(this.gradientCheckpointing, "GPT.forward");
    const checkpointing = this.training && every > 0;
    // A recomputed forward would append to the cache a second time: no KV cache under checkpointing.
    if (checkpointing && cache !== undefined) throw new ValueError("GPT.forward: a KV cache cannot be used with gradient checkpointing in training mode; call eval() or set gradientCheckpointing = 0");
    let i = 0;
    for (const block of this.transformer.h) {
      const layer = cache?.layer(i);
      x = checkpointBlock(every, i++, checkpointing, (h: Tensor) => block.forward(h, layer), x);
    }
    x = this.transformer.ln_f.forward(x);
    if (options.lastOnly) x = x.slice(1, T - 1, T); // [B, 1, C]
    const logits = matmul(x, transpose(this.outputWeight, 0, 1)); // [B, T, V]
    const loss = nextTokenLoss(logits, ids, options.targets, "GPT.forward");
    return { logits, loss };
  }

  /** A new empty KV cache for this model (nn's, one per layer, reorderable for beam search). */
  newCache(): KVCache {
    return new KVCache();
  }
}
