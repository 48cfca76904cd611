/** Transformer building blocks: the feed-forward network and the (pre/post-norm) block. */
export { FeedForward, defaultFeedForwardSize, type FeedForwardActivation, type FeedForwardOptions } from "./feed-forward.js";
export {
  TransformerBlock, defaultTransformerBlockConfig, type TransformerBlockConfig, type TransformerBlockForwardOptions,
  type NormKind, type NormPlacement,
} from "./block.js";
