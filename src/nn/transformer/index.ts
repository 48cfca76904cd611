/** Transformer building blocks: the feed-forward network (plain or gated) and the (pre/post-norm) block, with PyTorch's names. */
export { FeedForward, feedForward, defaultFeedForwardSize, gatedHiddenSize, type FeedForwardOptions } from "./feed-forward.js";
export {
  TransformerBlock, defaultTransformerBlockConfig, type TransformerBlockConfig, type TransformerBlockForwardOptions,
  type NormKind, type NormPlacement,
} from "./block.js";
