/**
 * A transformer block as torch.nn.TransformerEncoderLayer (and, with crossAttention, as
 * TransformerDecoderLayer), with PyTorch's names so a state dict loads into it and back:
 *   encoder: self_attn, linear1, linear2, norm1, norm2
 *   decoder: self_attn, multihead_attn, linear1, linear2, norm1, norm2, norm3
 *   pre-norm  (norm_first=True; GPT-2, LLaMA): x = x + drop(sa(norm1(x)));  [x = x + drop(ca(norm2(x), ctx))];  x = x + drop(ff(normL(x)))
 *   post-norm (norm_first=False; Vaswani):      x = norm1(x + drop(sa(x)));  [x = norm2(x + drop(ca(x, ctx)))];  x = normL(x + drop(ff(x)))
 * with normL = norm2 (encoder) or norm3 (decoder), ff(x) = linear2(dropout(act(linear1(x)))).
 * The attention is nn.MultiHeadAttention (the one attention path), the FFN feed-forward.ts's.
 * Shapes: x [B, T, C], context [B, S, C]; C = dModel, H = numHeads, D = C / H.
 */
import { ValueError } from "../../errors.js";
import { add } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../functional/dropout.js";
import { ACTIVATION_NAMES, type ActivationName, activationFunction, isGatedActivation } from "../layers/activation.js";
import { LayerNorm } from "../layers/layer-norm.js";
import { Linear } from "../layers/linear.js";
import type { LayerOptions } from "../layers/options.js";
import { RMSNorm } from "../layers/rms-norm.js";
import { Module } from "../module.js";
import type { LayerKVCache } from "../attention/kv-cache.js";
import { MultiHeadAttention, type PositionalKind } from "../attention/multi-head-attention.js";
import { defaultFeedForwardSize, feedForward } from "./feed-forward.js";

/** The normalisation of a transformer block. */
export type NormKind = "layernorm" | "rmsnorm";
/**
 * Where a block normalises: before each sub-layer (GPT-2, "pre") or after the residual sum (the original Transformer, "post").
 */
export type NormPlacement = "pre" | "post";

/** Settings of a {@link TransformerBlock}: width, heads, MLP, activation, norm, dropout, positions. */
export interface TransformerBlockConfig extends LayerOptions {
  dModel: number;
  numHeads: number;
  /** Feed-forward hidden size (default 4·dModel, or nn's gatedHiddenSize for a gated activation). */
  dFF?: number;
  /** Default "layernorm". */
  norm?: NormKind;
  /** Norm epsilon (default 1e-5, PyTorch's layer_norm_eps, for either norm). */
  normEps?: number;
  /** Default "pre". */
  placement?: NormPlacement;
  /** Feed-forward activation by Hugging Face name (default "gelu"). */
  activation?: ActivationName;
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

/** Defaults of {@link TransformerBlockConfig}: pre-norm LayerNorm, GELU, an MLP 4× wide, no dropout. */
export const defaultTransformerBlockConfig = {
  norm: "layernorm",
  normEps: 1e-5,
  placement: "pre",
  activation: "gelu",
  dropout: 0,
  crossAttention: false,
  causal: false,
  positional: "none",
  bias: true,
} as const satisfies Partial<TransformerBlockConfig>;

/** Options of `TransformerBlock.forward`: causal masking, a padding mask, a KV cache, positions. */
export interface TransformerBlockForwardOptions {
  /** Self-attention mask (bool true = attend, or additive), broadcastable to [B, H, T, T+past]. */
  mask?: Tensor | null;
  /** [B, T+past] boolean, true = a real position (PyTorch's src_key_padding_mask inverted). */
  keyPaddingMask?: Tensor | null;
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
  readonly config: Required<Omit<TransformerBlockConfig, "dFF" | "dtype">> & Pick<TransformerBlockConfig, "dFF">;
  self_attn: MultiHeadAttention;
  multihead_attn: MultiHeadAttention | null = null;
  linear1: Linear;
  linear2: Linear;
  norm1: Norm;
  norm2: Norm;
  norm3: Norm | null = null;
  private readonly act: (x: Tensor) => Tensor;

  constructor(config: TransformerBlockConfig) {
    super();
    const c = { ...defaultTransformerBlockConfig, ...config };
    this.config = c;
    if (c.norm !== "layernorm" && c.norm !== "rmsnorm") throw new ValueError(`TransformerBlock: unknown norm "${String(c.norm)}"`);
    if (c.placement !== "pre" && c.placement !== "post") throw new ValueError(`TransformerBlock: unknown placement "${String(c.placement)}"`);
    if (!ACTIVATION_NAMES.includes(c.activation)) throw new ValueError(`TransformerBlock: unknown activation "${String(c.activation)}" (known: ${ACTIVATION_NAMES.join(", ")})`);
    const dtype = config.dtype ?? "float32";
    const makeNorm = (): Norm =>
      c.norm === "layernorm" ? new LayerNorm(c.dModel, { eps: c.normEps, bias: c.bias, dtype }) : new RMSNorm(c.dModel, { eps: c.normEps, dtype });
    this.self_attn = new MultiHeadAttention(c.dModel, c.numHeads, { bias: c.bias, dropout: c.dropout, positional: c.positional, causal: c.causal, dtype });
    if (c.crossAttention) this.multihead_attn = new MultiHeadAttention(c.dModel, c.numHeads, { bias: c.bias, dropout: c.dropout, dtype });
    const dFF = c.dFF ?? defaultFeedForwardSize(c.dModel, c.activation);
    this.act = activationFunction(c.activation);
    const lin = { bias: c.bias, dtype } as const;
    this.linear1 = new Linear(c.dModel, isGatedActivation(c.activation) ? 2 * dFF : dFF, lin);
    this.linear2 = new Linear(dFF, c.dModel, lin);
    this.norm1 = makeNorm();
    this.norm2 = makeNorm();
    if (c.crossAttention) this.norm3 = makeNorm();
  }

  /** A residual branch: pre-norm x + drop(f(norm(x))), post-norm norm(x + drop(f(x))). */
  private residual(x: Tensor, norm: Norm, f: (h: Tensor) => Tensor): Tensor {
    const p = this.training ? this.config.dropout : 0;
    if (this.config.placement === "pre") return add(x, dropout(f(norm.forward(x)), p, p > 0));
    return norm.forward(add(x, dropout(f(x), p, p > 0)));
  }

  /** [B, T, C] → [B, T, C] */
  forward(x: Tensor, options: TransformerBlockForwardOptions = {}): Tensor {
    x = this.residual(x, this.norm1, (h) => this.self_attn.forward(h, {
      mask: options.mask ?? null,
      keyPaddingMask: options.keyPaddingMask ?? null,
      ...(options.kvCache ? { kvCache: options.kvCache } : {}),
    }).output);
    const cross = this.multihead_attn;
    if (cross) {
      const context = options.context;
      if (context === undefined && (options.crossKvCache?.length ?? 0) === 0) {
        throw new ValueError("TransformerBlock: cross-attention needs a context (or a filled crossKvCache)");
      }
      x = this.residual(x, this.norm2, (h) => cross.forward(h, {
        // With a filled cache the context's keys/values are read from it (the context is not projected again).
        key: context ?? h,
        mask: options.contextMask ?? null,
        ...(options.crossKvCache ? { kvCache: options.crossKvCache } : {}),
      }).output);
    }
    const p = this.training ? this.config.dropout : 0;
    return this.residual(x, this.norm3 ?? this.norm2, (h) => feedForward(h, this.linear1, this.linear2, this.act, p));
  }

  override extraRepr(): string {
    const c = this.config;
    return `dModel=${c.dModel}, numHeads=${c.numHeads}, norm=${c.norm}, placement=${c.placement}, activation=${c.activation}${c.causal ? ", causal" : ""}`;
  }
}
