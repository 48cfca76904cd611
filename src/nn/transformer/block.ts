/**
 * A transformer block: self-attention and a feed-forward network, each in a residual branch, plus an
 * optional cross-attention branch (encoder–decoder).
 *   pre-norm  (GPT-2, LLaMA):  x = x + drop(attn(ln_1(x)));  x = x + mlp(ln_2(x))
 *   post-norm (Vaswani, BERT): x = ln_1(x + drop(attn(x)));  x = ln_2(x + mlp(x))
 * with, when crossAttention is on, x = x + drop(xattn(ln_cross_attn(x), ctx)) (pre) or
 * x = ln_cross_attn(x + drop(xattn(x, ctx))) (post) between the two.
 * Shapes: x [B, T, C], context [B, S, C]; C = dModel, H = numHeads, D = C / H.
 * Submodule names follow Hugging Face GPT-2: ln_1, attn, ln_cross_attn, crossattention, ln_2, mlp.
 */
import { ValueError } from "../../errors.js";
import { add } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../functional/dropout.js";
import { LayerNorm } from "../layers/layer-norm.js";
import type { LayerOptions } from "../layers/options.js";
import { RMSNorm } from "../layers/rms-norm.js";
import { Module } from "../module.js";
import type { LayerKVCache } from "../attention/kv-cache.js";
import { MultiHeadAttention, type PositionalKind } from "../attention/multi-head-attention.js";
import { FeedForward, type FeedForwardActivation } from "./feed-forward.js";

export type NormKind = "layernorm" | "rmsnorm";
export type NormPlacement = "pre" | "post";

export interface TransformerBlockConfig extends LayerOptions {
  dModel: number;
  numHeads: number;
  /** Feed-forward hidden size (default 4·dModel, or the 2/3 rule for SwiGLU). */
  dFF?: number;
  /** Default "layernorm". */
  norm?: NormKind;
  /** Norm epsilon (default 1e-5; RMSNorm's default follows PyTorch: the dtype's machine epsilon). */
  normEps?: number;
  /** Default "pre". */
  placement?: NormPlacement;
  /** Feed-forward activation (default "gelu"). */
  activation?: FeedForwardActivation;
  /** Dropout on attention weights, on each residual branch and in the feed-forward (default 0). */
  dropout?: number;
  /** Add an encoder–decoder attention branch (default false). */
  crossAttention?: boolean;
  /** Causal self-attention (default false). */
  causal?: boolean;
  /** Positions inside self-attention (default "none": the model adds them to the embeddings). */
  positional?: PositionalKind;
  /** Biases in projections and LayerNorm (default true). */
  bias?: boolean;
}

export const defaultTransformerBlockConfig = {
  norm: "layernorm",
  placement: "pre",
  activation: "gelu",
  dropout: 0,
  crossAttention: false,
  causal: false,
  positional: "none",
  bias: true,
} as const satisfies Partial<TransformerBlockConfig>;

export interface TransformerBlockForwardOptions {
  /** Self-attention mask (bool true = attend, or additive), broadcastable to [B, H, T, T+past]. */
  mask?: Tensor | null;
  /** Cache of this layer's self-attention keys/values (decoding). */
  kvCache?: LayerKVCache;
  /** Encoder output [B, S, C] for the cross-attention branch. */
  context?: Tensor;
  /** Mask over the context, broadcastable to [B, H, T, S] (e.g. encoder padding [B, 1, 1, S]). */
  contextMask?: Tensor | null;
  /** Cache of the cross-attention keys/values (filled at the first step). */
  crossKvCache?: LayerKVCache;
}

type Norm = LayerNorm | RMSNorm;

export class TransformerBlock extends Module {
  readonly config: Required<Omit<TransformerBlockConfig, "dFF" | "normEps" | "dtype">> & Pick<TransformerBlockConfig, "dFF" | "normEps">;
  ln_1: Norm;
  attn: MultiHeadAttention;
  ln_cross_attn: Norm | null = null;
  crossattention: MultiHeadAttention | null = null;
  ln_2: Norm;
  mlp: FeedForward;

  constructor(config: TransformerBlockConfig) {
    super();
    const c = { ...defaultTransformerBlockConfig, ...config };
    this.config = c;
    if (c.norm !== "layernorm" && c.norm !== "rmsnorm") throw new ValueError(`TransformerBlock: unknown norm "${String(c.norm)}"`);
    if (c.placement !== "pre" && c.placement !== "post") throw new ValueError(`TransformerBlock: unknown placement "${String(c.placement)}"`);
    const dtype = config.dtype ?? "float32";
    const makeNorm = (): Norm =>
      c.norm === "layernorm"
        ? new LayerNorm(c.dModel, { eps: c.normEps ?? 1e-5, bias: c.bias, dtype })
        : new RMSNorm(c.dModel, { eps: c.normEps ?? null, dtype });
    this.ln_1 = makeNorm();
    this.attn = new MultiHeadAttention(c.dModel, c.numHeads, { bias: c.bias, dropout: c.dropout, positional: c.positional, causal: c.causal, dtype });
    if (c.crossAttention) {
      this.ln_cross_attn = makeNorm();
      this.crossattention = new MultiHeadAttention(c.dModel, c.numHeads, { bias: c.bias, dropout: c.dropout, selfAttention: false, dtype });
    }
    this.ln_2 = makeNorm();
    this.mlp = new FeedForward(c.dModel, {
      activation: c.activation, dropout: c.dropout, bias: c.bias, dtype, ...(c.dFF === undefined ? {} : { dFF: c.dFF }),
    });
  }

  private residualDropout(x: Tensor): Tensor {
    return dropout(x, this.config.dropout, this.training);
  }

  /** [B, T, C] → [B, T, C] */
  forward(x: Tensor, options: TransformerBlockForwardOptions = {}): Tensor {
    const pre = this.config.placement === "pre";
    const selfAttn = (h: Tensor): Tensor =>
      this.residualDropout(this.attn.forward(h, { mask: options.mask ?? null, ...(options.kvCache ? { kvCache: options.kvCache } : {}) }).output);
    x = pre ? add(x, selfAttn(this.ln_1.forward(x))) : this.ln_1.forward(add(x, selfAttn(x)));
    if (this.crossattention && this.ln_cross_attn) {
      const cross = this.crossattention;
      if (options.context === undefined && (options.crossKvCache?.length ?? 0) === 0) {
        throw new ValueError("TransformerBlock: cross-attention needs a context (or a filled crossKvCache)");
      }
      const crossAttn = (h: Tensor): Tensor =>
        this.residualDropout(cross.forward(h, {
          mask: options.contextMask ?? null,
          ...(options.context ? { context: options.context } : {}),
          ...(options.crossKvCache ? { kvCache: options.crossKvCache } : {}),
        }).output);
      x = pre ? add(x, crossAttn(this.ln_cross_attn.forward(x))) : this.ln_cross_attn.forward(add(x, crossAttn(x)));
    }
    return pre ? add(x, this.mlp.forward(this.ln_2.forward(x))) : this.ln_2.forward(add(x, this.mlp.forward(x)));
  }

  override extraRepr(): string {
    const c = this.config;
    return `dModel=${c.dModel}, numHeads=${c.numHeads}, norm=${c.norm}, placement=${c.placement}${c.causal ? ", causal" : ""}`;
  }
}
